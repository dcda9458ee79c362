"""Stored mastery runs: which run is current, writing a run, and reading students' estimates.

A run is keyed by the *evidence version*: the hub's data version (every import moves it on) and
the consents in force (who may be diagnosed). Pages read the newest ready run of a subject; when
its version is not the current one, the pages say the estimates are being refreshed and the
refresh job (``diagnosis.refresh``) computes the next run.

The version starts with ``MODEL_FORMAT``: a run stored by an earlier release (its pickled model may
lack what this one reads) is never read, only replaced by the next refresh.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from yincai.consent import service as consent_service
from yincai.diagnosis.models import MasteryEstimateRow, MasteryRun, RunStatus
from yincai.hub import service as hub_service
from yincai.lru import Lru
from yincai.science.base import FloatArray, IntArray

WRITE_CHUNK = 1000  # students per INSERT
MODEL_FORMAT = "m2"  # bump when FittedMastery or the stored arrays change shape
RUNNING_TIMEOUT = timedelta(hours=2)  # a run "under way" for longer died with its worker
# Unpickled models by run (a run never changes). The key holds when it started: a process that
# opens several databases (a test run, a benchmark) may meet the same run id in two of them.
_MODELS: Lru[tuple[int, datetime, str], object] = Lru(8)


def evidence_version(session: Session) -> str:
    """The version of the evidence a run must have seen to be current."""
    consents = consent_service.consent_version(session)
    today = datetime.now(UTC).date()  # students turn 14 and leave the consent rule
    text = f"{hub_service.data_version(session)}|{consents}|{today.year}"
    return f"{MODEL_FORMAT}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@dataclass(frozen=True)
class RunState:
    """What a page says about a subject's estimates: the run it reads, and whether a newer one
    is due or under way (with its progress)."""

    ready: MasteryRun | None
    is_current: bool
    running: MasteryRun | None

    @property
    def is_refreshing(self) -> bool:
        return not self.is_current

    @property
    def progress(self) -> float:
        return self.running.progress if self.running is not None else 0.0


def run_state(session: Session, subject_id: int) -> RunState:
    ready = latest_run(session, subject_id, RunStatus.READY)
    running = latest_run(session, subject_id, RunStatus.RUNNING)
    if running is not None and _age(running) > RUNNING_TIMEOUT:
        running = None  # its worker was killed: the page may queue a new refresh
    version = evidence_version(session)
    return RunState(ready, ready is not None and ready.data_version == version, running)


def latest_run(session: Session, subject_id: int, status: RunStatus) -> MasteryRun | None:
    """The subject's newest run in ``status`` stored in this release's model format."""
    return session.scalars(
        select(MasteryRun)
        .where(MasteryRun.subject_id == subject_id, MasteryRun.status == status)
        .where(MasteryRun.data_version.startswith(f"{MODEL_FORMAT}-"))
        .order_by(MasteryRun.id.desc())
        .limit(1)
    ).first()


def _age(run: MasteryRun) -> timedelta:
    started = run.started_at
    if started.tzinfo is None:  # SQLite returns naive datetimes, stored in UTC
        started = started.replace(tzinfo=UTC)
    return datetime.now(UTC) - started


def start_run(session: Session, subject_id: int, version: str) -> MasteryRun:
    run = MasteryRun(
        subject_id=subject_id,
        data_version=version,
        status=RunStatus.RUNNING,
        progress=0.0,
        n_students=0,
        started_at=datetime.now(UTC),
        fit_seconds=0.0,
        message="",
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run: MasteryRun,
    *,
    fitted: object,
    fit_seconds: float,
    student_ids: Sequence[int],
    logit_mean: FloatArray,
    logit_sd: FloatArray,
    n_evidence: IntArray,
) -> None:
    """Write the run's model and every student's estimates, mark it ready, drop older runs."""
    rows = [
        {
            "run_id": run.id,
            "student_id": int(student_id),
            "logit_mean": logit_mean[i].astype(np.float32).tobytes(),
            "logit_sd": logit_sd[i].astype(np.float32).tobytes(),
            "n_evidence": n_evidence[i].astype(np.int32).tobytes(),
        }
        for i, student_id in enumerate(student_ids)
    ]
    for start in range(0, len(rows), WRITE_CHUNK):
        session.execute(insert(MasteryEstimateRow), rows[start : start + WRITE_CHUNK])
    run.model = pickle.dumps(fitted, protocol=pickle.HIGHEST_PROTOCOL)
    run.fit_seconds = fit_seconds
    run.n_students = len(rows)
    run.progress = 1.0
    run.status = RunStatus.READY
    run.finished_at = datetime.now(UTC)
    session.flush()
    older = select(MasteryRun.id).where(
        MasteryRun.subject_id == run.subject_id,
        MasteryRun.id < run.id,
        MasteryRun.status != RunStatus.RUNNING,
    )
    old_ids = list(session.scalars(older))
    if old_ids:
        session.execute(delete(MasteryEstimateRow).where(MasteryEstimateRow.run_id.in_(old_ids)))
        session.execute(delete(MasteryRun).where(MasteryRun.id.in_(old_ids)))


def fitted_of(session: Session, run: MasteryRun) -> object:
    """The run's calibrated model (unpickled once per process; a run never changes).

    The bytes are the platform's own, written by the refresh job into its own database."""
    key = (run.id, run.started_at.replace(tzinfo=None), run.data_version)
    found = _MODELS.get(key)
    if found is None:
        blob = session.scalar(select(MasteryRun.model).where(MasteryRun.id == run.id))
        if blob is None:
            raise ValueError(f"mastery run {run.id} holds no model")
        found = pickle.loads(blob)
        _MODELS.put(key, found)
    return found


@dataclass(frozen=True)
class StoredEstimates:
    """Estimates of some students read from a run; ``missing`` are not in it (new students)."""

    logit_mean: FloatArray
    logit_sd: FloatArray
    n_evidence: IntArray
    missing: list[int]


def read_estimates(
    session: Session, run: MasteryRun, student_ids: Sequence[int], n_kps: int
) -> StoredEstimates:
    """Rows of ``student_ids`` (in that order); students not in the run are NaN and listed."""
    position = {int(s): i for i, s in enumerate(student_ids)}
    mean = np.full((len(student_ids), n_kps), np.nan)
    sd = np.full((len(student_ids), n_kps), np.nan)
    counts = np.zeros((len(student_ids), n_kps), dtype=np.int64)
    found: set[int] = set()
    ids = list(position)
    for start in range(0, len(ids), WRITE_CHUNK):
        for row in session.execute(
            select(
                MasteryEstimateRow.student_id,
                MasteryEstimateRow.logit_mean,
                MasteryEstimateRow.logit_sd,
                MasteryEstimateRow.n_evidence,
            ).where(
                MasteryEstimateRow.run_id == run.id,
                MasteryEstimateRow.student_id.in_(ids[start : start + WRITE_CHUNK]),
            )
        ):
            i = position[row.student_id]
            mean[i] = np.frombuffer(row.logit_mean, dtype=np.float32)
            sd[i] = np.frombuffer(row.logit_sd, dtype=np.float32)
            counts[i] = np.frombuffer(row.n_evidence, dtype=np.int32)
            found.add(row.student_id)
    return StoredEstimates(mean, sd, counts, [s for s in ids if s not in found])
