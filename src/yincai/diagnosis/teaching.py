"""Where each class stands in its teaching sequence: the points taught to it by a date.

*Taught to a class* by a date: some student of the class has a response (exam item score or
learning event) on an item tagged with the point, or on the point itself, up to that date; the
earliest such date is when it was taught. This reads the class's actual sequence from its data,
so it holds for any school's schedule. Points of lower grades count as met before. A point that is
neither has not been taught to the student yet: it gets no mastery words and is never recommended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    KnowledgePoint,
    LearningEvent,
    Student,
)


def taught_points(
    session: Session,
    *,
    item_kps: Mapping[int, Sequence[int]],
    kp_ids: Sequence[int],
    class_ids: Sequence[int],
    as_of: date | None,
) -> dict[int, dict[int, date]]:
    """For each class, the indices (into ``kp_ids``) of the points taught to it by ``as_of``, and
    the day each first was; ``item_kps`` maps a bank item id to the indices of its points."""
    kp_index = {kp: k for k, kp in enumerate(kp_ids)}
    ids = list(class_ids)
    exam = (
        select(
            AssessmentClass.school_class_id, AssessmentItem.item_id, func.min(Assessment.held_on)
        )
        .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
        .join(AssessmentItem, AssessmentItem.assessment_id == Assessment.id)
        .where(AssessmentClass.school_class_id.in_(ids), AssessmentItem.item_id.is_not(None))
        .group_by(AssessmentClass.school_class_id, AssessmentItem.item_id)
    )
    events = (
        select(
            Student.school_class_id,
            LearningEvent.item_id,
            LearningEvent.knowledge_point_id,
            func.min(LearningEvent.occurred_at),
        )
        .join(Student, Student.id == LearningEvent.student_id)
        .where(Student.school_class_id.in_(ids))
        .group_by(Student.school_class_id, LearningEvent.item_id, LearningEvent.knowledge_point_id)
    )
    if as_of is not None:
        exam = exam.where(Assessment.held_on <= as_of)
        events = events.where(LearningEvent.occurred_at < end_of(as_of))
    taught: dict[int, dict[int, date]] = {c: {} for c in ids}

    def mark(class_id: int, kps: Sequence[int], day: date) -> None:
        for k in kps:
            known = taught[class_id].get(k)
            if known is None or day < known:
                taught[class_id][k] = day

    for class_id, item_id, held_on in session.execute(exam):
        if item_id is not None:
            mark(class_id, item_kps.get(item_id, ()), _as_date(held_on))
    for class_id, item_id, kp_id, first in session.execute(events):
        kps = item_kps.get(item_id, ()) if item_id is not None else ()
        if not kps and kp_id in kp_index:
            kps = (kp_index[kp_id],)
        mark(class_id, kps, day_of(first))
    return taught


def met_points(
    session: Session,
    *,
    item_kps: Mapping[int, Sequence[int]],
    kp_ids: Sequence[int],
    school_class_id: int,
    grade_level: int,
    as_of: date | None,
) -> set[int]:
    """Indices of the points a student of the class has met: taught to the class, or of a lower
    grade."""
    taught = taught_points(
        session, item_kps=item_kps, kp_ids=kp_ids, class_ids=[school_class_id], as_of=as_of
    )[school_class_id]
    grades: dict[int, int | None] = {}
    for kp, grade in session.execute(
        select(KnowledgePoint.id, KnowledgePoint.grade_level).where(
            KnowledgePoint.id.in_(list(kp_ids))
        )
    ):
        grades[kp] = grade
    lower = {
        k
        for k, kp in enumerate(kp_ids)
        if (grade := grades.get(kp)) is not None and grade < grade_level
    }
    return set(taught) | lower


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC), the bound of events up to that day."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), UTC)


def day_of(moment: datetime | str) -> date:
    """The UTC day of a stored time (SQLite returns naive UTC, or text from an aggregate)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
