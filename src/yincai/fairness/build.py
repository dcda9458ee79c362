"""The fairness job: compute a queued report from the district's observed outcomes and store it.
Run by the job worker (``jobs.Jobs``), or in the foreground by whoever holds an engine (tests).

Like the documents' build, it first claims its report (queued → running in one UPDATE), stores
its progress after each step in a short transaction of its own, and stores a failure in words (a
service's own message, or an error id whose traceback went to the error log, never data).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from yincai.db import claim_queued, mark_failed, session_scope
from yincai.error_log import report_unexpected_error
from yincai.errors import YincaiError
from yincai.fairness import outcomes, report
from yincai.fairness.models import FairnessReport, ReportState
from yincai.science.fairness import TARGET_GAP

Progress = Callable[[float], None]


def build_report(engine: Engine, report_id: int, *, min_group: int, error_log: Path) -> bool:
    """Compute a queued report; whether this call computed it (False: it was not queued)."""
    if not _claim(engine, report_id):
        return False

    def store_progress(share: float) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(FairnessReport)
                .where(FairnessReport.id == report_id)
                .values(progress=share, updated_at=datetime.now(UTC))
            )

    try:
        with Session(engine) as session:
            found = session.get_one(FairnessReport, report_id)
            content = compute(session, found.district_id, min_group, store_progress)
            session.rollback()  # the job reads only
        _finish(engine, report_id, content)
    except YincaiError as problem:
        _fail(engine, report_id, problem.message)
    except Exception as error:
        where = f"fairness report {report_id}"
        _fail(
            engine,
            report_id,
            report_unexpected_error(error, log_path=error_log, where=where).message,
        )
    return True


def compute(
    session: Session, district_id: int, min_group: int, on_progress: Progress | None = None
) -> dict[str, Any]:
    """The report of a district: every section's rows and what each was computed on."""
    students = outcomes.student_groups(session, district_id)
    subjects = outcomes.subjects_with_exams(session, district_id)
    n_steps = len(subjects) + 1
    rows: list[dict[str, Any]] = []
    held_out: list[dict[str, Any]] = []
    pooled: list[outcomes.Outcomes] = []
    for step, subject_code in enumerate(subjects):
        found = outcomes.mastery_outcomes(session, district_id, subject_code, students)
        if found is not None:
            pooled.append(found[0])
            held_out.append(
                {
                    "subject": found[1].subject_code,
                    "held_on": found[1].held_on.isoformat(),
                    "n_responses": found[1].n_responses,
                }
            )
        if on_progress is not None:
            on_progress((step + 1) / n_steps)
    if pooled:
        rows += report.section_rows(
            "mastery", _concatenate(pooled), students.dimensions, min_group=min_group
        )
    warned = outcomes.warning_outcomes(session, district_id, students)
    if warned is not None:
        for section, found_outcomes in (
            ("decline", warned.decline),
            ("decline_score", warned.decline_score),
            ("absence", warned.absence),
        ):
            rows += report.section_rows(
                section, found_outcomes, students.dimensions, min_group=min_group
            )
    if on_progress is not None:
        on_progress(1.0)
    return {
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "min_group": min_group,
        "target_gap": TARGET_GAP,
        "dimensions": list(students.dimensions),
        "mastery_exams": held_out,
        "warning_round": (
            {
                "held_on": warned.held_out.held_on.isoformat(),
                "name": warned.held_out.name,
                "previous_name": warned.held_out.previous_name,
            }
            if warned is not None
            else None
        ),
        "rows": rows,
    }


def _concatenate(parts: list[outcomes.Outcomes]) -> outcomes.Outcomes:
    return outcomes.Outcomes(
        student_id=np.concatenate([p.student_id for p in parts]),
        truth=np.concatenate([p.truth for p in parts]),
        predicted=np.concatenate([p.predicted for p in parts]),
        groups={dim: np.concatenate([p.groups[dim] for p in parts]) for dim in parts[0].groups},
    )


def _claim(engine: Engine, report_id: int) -> bool:
    now = datetime.now(UTC)
    running = ("state", ReportState.QUEUED, ReportState.RUNNING)
    return claim_queued(
        engine,
        FairnessReport,
        report_id,
        state=running,
        started_at=now,
        updated_at=now,
        progress=0.0,
    )


def _finish(engine: Engine, report_id: int, content: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        found = session.get_one(FairnessReport, report_id)
        found.result = json.dumps(content, ensure_ascii=False)
        found.progress = 1.0
        found.state = ReportState.DONE
        found.finished_at = found.updated_at = now
        # one finished report per district is enough: the older ones are replaced
        session.execute(
            delete(FairnessReport).where(
                FairnessReport.district_id == found.district_id,
                FairnessReport.id != report_id,
                FairnessReport.state.in_([ReportState.DONE, ReportState.FAILED]),
            )
        )


def _fail(engine: Engine, report_id: int, message: str) -> None:
    now = datetime.now(UTC)
    failed = ("state", ReportState.FAILED)
    mark_failed(
        engine,
        FairnessReport,
        report_id,
        state=failed,
        message=message,
        finished_at=now,
        updated_at=now,
    )
