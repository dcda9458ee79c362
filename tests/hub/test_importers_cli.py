from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.hub.builders import STUDENT_HEADER_ZH, roster_file, write_csv
from yincai import cli as yincai_cli
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Score, Sitting, Student
from yincai.hub import cli as hub_cli
from yincai.hub import service as hub_service

KILLER = """
import os, signal, sys
from pathlib import Path
from yincai import cli as yincai_cli
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.hub import service

def progress(done: int, total: int) -> None:
    if done >= total // 2:
        os.kill(os.getpid(), signal.SIGKILL)

with session_scope(make_engine(Settings())) as session:
    service.import_scores(session, path=Path(sys.argv[1]), assessment_code="BIG", progress=progress)
"""


def _count(settings: Settings, model: type) -> int:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        n = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


def test_cli_prints_a_summary_then_row_errors_with_exit_code_1(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    runner = CliRunner()
    result = runner.invoke(hub_cli.app, ["roster", str(roster_file(tmp_path)), "--district", "D1"],
                           obj=settings)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "学生 students" in result.output
    assert _count(settings, Student) == 4
    engine = make_engine(settings)
    with session_scope(engine) as session:
        hub_service.create_assessment(
            session, code="E1", name="月考", held_on=date(2025, 10, 8), subject_code="数学",
            grade_level=7, items=[("1", 5), ("2", 5)],
        )  # fmt: skip
    engine.dispose()
    bad = write_csv(tmp_path / "bad.csv", ["学号", "1", "2"],
                    [["2025001", "5", "4"], ["2025002", "9", "1"]])  # fmt: skip
    result = runner.invoke(hub_cli.app, ["scores", str(bad), "--assessment", "E1"], obj=settings)
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "超过该题满分" in result.output
    assert _count(settings, Score) == 0
    good = write_csv(tmp_path / "good.csv", ["学号", "1", "2"], [["2025001", "5", "4"]])
    result = runner.invoke(hub_cli.app, ["scores", str(good), "--assessment", "E1"], obj=settings)
    assert result.exit_code == 0, result.output
    assert "小题得分" in result.output
    result = runner.invoke(hub_cli.app, ["scores", str(good), "--assessment", "E1"], obj=settings)
    assert result.exit_code == 0 and "already up to date" in result.output
    assert _count(settings, Score) == 2


def test_process_killed_mid_import_leaves_no_partial_rows(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    n_students = 2000
    rows = [["S01", "一中", "城区", "初中", "七年级", f"{i % 40 + 1}班", f"N{i:05d}", f"学生{i}",
             "男", "", "", "", ""] for i in range(n_students)]  # fmt: skip
    roster = write_csv(tmp_path / "roster.csv", STUDENT_HEADER_ZH, rows)
    engine = make_engine(settings)
    with session_scope(engine) as session:
        hub_service.import_roster(session, path=roster, district_code="D1")
        hub_service.create_assessment(
            session, code="BIG", name="大考", held_on=date(2025, 11, 1), subject_code="数学",
            grade_level=7, items=[(str(i), 10) for i in range(1, 5)],
        )  # fmt: skip
    engine.dispose()
    scores = write_csv(tmp_path / "big.csv", ["学号", "1", "2", "3", "4"],
                       [[row[6], "1", "2", "3", "4"] for row in rows])  # fmt: skip
    env = {**os.environ, "YINCAI_DATA_DIR": str(settings.data_dir)}
    for name, value in (("YINCAI_DATABASE_URL", settings.database_url),
                        ("YINCAI_DATABASE_SCHEMA", settings.database_schema)):  # fmt: skip
        env.pop(name, None)
        if value:
            env[name] = value
    done = subprocess.run([sys.executable, "-c", KILLER, str(scores)], env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert _count(settings, Score) == 0
    assert _count(settings, Sitting) == 0
    assert _count(settings, Student) == n_students
    if settings.database_url is None:
        engine = make_engine(settings)
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        engine.dispose()


def test_an_import_through_the_yincai_command_queues_what_it_made_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[Path] = []

    class RecordingJobs:
        def __init__(self, settings: Settings) -> None:
            self.settings = settings

        def after_import(self, session: Session) -> None:
            queued.append(self.settings.data_dir)

    monkeypatch.setattr(yincai_cli, "Jobs", RecordingJobs)
    data_dir = tmp_path / "data"
    arguments = ["--data-dir", str(data_dir), "import", "roster", str(roster_file(tmp_path))]
    first = CliRunner().invoke(yincai_cli.app, [*arguments, "--district", "D1"])
    again = CliRunner().invoke(yincai_cli.app, [*arguments, "--district", "D1"])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    assert queued == [data_dir]  # the unchanged re-import queues nothing
