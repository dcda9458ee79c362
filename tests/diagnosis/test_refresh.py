"""Mastery computed ahead of time: a refresh runs once per evidence version, an import makes the
estimates stale, and the job worker (a real ``yincai worker`` process) brings them up to date
while the old estimates stay readable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.demo_copies import writable_demo_copy
from tests.hub.builders import write_csv
from tests.web.clients import logged_in
from tests.web.test_browser import DEMO_PASSWORD, _usernames
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis import store
from yincai.diagnosis.models import MasteryRun, RunStatus
from yincai.diagnosis.refresh import refresh_mastery
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    KnowledgePoint,
    Score,
    Sitting,
    Student,
    Subject,
)
from yincai.errors import NotReady
from yincai.hub import service as hub_service
from yincai.jobs import Jobs

WORKER_TIMEOUT_S = 180


def test_a_current_run_is_not_computed_again(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(MasteryRun))
        ready = diagnosis_service.ready_run(session, "MATH")
    again = refresh_mastery(engine, subject_code="MATH")
    with Session(engine) as session:
        after = session.scalar(select(func.count()).select_from(MasteryRun))
        state = diagnosis_service.run_state(session, subject_code="MATH")
    engine.dispose()
    assert again == ready.id and after == before
    assert state.is_current and not state.is_refreshing


@dataclass(frozen=True)
class Target:
    """The strongest student of the latest maths exam, whose marks the tests set to zero."""

    number: str
    student_id: int
    exam_code: str
    exam_id: int
    labels: list[str]


def _strongest_of_latest_exam(engine: Engine) -> Target:
    with Session(engine) as session:
        exam = session.scalars(  # a maths exam: the estimates the tests read are maths'
            select(Assessment)
            .join(Subject, Subject.id == Assessment.subject_id)
            .where(Subject.code == "MATH")
            .order_by(Assessment.held_on.desc())
        ).first()
        assert exam is not None
        best = session.execute(
            select(Student.student_number, Student.id)
            .join(Score, Score.student_id == Student.id)
            .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
            .where(AssessmentItem.assessment_id == exam.id)
            .group_by(Student.student_number, Student.id)
            .order_by(func.sum(Score.score).desc())
        ).first()
        assert best is not None
        return Target(best[0], best[1], exam.code, exam.id, [i.label for i in exam.items])


def _import_zeros(engine: Engine, target: Target, folder: Path) -> None:
    """The target's marks on the latest exam, all zero, imported as a teacher would."""
    sheet = write_csv(
        folder / "zeros.csv",
        ["学号", *target.labels],
        [[target.number] + ["0"] * len(target.labels)],
    )
    with session_scope(engine) as session:
        hub_service.run_import(
            session, hub_service.ImportRequest("scores", sheet, assessment_code=target.exam_code)
        )


def test_the_report_page_says_estimates_are_refreshing_and_queues_the_job_once(
    demo_settings: Settings, tmp_path: Path
) -> None:
    settings = writable_demo_copy(demo_settings, tmp_path / "district")
    engine = make_engine(settings)
    target = _strongest_of_latest_exam(engine)
    path = f"/students/{target.student_id}/assessments/{target.exam_id}"
    with TestClient(create_app(settings)) as client:
        logged_in(client, _usernames(settings)[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        current = client.get(path)
        _import_zeros(engine, target, tmp_path)
        stale = client.get(path)
        again = client.get(path)
        pending = client.app.state.jobs.pending()  # type: ignore[attr-defined]
    engine.dispose()
    assert current.status_code == stale.status_code == 200
    assert "掌握度正在根据新数据更新" not in current.text
    assert "掌握度正在根据新数据更新" in stale.text and "掌握度正在根据新数据更新" in again.text
    assert pending == 1  # two views of a stale page queue one refresh


def test_an_import_makes_estimates_stale_and_the_worker_refreshes_them(
    demo_settings: Settings, tmp_path: Path
) -> None:
    settings = writable_demo_copy(demo_settings, tmp_path / "district")
    engine = make_engine(settings)
    target = _strongest_of_latest_exam(engine)
    student_id = target.student_id
    with Session(engine) as session:
        old_run = diagnosis_service.ready_run(session, "MATH").id
        old_mean = diagnosis_service.students_mastery(session, actor=CLI, student_ids=[student_id])
    _import_zeros(engine, target, tmp_path)
    jobs = Jobs(settings)
    with Session(engine) as session:
        jobs.after_import(session)
        state = diagnosis_service.run_state(session, subject_code="MATH")
        stale = diagnosis_service.students_mastery(session, actor=CLI, student_ids=[student_id])
        total = session.scalar(select(Sitting.total_score).where(Sitting.student_id == student_id))
        n_subjects = len(set(session.scalars(select(KnowledgePoint.subject_id))))
    # every subject's estimates are stale after an import: one refresh queued for each
    assert jobs.pending() == n_subjects and state.is_refreshing and state.ready is not None
    assert state.ready.id == old_run  # the old estimates stay readable meanwhile
    assert (stale.mastery == old_mean.mastery).all() and total is not None

    worker = subprocess.Popen(
        [sys.executable, "-m", "yincai", "--data-dir", str(settings.data_dir), "worker"],
        env={**os.environ, "YINCAI_DATA_DIR": str(settings.data_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while True:
            with Session(engine) as session:
                state = diagnosis_service.run_state(session, subject_code="MATH")
            if state.is_current:
                break
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker did not refresh the estimates"
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.communicate(timeout=20)  # also closes the pipe
    with Session(engine) as session:
        fresh = diagnosis_service.students_mastery(session, actor=CLI, student_ids=[student_id])
        maths = diagnosis_service.subject_id_of(session, "MATH")
        runs = session.scalars(
            select(MasteryRun).where(MasteryRun.subject_id == maths).order_by(MasteryRun.id)
        ).all()
        version = store.evidence_version(session)
    engine.dispose()
    assert [r.status for r in runs] == [RunStatus.READY] and runs[0].data_version == version
    assert runs[0].id != old_run  # the old run is gone once the new one is ready
    assert fresh.mastery.mean() < old_mean.mastery.mean()  # all zeros on the latest exam


def test_a_run_left_running_by_a_killed_worker_or_stored_by_an_older_release_is_not_trusted(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        subject = Subject(code="MATH", name="数学")
        session.add(subject)
        session.flush()
        current = store.evidence_version(session)
        dead = store.start_run(session, subject.id, current)
        dead.started_at = datetime.now(UTC) - store.RUNNING_TIMEOUT - timedelta(minutes=1)
        old = store.start_run(session, subject.id, "m0-" + current.split("-", 1)[1])
        old.status = RunStatus.READY
        subject_id = subject.id
    requested: list[tuple[str, str]] = []
    with Session(engine) as session:
        state = diagnosis_service.refresh_if_stale(
            session, subject_code="MATH", request_refresh=lambda *a: requested.append(a)
        )
        with pytest.raises(NotReady):
            diagnosis_service.ready_run(session, "MATH")
        young = store.start_run(session, subject_id, current)
        session.flush()
        under_way = diagnosis_service.run_state(session, subject_code="MATH")
        session.rollback()
    engine.dispose()
    assert state.running is None and state.ready is None  # neither is read
    assert requested == [("MATH", current)]  # so the page queues a fresh refresh
    assert under_way.running is not None and under_way.running.id == young.id
