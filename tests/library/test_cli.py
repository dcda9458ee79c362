"""``yincai library import`` and ``search``: files in, a summary out; a bad file fails with its
reason and writes nothing; the search prints passages and the quoted answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.library.conftest import ABS
from yincai.cli import app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import KnowledgePoint, KpLevel, Resource, Subject


def test_import_then_reimport_then_search(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        subject = Subject(code="TST", name="测试学科")
        session.add(subject)
        session.flush()
        session.add(
            KnowledgePoint(subject_id=subject.id, code="T7.01", name="绝对值", level=KpLevel.POINT)
        )
    (tmp_path / "abs.md").write_bytes(ABS)
    (tmp_path / "bad.md").write_text("# 无学科\n\n## 要点\n\n内容", encoding="utf-8")
    runner = CliRunner()
    env = settings.as_environment()
    first = runner.invoke(app, ["library", "import", str(tmp_path / "abs.md")], env=env)
    again = runner.invoke(app, ["library", "import", str(tmp_path / "abs.md")], env=env)
    bad = runner.invoke(app, ["library", "import", str(tmp_path / "bad.md")], env=env)
    found = runner.invoke(
        app, ["library", "search", "负数的绝对值是什么", "--subject", "TST"], env=env
    )
    with session_scope(engine) as session:
        n_resources = session.scalar(select(func.count()).select_from(Resource))
    engine.dispose()
    assert first.exit_code == 0 and "新增 / new 1" in first.output, first.output
    assert again.exit_code == 0 and "未变 / unchanged 1" in again.output
    assert bad.exit_code == 1 and "bad.md" in bad.output and n_resources == 1
    assert found.exit_code == 0 and "T-ABS#1" in found.output
    assert "负数的绝对值是它的相反数" in found.output
