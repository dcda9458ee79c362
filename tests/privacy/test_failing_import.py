"""A roster import that fails because the disk is full shows and logs no personal data.

The reported failure printed a 22 KB traceback with every frame's variables: names, student
numbers, guardians and phones. Here the disk fills up when the students are written (the write
raises ENOSPC, or the database driver reports a full disk, whose error SQLAlchemy would format
with the statement's parameters); the CLI output, the page, every log record and the error log
must hold none of the file's personal data.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from typer.testing import CliRunner

from tests.hub.builders import STUDENT_HEADER_ZH, STUDENTS, write_csv
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.cli import app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.demo.names import person_name
from yincai.domain.models import Student

N_MORE_ROWS = 60
FAILURES = ("oserror", "database")
_STUDENT_WRITE = re.compile(r"\s*(INSERT INTO|UPDATE) student\b", re.IGNORECASE)


def _roster(tmp_path: Path) -> tuple[Path, list[str]]:
    """A roster file and every personal value in it (names, numbers, guardians, phones)."""
    rng = np.random.default_rng(7)
    rows = [row[:] for row in STUDENTS]
    for i in range(N_MORE_ROWS):
        name = person_name(rng, "男" if i % 2 else "女")
        guardian = name[0] + person_name(rng, "女")[1:]
        gender = "男" if i % 2 else "女"
        rows.append(["S01", "城关一中", "城区", "初中", "七年级", f"{i % 3 + 1}班",
                     f"2025{100 + i}", name, gender, "2013", "2025", guardian,
                     f"139{i:08d}"])  # fmt: skip
    values = {row[k] for row in rows for k in (6, 7, 11, 12) if row[k]}
    return write_csv(tmp_path / "roster.csv", STUDENT_HEADER_ZH, rows), sorted(values)


@pytest.fixture
def disk_full() -> Iterator[Callable[[str], None]]:
    """Make every later write of a student fail as on a full disk, in one of two ways."""
    installed: list[Callable[..., Any]] = []

    def install(kind: str) -> None:
        def fail(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not _STUDENT_WRITE.match(statement):
                return
            if kind == "oserror":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            raise connection.dialect.loaded_dbapi.OperationalError("database or disk is full")

        event.listen(Engine, "before_cursor_execute", fail)
        installed.append(fail)

    yield install
    for fail in installed:
        event.remove(Engine, "before_cursor_execute", fail)


def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every record, SQL statements included (never their parameters)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")


def _leaks(texts: list[str], secrets: list[str]) -> list[str]:
    return sorted({secret for secret in secrets for text in texts if secret in text})


def _n_students(settings: Settings) -> int:
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Student)) or 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("failure", FAILURES)
def test_cli_roster_import_on_a_full_disk_prints_and_logs_no_personal_data(
    make_database: Callable[[], Settings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    disk_full: Callable[[str], None],
    failure: str,
) -> None:
    settings = make_database()
    for name, value in settings.as_environment().items():
        monkeypatch.setenv(name, value)
    roster, secrets = _roster(tmp_path)
    disk_full(failure)
    _log_everything(caplog)
    result = CliRunner().invoke(
        app, ["import", "roster", str(roster), "--district", "D1"], prog_name="yincai"
    )
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "磁盘空间已满" in result.output
    error_id = re.search(r"错误编号 ([0-9a-f]{8})", result.output)
    assert error_id is not None
    log = settings.error_log_path.read_text(encoding="utf-8")
    assert f"error {error_id.group(1)} in yincai import roster" in log and "Traceback" in log
    assert stat.S_IMODE(settings.error_log_path.stat().st_mode) == 0o600
    if failure == "database":  # the driver's error names the statement, not its parameters
        assert "INSERT INTO student" in log and "hide_parameters=True" in log
    assert any("INSERT INTO" in record.getMessage() for record in caplog.records)
    assert _leaks([result.output, caplog.text, log], secrets) == []
    assert _n_students(settings) == 0  # nothing half-written


@pytest.mark.parametrize("failure", FAILURES)
def test_web_roster_import_on_a_full_disk_shows_and_logs_no_personal_data(
    world_db: WorldDatabase,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    disk_full: Callable[[str], None],
    failure: str,
) -> None:
    roster, secrets = _roster(tmp_path)
    _log_everything(caplog)
    with TestClient(create_app(world_db.settings), raise_server_exceptions=False) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        preview = client.post(
            "/imports/preview",
            data={"kind": "roster", "csrf_token": session_token(client)},
            files={"file": (roster.name, roster.read_bytes(), "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        token = re.search(r'name="token" value="([0-9a-f]{32})"', preview.text)
        assert token is not None
        disk_full(failure)
        page = client.post(
            "/imports/confirm", data={"token": token.group(1), "csrf_token": session_token(client)}
        )
    assert page.status_code in (422, 500)
    if page.status_code == 500:
        assert "磁盘空间已满" in page.text and "错误编号" in page.text
    else:
        assert "No space left on device" in page.text
    log_path = world_db.settings.error_log_path
    log = log_path.read_text(encoding="utf-8") if log_path.exists() else ""
    assert (page.status_code == 500) == ("Traceback" in log)
    assert _leaks([page.text, caplog.text, log], secrets) == []
    names_before = {name for name, _ in world_db.world.names.values()}
    assert _n_students(world_db.settings) == len(names_before)  # nothing written
