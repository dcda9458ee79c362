"""An assessment's answer sheet: its items as the sheet layout needs them (``yincai.omr``), the
student-number columns as wide as the longest number of the classes that sit it. Staff in the
assessment's scope may print it; the blank sheet names no student."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from yincai.accounts.roles import STAFF_ROLES
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    Item,
    ItemType,
    Student,
)
from yincai.errors import Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.omr.layout import ItemKind, ItemSpec, SheetLayout, build_layout

SHEET_KINDS: dict[ItemType, ItemKind] = {
    ItemType.SINGLE_CHOICE: "single",
    ItemType.MULTIPLE_CHOICE: "multiple",
    ItemType.TRUE_FALSE: "truefalse",
    ItemType.FILL_IN: "fill",
    ItemType.SHORT_ANSWER: "short",
    ItemType.ESSAY: "essay",
}
MIN_OPTIONS, MAX_OPTIONS = 2, 8


def item_specs(session: Session, assessment_id: int) -> list[ItemSpec]:
    """The assessment's items in paper order; an item without a bank entry is written (short)."""
    rows = session.execute(
        select(AssessmentItem.label, AssessmentItem.full_score, Item.item_type, Item.options)
        .outerjoin(Item, Item.id == AssessmentItem.item_id)
        .where(AssessmentItem.assessment_id == assessment_id)
        .order_by(AssessmentItem.position)
    ).all()
    specs = []
    for label, full_score, item_type, options in rows:
        kind: ItemKind = SHEET_KINDS[item_type] if item_type is not None else "short"
        n_options = len(options or []) if kind in ("single", "multiple") else 4
        specs.append(
            ItemSpec(
                label=label,
                kind=kind,
                full_score=full_score,
                n_options=min(MAX_OPTIONS, max(MIN_OPTIONS, n_options)),
            )
        )
    return specs


def sheet_layout(
    session: Session,
    *,
    actor: governance_service.Actor,
    assessment_code: str,
    paper: Literal["A4", "A3"] = "A4",
) -> SheetLayout:
    """The answer sheet of an assessment (staff in its scope)."""
    assessment = _assessment(session, actor, assessment_code)
    specs = item_specs(session, assessment.id)
    if not specs:
        raise Invalid(_("这次考试还没有小题，无法生成答题卡"), code="sheet.no_items")
    numbers = session.scalars(select(Student.student_number).where(_sits(assessment.id)))
    width = max([8, *(len(number) for number in numbers)])  # the roster's longest number
    return build_layout(
        specs,
        exam_id=assessment.code,
        title=assessment.name,
        paper=paper,
        student_number_width=width,
    )


def _assessment(session: Session, actor: governance_service.Actor, code: str) -> Assessment:
    governance_service.require_role(actor, *STAFF_ROLES)
    assessment = session.scalars(select(Assessment).where(Assessment.code == code)).first()
    if assessment is None:
        raise NotFound(_("没有这次考试：{code}").format(code=code), code="sheet.no_assessment")
    governance_service.require_scope(session, actor=actor, assessment_id=assessment.id)
    return assessment


def _sits(assessment_id: int) -> ColumnElement[bool]:
    """The student is in a class that sits the assessment and has not left."""
    return and_(
        Student.school_class_id.in_(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == assessment_id
            )
        ),
        Student.left_on.is_(None),
    )
