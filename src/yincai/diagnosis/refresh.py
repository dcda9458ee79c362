"""The refresh job: calibrate a subject's mastery model on all evidence and store every student's
estimates as a new run. Run by the job worker after an import, or by ``yincai diagnose fit``.

Each step commits on its own, so pages see the run's progress while it is under way; the run's
estimates become visible all at once when it is marked ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from yincai.db import session_scope
from yincai.diagnosis import service, store
from yincai.diagnosis.models import MasteryRun, RunStatus
from yincai.domain.models import Student

CHUNK_STUDENTS = 500  # students whose posteriors are computed at once (memory: pairs × grid)
FIT_SHARE = 0.6  # of the progress bar: the calibration; the rest is the students' estimates

Progress = Callable[[float], None]


def refresh_mastery(
    engine: Engine, *, subject_code: str = "MATH", on_progress: Progress | None = None
) -> int:
    """Compute and store the subject's estimates unless the newest ready run is current; the id
    of the current run."""
    with session_scope(engine) as session:
        subject_id = service.subject_id_of(session, subject_code)
        version = store.evidence_version(session)
        ready = store.latest_run(session, subject_id, RunStatus.READY)
        if ready is not None and ready.data_version == version:
            return ready.id
        run_id = store.start_run(session, subject_id, version).id

    def report(share: float) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(MasteryRun).where(MasteryRun.id == run_id).values(progress=share)
            )
        if on_progress is not None:
            on_progress(share)

    try:
        _compute(engine, run_id, subject_code, report)
    except Exception as problem:
        with session_scope(engine) as session:  # the reason without data: a class name only
            session.execute(
                update(MasteryRun)
                .where(MasteryRun.id == run_id)
                .values(
                    status=RunStatus.FAILED,
                    finished_at=datetime.now(UTC),
                    message=type(problem).__name__,
                )
            )
        raise
    return run_id


def _compute(engine: Engine, run_id: int, subject_code: str, report: Progress) -> None:
    report(0.0)
    start = time.perf_counter()
    with Session(engine) as session:
        fitted, read = service.fit_with_responses(session, subject_code=subject_code)
        fit_seconds = time.perf_counter() - start
        report(FIT_SHARE)
        student_ids = list(session.scalars(select(Student.id).order_by(Student.id)))
        responses = (
            read
            if read is not None
            else service.all_responses(session, fitted, subject_code=subject_code)
        )
    n_kps = fitted.n_kps
    mean = np.zeros((len(student_ids), n_kps))
    sd = np.zeros((len(student_ids), n_kps))
    counts = np.zeros((len(student_ids), n_kps), dtype=np.int64)
    ids = np.asarray(student_ids, dtype=np.int64)
    for low in range(0, len(student_ids), CHUNK_STUDENTS):
        chunk = ids[low : low + CHUNK_STUDENTS]
        keep = np.isin(responses.student_id, chunk)
        estimate = service.estimate_students(
            fitted, service.subset(responses, keep), [int(s) for s in chunk]
        )
        rows = slice(low, low + chunk.size)
        mean[rows], sd[rows], counts[rows] = (
            estimate.logit_mean,
            estimate.logit_sd,
            estimate.n_responses,
        )
        report(FIT_SHARE + (1 - FIT_SHARE) * min(1.0, (low + chunk.size) / len(student_ids)))
    with session_scope(engine) as session:
        run = session.get(MasteryRun, run_id)
        assert run is not None
        store.finish_run(
            session,
            run,
            fitted=fitted,
            fit_seconds=fit_seconds,
            student_ids=student_ids,
            logit_mean=mean,
            logit_sd=sd,
            n_evidence=counts,
        )
