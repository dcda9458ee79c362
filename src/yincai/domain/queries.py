"""Shared reads of scores: an assessment's full score and a student's total of a sitting.

Every capability asks these (through ``hub.service``) instead of summing on its own, so the
home page, the reports and the cockpit agree; the total's rule is ``rules.sitting_totals``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    AssessmentItem,
    KnowledgePoint,
    Score,
    Sitting,
    Subject,
    TeachingAssignment,
)
from yincai.rules import sitting_totals as total_rule


def full_score_query() -> Select[int, float]:
    """(assessment_id, full score) of every assessment with items: the sum of its items' full
    scores. A statement to filter or join as a subquery."""
    return select(
        AssessmentItem.assessment_id, func.sum(AssessmentItem.full_score).label("full_score")
    ).group_by(AssessmentItem.assessment_id)


def full_scores(session: Session, assessment_ids: Collection[int]) -> dict[int, float]:
    """Full score by assessment id; an assessment without items is left out."""
    if not assessment_ids:
        return {}
    query = full_score_query().where(AssessmentItem.assessment_id.in_(list(assessment_ids)))
    return {assessment_id: float(full) for assessment_id, full in session.execute(query)}


def full_score(session: Session, assessment_id: int) -> float:
    """One assessment's full score (0 without items)."""
    return full_scores(session, [assessment_id]).get(assessment_id, 0.0)


@dataclass(frozen=True)
class SittingTotal:
    """A student's total of one sitting; None when absent or nothing was recorded."""

    assessment_id: int
    student_id: int
    is_absent: bool
    total: float | None


def sitting_totals(
    session: Session,
    *,
    assessment_ids: Collection[int],
    student_ids: Collection[int] | None = None,
) -> list[SittingTotal]:
    """The sittings of the assessments (of ``student_ids`` only, if given) with each total."""
    if not assessment_ids:
        return []
    query = select(
        Sitting.assessment_id, Sitting.student_id, Sitting.is_absent, Sitting.total_score
    ).where(Sitting.assessment_id.in_(list(assessment_ids)))
    if student_ids is not None:
        query = query.where(Sitting.student_id.in_(list(student_ids)))
    rows = session.execute(query).all()
    missing = [(row[0], row[1]) for row in rows if not row[2] and row[3] is None]
    summed = _item_sums(session, missing)
    totals = total_rule(
        [row[2] for row in rows],
        [np.nan if row[3] is None else row[3] for row in rows],
        [summed.get((row[0], row[1]), np.nan) for row in rows],
    )
    return [
        SittingTotal(
            assessment_id=row[0],
            student_id=row[1],
            is_absent=bool(row[2]),
            total=None if np.isnan(total) else float(total),
        )
        for row, total in zip(rows, totals.tolist(), strict=True)
    ]


def _item_sums(session: Session, keys: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """Sum of the item scores of the (assessment, student) sittings that recorded no total
    (rare: the importer stores the total), so only those are read."""
    if not keys:
        return {}
    wanted = set(keys)
    query = (
        select(AssessmentItem.assessment_id, Score.student_id, func.sum(Score.score))
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(
            AssessmentItem.assessment_id.in_({key[0] for key in wanted}),
            Score.student_id.in_({key[1] for key in wanted}),
        )
        .group_by(AssessmentItem.assessment_id, Score.student_id)
    )
    return {
        (assessment_id, student_id): float(total)
        for assessment_id, student_id, total in session.execute(query)
        if (assessment_id, student_id) in wanted
    }


@dataclass(frozen=True)
class SubjectChoice:
    code: str
    name: str


def class_subjects(session: Session, *, school_class_id: int) -> list[SubjectChoice]:
    """The subjects taught to a class that have knowledge points, in subject order."""
    rows = session.execute(
        select(Subject.code, Subject.name)
        .where(
            Subject.id.in_(
                select(TeachingAssignment.subject_id).where(
                    TeachingAssignment.school_class_id == school_class_id
                )
            ),
            Subject.id.in_(select(KnowledgePoint.subject_id)),
        )
        .order_by(Subject.id)
    ).all()
    return [SubjectChoice(code, name) for code, name in rows]
