"""An import is one transaction on every backend: a preview writes nothing, a rollback undoes
everything, a killed import leaves the database as before or as after, and concurrent imports of
one assessment end in one consistent result."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from tests.hub.large import (
    ADMIN,
    EXAM,
    LargeExam,
    build_large_exam,
    check_consistent,
    dump,
    sheet_scores,
    stored_marks,
    write_sheet,
)
from tests.web.clients import logged_in, session_token
from tests.web.server import http_login, served
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import ReadOnlyViolation, make_engine, read_only, session_scope
from yincai.domain.models import ImportBatch, Score, Sitting, Subject
from yincai.hub import service as hub_service

KILLED_APP = "yincai-killed-import"
# What logging in and previewing rightly write: the audit trail (with its chain) and the session.
ACCESS_RECORDS = ("audit_event", "audit_event_student", "audit_seal", "audit_chain_state",
                  "login_session", "login_failure")  # fmt: skip


@pytest.fixture
def exam_db(make_database: Callable[[], Settings]) -> Iterator[tuple[Settings, LargeExam]]:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        exam = build_large_exam(session, n_students=300, n_items=6)
    engine.dispose()
    yield settings, exam


def _import(settings: Settings, path: Path) -> None:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        hub_service.import_scores(session, path=path, assessment_code=EXAM)
    engine.dispose()


def test_preview_of_a_changed_sheet_leaves_every_table_identical(
    exam_db: tuple[Settings, LargeExam], tmp_path: Path
) -> None:
    settings, exam = exam_db
    _import(settings, write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1)))
    changed = write_sheet(tmp_path / "b.csv", exam, sheet_scores(exam, 2))
    engine = make_engine(settings)
    before = dump(engine)
    with Session(engine) as session:
        plan = hub_service.preview_import(
            session, hub_service.ImportRequest("scores", changed, assessment_code=EXAM)
        )
        session.commit()  # even a commit after the preview has nothing to write
    assert plan.has_changes and plan.summary.counts["score"].updated > 100
    assert dump(engine) == before
    # The page's preview too (it audits the preview: every other table stays identical).
    with TestClient(create_app(settings)) as client:
        logged_in(client, ADMIN)
        page = client.post(
            "/imports/preview",
            data={"kind": "scores", "assessment_code": EXAM, "csrf_token": session_token(client)},
            files={"file": ("b.csv", changed.read_bytes(), "text/csv")},
        )
    assert page.status_code == 200 and "将覆盖已有成绩" in page.text
    after = dump(engine, skip=ACCESS_RECORDS)
    assert after == {name: rows for name, rows in before.items() if name in after}
    engine.dispose()


def test_an_import_rolled_back_leaves_nothing(
    exam_db: tuple[Settings, LargeExam], tmp_path: Path
) -> None:
    settings, exam = exam_db
    _import(settings, write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1)))
    engine = make_engine(settings)
    before = dump(engine)
    with Session(engine) as session:
        summary = hub_service.import_scores(
            session,
            path=write_sheet(tmp_path / "b.csv", exam, sheet_scores(exam, 2)),
            assessment_code=EXAM,
        )
        assert summary.counts["score"].updated > 100
        session.rollback()
        session.commit()  # the next unit of work on the same session commits nothing stale
    assert dump(engine) == before
    engine.dispose()


def test_a_read_only_block_refuses_writes_in_code_and_in_the_database(
    exam_db: tuple[Settings, LargeExam],
) -> None:
    settings, _ = exam_db
    engine = make_engine(settings)
    before = dump(engine)
    with Session(engine) as session:
        with read_only(session), pytest.raises(ReadOnlyViolation):
            session.execute(insert(Subject).values(code="x", name="x"))
        with read_only(session):
            raw = session.connection().connection.driver_connection
            cursor = raw.cursor()  # type: ignore[union-attr]
            with pytest.raises(Exception, match=r"(?i)read.?only|readonly"):
                cursor.execute("INSERT INTO subject (code, name) VALUES ('y', 'y')")
    assert dump(engine) == before
    engine.dispose()


KILLS, MAX_KILLS = 6, 20  # adaptive delays land kills on both sides of the commit


def test_a_killed_import_leaves_the_database_as_before_or_as_after(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        exam = build_large_exam(session, n_students=8_000, n_items=3)
    marks = {"a": sheet_scores(exam, 1), "b": sheet_scores(exam, 2)}
    sheets = {
        key: write_sheet(tmp_path / f"{key}.csv", exam, value) for key, value in marks.items()
    }
    _import(settings, sheets["a"])
    environment = {**os.environ, **settings.as_environment(), "PGAPPNAME": KILLED_APP}
    command = [sys.executable, "-m", "tests.hub.import_runner"]
    root = Path(__file__).parents[2]
    started = time.monotonic()
    done = subprocess.run([*command, str(sheets["b"]), EXAM], env=environment, cwd=root,
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    duration = time.monotonic() - started
    current, rng = "b", random.Random(0)
    outcomes: list[bool] = []
    # Kills from start-up to after the commit; on a loaded machine an import takes longer or
    # shorter than the first, so until a kill has landed on each side of the commit, the
    # delays move towards the side not yet seen.
    stretch = 1.0
    while len(outcomes) < KILLS or (set(outcomes) != {True, False} and len(outcomes) < MAX_KILLS):
        target = "a" if current == "b" else "b"
        process = subprocess.Popen([*command, str(sheets[target]), EXAM], env=environment,
                                   cwd=root, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.25, 1.4) * duration * stretch)
        process.send_signal(signal.SIGKILL)
        process.wait()
        _wait_for_server_side_end(engine)
        with Session(engine) as session:
            found = stored_marks(session, exam)
            check_consistent(session, exam)
        matches = [k for k in (current, target) if np.array_equal(found, marks[k], equal_nan=True)]
        assert matches, "the database holds a mixture of two score sheets"
        current = matches[0]
        outcomes.append(current == target)
        if len(outcomes) >= KILLS // 2 and len(set(outcomes)) == 1:
            stretch *= 0.7 if outcomes[-1] else 1.4
    engine.dispose()
    assert set(outcomes) == {True, False}  # kills landed both before and after the commit


def _wait_for_server_side_end(engine: Engine) -> None:
    """PostgreSQL ends a killed client's transaction only when its backend notices: wait."""
    if engine.dialect.name != "postgresql":
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
    deadline = time.monotonic() + 60
    with engine.connect() as connection:
        while connection.execute(query, {"name": KILLED_APP}).scalar_one():
            assert time.monotonic() < deadline, "the killed import's backend did not end"
            time.sleep(0.1)
            connection.rollback()


def test_two_previews_and_two_confirms_at_once_end_in_one_consistent_result(
    exam_db: tuple[Settings, LargeExam], tmp_path: Path
) -> None:
    settings, exam = exam_db
    marks = {key: sheet_scores(exam, seed) for key, seed in (("a", 1), ("b", 2))}
    sheets = {
        key: write_sheet(tmp_path / f"{key}.csv", exam, value) for key, value in marks.items()
    }
    statuses: dict[str, list[int]] = {"preview": [], "confirm": []}
    uploads: dict[str, str] = {}
    with served(settings) as base:
        sessions = {key: http_login(base, ADMIN) for key in sheets}

        def preview(key: str) -> None:
            client, token = sessions[key]
            page = client.post(
                "/imports/preview",
                data={"kind": "scores", "assessment_code": EXAM, "csrf_token": token},
                files={"file": (f"{key}.csv", sheets[key].read_bytes(), "text/csv")},
            )
            statuses["preview"].append(page.status_code)
            marker = 'name="token" value="'
            start = page.text.index(marker) + len(marker)
            uploads[key] = page.text[start : page.text.index('"', start)]

        def confirm(key: str) -> None:
            client, token = sessions[key]
            done = client.post(
                "/imports/confirm",
                data={"token": uploads[key], "overwrite": "true", "csrf_token": token},
            )
            statuses["confirm"].append(done.status_code)

        for action in (preview, preview, confirm):
            threads = [threading.Thread(target=action, args=(key,)) for key in sheets]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for client, _ in sessions.values():
            client.close()
    assert statuses["preview"] == [200, 200, 200, 200]
    assert sorted(statuses["confirm"]) in ([200, 200], [200, 409])
    engine = make_engine(settings)
    with Session(engine) as session:
        found = stored_marks(session, exam)
        check_consistent(session, exam)
        n_imports = len(session.scalars(select(ImportBatch)).all())
    engine.dispose()
    assert any(np.array_equal(found, value, equal_nan=True) for value in marks.values())
    assert n_imports == statuses["confirm"].count(200)


def test_sittings_and_scores_of_a_preview_are_not_left_behind_by_a_later_write(
    exam_db: tuple[Settings, LargeExam], tmp_path: Path
) -> None:
    """The reported bug: on SQLite a preview's raw writes were committed by the next ORM write."""
    settings, exam = exam_db
    _import(settings, write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1)))
    engine = make_engine(settings)
    with Session(engine) as session:
        before = session.execute(select(Sitting.total_score).order_by(Sitting.id)).all()
        n_scores = len(session.scalars(select(Score.id)).all())
        hub_service.preview_import(
            session,
            hub_service.ImportRequest(
                "scores",
                write_sheet(tmp_path / "b.csv", exam, sheet_scores(exam, 2)),
                assessment_code=EXAM,
            ),
        )
        session.add(Subject(code="later", name="后来的写入"))
        session.commit()
        after = session.execute(select(Sitting.total_score).order_by(Sitting.id)).all()
        assert after == before
        assert len(session.scalars(select(Score.id)).all()) == n_scores
    engine.dispose()
