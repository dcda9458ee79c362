"""``yincai privacy …``: export, erase, consent, mark-left, purge and encrypt-fields."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.privacy.builders import GUARDIAN, fill_student
from tests.web.conftest import WorldDatabase
from yincai.cli import app
from yincai.consent.models import GuardianConsent
from yincai.db import make_engine, session_scope
from yincai.domain.models import Student
from yincai.governance.models import AuditEvent


@pytest.fixture
def cli_world(world_db: WorldDatabase, monkeypatch: pytest.MonkeyPatch) -> WorldDatabase:
    """The world, with A1 filled in every registered table, and the CLI pointed at it."""
    for name, value in world_db.settings.as_environment().items():
        monkeypatch.setenv(name, value)
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        fill_student(session, world_db.world)
    engine.dispose()
    return world_db


def _run(*args: str, answer: str | None = None) -> Result:
    return CliRunner().invoke(app, ["privacy", *args], input=answer, prog_name="yincai")


def _student(world_db: WorldDatabase, key: str) -> Student:
    engine = make_engine(world_db.settings)
    with Session(engine, expire_on_commit=False) as session:
        student = session.get(Student, world_db.world[key])
    engine.dispose()
    assert student is not None
    return student


def _n_audit(world_db: WorldDatabase, action: str) -> int:
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        found = session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0
    engine.dispose()
    return found


def test_export_writes_the_zip_and_prints_only_counts(
    cli_world: WorldDatabase, tmp_path: Path
) -> None:
    name, number = cli_world.world.names["A1"]
    target = tmp_path / "a1.zip"
    result = _run("export", number, "-o", str(target))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        (student,) = json.loads(archive.read("student.json"))
    assert (student["name"], student["guardian_phone"]) == (name, GUARDIAN[1])
    assert name not in result.output and GUARDIAN[1] not in result.output
    assert "score" in result.output
    assert _n_audit(cli_world, "privacy_export") == 1


def test_erase_asks_first_and_a_no_changes_nothing(cli_world: WorldDatabase) -> None:
    name, number = cli_world.world.names["A1"]
    refused = _run("erase", number, answer="n\n")
    assert refused.exit_code == 1 and _student(cli_world, "A1").name == name
    done = _run("erase", number, answer="y\n")
    assert done.exit_code == 0, done.output
    assert _student(cli_world, "A1").student_number == f"ANON-{cli_world.world['A1']}"
    assert _n_audit(cli_world, "privacy_erase") == 1
    unknown = _run("erase", number, "--yes")
    assert unknown.exit_code == 1 and "不存在" in unknown.output  # the number is gone


def test_consent_records_a_paper_form_and_withdraws_it(cli_world: WorldDatabase) -> None:
    _, number = cli_world.world.names["A2"]
    assert _run("consent", number, "--given-on", "2026-09-01").exit_code == 0
    assert _run("consent", number, "--withdraw").exit_code == 0
    engine = make_engine(cli_world.settings)
    with Session(engine) as session:
        (consent,) = session.scalars(
            select(GuardianConsent).where(GuardianConsent.student_id == cli_world.world["A2"])
        )
        given_on, withdrawn = consent.given_at.date(), consent.withdrawn_at
    engine.dispose()
    assert given_on == date(2026, 9, 1) and withdrawn is not None


def _upload(root: Path, name: str, age_hours: float) -> Path:
    folder = root / "uploads" / name
    folder.mkdir(parents=True)
    (folder / "students.csv").write_text("学号,姓名\n", encoding="utf-8")
    stamp = time.time() - age_hours * 3600
    os.utime(folder, (stamp, stamp))
    return folder


def test_purge_removes_expired_uploads_and_anonymises_students_who_left_long_ago(
    cli_world: WorldDatabase,
) -> None:
    settings = cli_world.settings
    old = _upload(settings.data_dir, "a" * 32, age_hours=settings.upload_keep_minutes / 60 + 1)
    fresh = _upload(settings.data_dir, "b" * 32, age_hours=0.05)
    long_ago = datetime.now(UTC).date() - timedelta(
        days=366 * settings.left_student_retention_years
    )
    for key, left_on in (("A1", long_ago), ("A2", datetime.now(UTC).date())):
        assert (
            _run("mark-left", cli_world.world.names[key][1], "--on", left_on.isoformat()).exit_code
            == 0
        )
    engine = make_engine(settings)
    with session_scope(engine) as session:  # an audit event older than its retention period
        expired = datetime.now(UTC) - timedelta(days=settings.audit_retention_days + 30)
        session.add(AuditEvent(at=expired, action="view_student", object_type="student",
                               object_id="1", scope="district:1"))  # fmt: skip
    engine.dispose()
    n_audit = sum(_n_audit(cli_world, a) for a in ("view_student", "student_left"))

    dry = _run("purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "将删除 1 个" in dry.output and "将匿名化 1 名" in dry.output and "试运行" in dry.output
    assert old.exists() and _student(cli_world, "A1").anonymised_at is None

    done = _run("purge")
    assert done.exit_code == 0, done.output
    assert "已删除 1 个" in done.output and "已匿名化 1 名" in done.output
    # The chain is purged as a prefix: an old row sealed after newer ones waits for a later purge.
    assert "审计记录" in dry.output and "将清理 0 条" in dry.output and "已清理 0 条" in done.output
    assert not old.exists() and fresh.exists()
    assert _student(cli_world, "A1").anonymised_at is not None
    assert _student(cli_world, "A2").anonymised_at is None  # left today: kept
    assert sum(_n_audit(cli_world, a) for a in ("view_student", "student_left")) == n_audit
    assert cli_world.world.names["A1"][0] not in done.output
    assert _run("purge").output.count("0 名") == 1  # nothing left to anonymise


def test_encrypt_fields_reports_nothing_to_do_when_all_is_current(cli_world: WorldDatabase) -> None:
    result = _run("encrypt-fields")
    assert result.exit_code == 0 and "已加密 0 个" in result.output
