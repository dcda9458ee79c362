"""Whole views of mastery (the CLI's): one student's, or an exam's sitters', each audited once.

They read through ``diagnosis.service`` with the actor, which checks its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.diagnosis import store
from yincai.diagnosis.schemas import MasteryRead
from yincai.diagnosis.service import MasteryTable, run_state, student_mastery, students_mastery
from yincai.domain.models import Assessment, AssessmentItem, ItemKp, Sitting, Student
from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _


@dataclass(frozen=True)
class StudentMasteryView:
    """One student's mastery as the CLI shows it, with the state of the stored estimates."""

    student_id: int
    rows: list[MasteryRead]
    state: store.RunState | None  # None when computed as of a past date


@dataclass(frozen=True)
class AssessmentMastery:
    """Mastery of an exam's sitters, as of a day, on the knowledge points the exam tests."""

    assessment_code: str
    as_of: date
    n_sitters: int
    kp_ids: set[int]
    table: MasteryTable


def mastery_of_student(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_number: str,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> StudentMasteryView:
    """One student's mastery, found by number, and whether the estimates are current; audited."""
    student_id = session.scalar(select(Student.id).where(Student.student_number == student_number))
    if student_id is None:
        raise NotFound(
            _("学号 {number} 不存在").format(number=student_number), code="student.not_found"
        )
    rows = student_mastery(
        session, actor=actor, student_id=student_id, as_of=as_of, subject_code=subject_code
    )
    state = None if as_of is not None else run_state(session, subject_code=subject_code)
    governance_service.audit(
        session, actor=actor, action="mastery_view", object_type="student", object_id=student_id
    )
    return StudentMasteryView(student_id=student_id, rows=rows, state=state)


def mastery_of_assessment(
    session: Session,
    *,
    actor: governance_service.Actor,
    assessment_code: str,
    as_of: date | None = None,
    subject_code: str = "MATH",
) -> AssessmentMastery:
    """Mastery of everyone who sat an exam (as of the exam day by default); audited with the
    sitters."""
    found = session.scalar(select(Assessment).where(Assessment.code == assessment_code))
    if found is None:
        raise NotFound(
            _("考试 {code} 不存在").format(code=assessment_code), code="assessment.not_found"
        )
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, assessment_id=found.id)
    student_ids = list(
        session.scalars(
            select(Sitting.student_id)
            .where(
                Sitting.assessment_id == found.id,
                Sitting.is_absent.is_(False),
                Sitting.student_id.in_(governance_service.visible_student_ids(actor)),
            )
            .order_by(Sitting.student_id)
        )
    )
    kp_ids = set(
        session.scalars(
            select(ItemKp.knowledge_point_id)
            .join(AssessmentItem, AssessmentItem.item_id == ItemKp.item_id)
            .where(AssessmentItem.assessment_id == found.id)
        )
    )
    on = as_of or found.held_on
    table = students_mastery(
        session, actor=actor, student_ids=student_ids, as_of=on, subject_code=subject_code
    )
    governance_service.audit(
        session,
        actor=actor,
        action="mastery_view",
        object_type="assessment",
        object_id=found.id,
        student_ids=student_ids,
    )
    return AssessmentMastery(
        assessment_code=found.code,
        as_of=on,
        n_sitters=len(student_ids),
        kp_ids=kp_ids,
        table=table,
    )
