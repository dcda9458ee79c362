"""Exam-report speed: every exam of a built demo district at district, school and class scope.

Run by ``yincai bench reports --data-dir DIR`` on a district built with ``yincai demo``; the
target is all reports of the full demo district in 10 seconds or less.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import BENCHMARK
from yincai.analysis import service as analysis_service
from yincai.analysis.exam import ReportScope
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, AssessmentClass, SchoolClass, Sitting, Student


def _scopes(session: Session, assessment_code: str) -> list[ReportScope]:
    """The district, each school and each class that sat the assessment."""
    assessment_id = session.scalar(select(Assessment.id).where(Assessment.code == assessment_code))
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.school_id)
        .where(
            SchoolClass.id.in_(
                select(AssessmentClass.school_class_id).where(
                    AssessmentClass.assessment_id == assessment_id
                )
            )
            | SchoolClass.id.in_(
                select(Student.school_class_id)
                .join(Sitting, Sitting.student_id == Student.id)
                .where(Sitting.assessment_id == assessment_id)
            )
        )
        .order_by(SchoolClass.school_id, SchoolClass.id)
    ).all()
    schools = sorted({school_id for _, school_id in classes})
    return [
        ReportScope(),
        *(ReportScope(kind="school", school_id=school_id) for school_id in schools),
        *(
            ReportScope(kind="class", school_id=school_id, school_class_id=class_id)
            for class_id, school_id in classes
        ),
    ]


def run(data_dir: Path) -> list[dict[str, Any]]:
    """Time the reports of every exam at every scope; one row for the whole run."""
    engine = make_engine(Settings(data_dir=data_dir))
    try:
        with Session(engine) as session:
            codes = analysis_service.list_exam_codes(session)
            scopes = {code: _scopes(session, code) for code in codes}
            started = time.perf_counter()
            n_reports = 0
            for code in codes:
                reports = analysis_service.exam_reports(
                    session,
                    actor=BENCHMARK,
                    assessment_code=code,
                    surface="cli",
                    scopes=scopes[code],
                )
                n_reports += len(reports)
            seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    return [
        {
            "suite": "reports",
            "case": "all-exams-district",
            "metrics": {"seconds": seconds, "n_reports": n_reports, "n_exams": len(codes)},
        }
    ]
