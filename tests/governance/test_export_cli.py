"""``yincai export research``: a ZIP on disk, the operator's audit row, the key kept."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from tests.governance.world import build_world
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.governance import export_cli
from yincai.governance.models import AuditEvent
from yincai.governance.privacy import KEY_FILE_NAME


def _students(path: Path) -> list[list[str]]:
    with zipfile.ZipFile(path) as archive:
        text = archive.read("students.csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_command_writes_the_zip_and_audits_it(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database().model_copy(update={"export_min_group": 2, "pseudonym_key": None})
    engine = make_engine(settings)
    with session_scope(engine) as session:
        build_world(session)
    runner = CliRunner()
    arguments = ["research", "--district", "W-D1", "--assessment", "W-E1"]
    first = runner.invoke(export_cli.app, [*arguments, "-o", str(tmp_path / "a.zip")], obj=settings)
    again = runner.invoke(export_cli.app, [*arguments, "-o", str(tmp_path / "b.zip")], obj=settings)
    unnamed = runner.invoke(
        export_cli.app, ["research", "-o", str(tmp_path / "c.zip")], obj=settings
    )
    assert first.exit_code == 0, first.output
    said = " ".join(first.output.split())  # Rich wraps lines at the terminal's width
    assert "4 名学生" in said and again.exit_code == 0
    assert _students(tmp_path / "a.zip") == _students(tmp_path / "b.zip")  # the key was kept
    assert len(_students(tmp_path / "a.zip")) == 5
    assert (settings.data_dir / KEY_FILE_NAME).exists()
    # two districts in the world: the command asks which
    assert unnamed.exit_code == 1 and "--district" in " ".join(unnamed.output.split())
    assert not (tmp_path / "c.zip").exists()
    with session_scope(engine) as session:
        audited = session.execute(
            select(AuditEvent.user_account_id, AuditEvent.object_type, AuditEvent.scope).where(
                AuditEvent.action == "research_export"
            )
        ).all()
    engine.dispose()
    assert sorted(audited) == sorted([(None, "district", "cli"), (None, "assessment", "cli")] * 2)
