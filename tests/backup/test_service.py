"""A backup taken while the platform runs restores into a fresh database with the same rows and
the same report numbers; a restore never merges into a database that holds data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from tests.conftest import POSTGRES_URL
from yincai.accounts.actors import CLI
from yincai.analysis import service as analysis_service
from yincai.backup.service import create_backup, read_manifest, restore_backup, table_counts
from yincai.cli import app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import Conflict, Invalid

EXAM = "2026A-M8-3"


@pytest.fixture
def empty_target(demo_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Somewhere empty to restore into: a new data dir, or a new PostgreSQL database."""
    if demo_settings.database_url is None:
        yield Settings(data_dir=tmp_path / "restored")
        return
    assert POSTGRES_URL is not None
    name = f"yincai_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield Settings(data_dir=tmp_path / "restored", database_url=url,
                       database_schema=demo_settings.database_schema)  # fmt: skip
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _report(settings: Settings) -> str:
    """The whole district exam report (totals, 三率, items, knowledge points…) as text."""
    engine = make_engine(settings)
    with session_scope(engine) as session:
        report = analysis_service.exam_report(
            session, actor=CLI, surface="cli", assessment_code=EXAM
        )
    engine.dispose()
    return repr(report)


def test_backup_then_restore_gives_the_same_rows_and_report_numbers(
    demo_settings: Settings, empty_target: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "备份.zip"
    manifest = create_backup(demo_settings, target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert manifest.row_counts["score"] > 1000 and manifest.revision
    assert read_manifest(target) == manifest
    restored = restore_backup(empty_target, target)
    engine = make_engine(empty_target)
    found = table_counts(engine)
    engine.dispose()
    assert (
        {name: found[name] for name in manifest.row_counts}
        == manifest.row_counts
        == restored.row_counts
    )
    restored_report = _report(empty_target)
    assert "summary=TotalSummary(" in restored_report
    assert restored_report == _report(demo_settings)


def test_a_restore_refuses_a_database_with_data_and_a_damaged_backup(
    demo_settings: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "b.zip"
    create_backup(demo_settings, target)
    with pytest.raises(Conflict, match="只能恢复到空数据库"):
        restore_backup(demo_settings, target)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(Invalid, match="不是因材的备份文件"):
        restore_backup(demo_settings, damaged)
    with pytest.raises(Conflict, match="已存在"):
        create_backup(demo_settings, target)


def test_the_backup_commands_report_and_exit_non_zero_on_a_refusal(
    demo_settings: Settings, tmp_path: Path
) -> None:
    runner = CliRunner()
    environment = demo_settings.as_environment()
    target = tmp_path / "cli.zip"
    made = runner.invoke(app, ["backup", "create", str(target)], env=environment)
    assert made.exit_code == 0 and "已备份到" in made.output and target.exists()
    refused = runner.invoke(app, ["backup", "restore", str(target)], env=environment)
    assert refused.exit_code == 1 and "只能恢复到空数据库" in refused.output
