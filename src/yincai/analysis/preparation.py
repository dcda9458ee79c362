"""What every report of one exam starts from: its scores as arrays, the cohort's previous exam
and the district's reference rates, read once per exam (and kept in ``ExamCache`` by the web)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.analysis.cache import ExamCache, PreparedExam
from yincai.analysis.data import ExamData, load_exam_data
from yincai.analysis.exam import ReportScope, reference_rates
from yincai.analysis.progress import PreviousExam
from yincai.domain.models import Assessment
from yincai.errors import NotFound
from yincai.hub import service as hub_service
from yincai.i18n import _


def prepared(session: Session, assessment: Assessment, cache: ExamCache | None) -> PreparedExam:
    return (
        prepare_exam(session, assessment)
        if cache is None
        else cache.get(session, assessment, prepare_exam)
    )


def prepare_exam(session: Session, assessment: Assessment) -> PreparedExam:
    """The scores of an exam, its cohort's previous exam and the district reference rates."""
    data = load_exam_data(session, assessment)
    previous = previous_assessment(session, assessment)
    item_rates, kp_rates = reference_rates(data)
    return PreparedExam(
        data=data,
        previous=None if previous is None else _previous_totals(session, previous),
        item_rates=item_rates,
        kp_rates=kp_rates,
    )


def previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The latest earlier assessment of the same district, subject, grade and kind."""
    return session.scalars(
        select(Assessment)
        .where(
            Assessment.district_id == assessment.district_id,
            Assessment.subject_id == assessment.subject_id,
            Assessment.grade_level == assessment.grade_level,
            Assessment.kind == assessment.kind,
            Assessment.held_on < assessment.held_on,
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
        .limit(1)
    ).first()


def check_scope(data: ExamData, scope: ReportScope) -> None:
    if scope.kind == "school" and scope.school_id not in data.school_names:
        raise NotFound(
            _("该学校未参加考试 {code}").format(code=data.code),
            code="assessment.school_did_not_sit",
        )
    if scope.kind == "class" and scope.school_class_id not in data.class_names:
        raise NotFound(
            _("该班级未参加考试 {code}").format(code=data.code), code="assessment.class_did_not_sit"
        )


def _previous_totals(session: Session, assessment: Assessment) -> PreviousExam:
    """Totals of the previous exam by student (NaN for absentees), by the hub's one rule."""
    sittings = hub_service.sitting_totals(session, assessment_ids=[assessment.id])
    return PreviousExam(
        code=assessment.code,
        name=assessment.name,
        full_score=hub_service.full_score(session, assessment.id),
        student_ids=np.array([row.student_id for row in sittings], dtype=np.int64),
        totals=np.array(
            [np.nan if row.total is None else row.total for row in sittings], dtype=np.float64
        ),
    )
