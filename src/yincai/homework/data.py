"""Read homework from the database into :class:`~yincai.homework.summary.HomeworkData`.

An assignment is an assessment of kind homework: its items (``assessment_item``), the classes
it was set to (``assessment_class``), the day it was set (``held_on``) and its due time
(``due_at``; without one, ``HOMEWORK_DEFAULT_DUE_DAYS`` after it was set). The attempts at it are
the learning events linked to it (``learning_event.assessment_id``); an attempt's score is its
score share, else 1/0 from whether it was right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    ItemKp,
    KnowledgePoint,
    LearningEvent,
    Student,
    Subject,
)
from yincai.homework.summary import HomeworkData
from yincai.rules import HOMEWORK_DEFAULT_DUE_DAYS

SCHOOL_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")  # due times are shown in it
ATTEMPT_CHUNK = 5000  # ids per IN list


@dataclass(frozen=True)
class Assignment:
    """One piece of homework as the pages name it."""

    id: int
    code: str
    name: str
    set_on: date
    due_at: datetime  # UTC
    n_items: int


@dataclass(frozen=True)
class LoadedHomework:
    """The arrays, and what their indices stand for."""

    data: HomeworkData
    student_ids: list[int]
    student_class_ids: list[int]
    assignments: list[Assignment]
    kp_ids: list[int]
    kp_codes: list[str]
    kp_names: list[str]
    first_monday: date | None


def _utc(moment: datetime) -> datetime:
    """SQLite returns naive UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def due_of(set_on: date, due_at: datetime | None) -> datetime:
    """The due time of an assignment (UTC): its own, else a week after it was set."""
    if due_at is not None:
        return _utc(due_at)
    day = set_on + timedelta(days=HOMEWORK_DEFAULT_DUE_DAYS)
    return datetime.combine(day, time(0, 0), SCHOOL_TIME).astimezone(UTC)


def homework_subjects(session: Session, class_ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, code, name) of the subjects with homework set to any of these classes."""
    if not class_ids:
        return []
    rows = session.execute(
        select(Subject.id, Subject.code, Subject.name)
        .where(
            Subject.id.in_(
                select(Assessment.subject_id)
                .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
                .where(
                    Assessment.kind == AssessmentKind.HOMEWORK,
                    AssessmentClass.school_class_id.in_(class_ids),
                )
            )
        )
        .order_by(Subject.id)
    ).all()
    return [(int(i), str(c), str(n)) for i, c, n in rows]


def load_homework(
    session: Session,
    *,
    subject_id: int,
    class_ids: list[int],
    as_of: datetime,
    student_ids: list[int] | None = None,
) -> LoadedHomework:
    """The homework of one subject set to these classes and due by ``as_of``, for their students
    (or only ``student_ids``); attempts after ``as_of`` are not counted."""
    as_of = _utc(as_of)
    students_query = (
        select(Student.id, Student.school_class_id)
        .where(Student.school_class_id.in_(class_ids))
        .order_by(Student.school_class_id, Student.student_number, Student.id)
    )
    if student_ids is not None:
        students_query = students_query.where(Student.id.in_(student_ids))
    students = session.execute(students_query).all()
    rows = session.execute(
        select(
            Assessment.id,
            Assessment.code,
            Assessment.name,
            Assessment.held_on,
            Assessment.due_at,
            AssessmentClass.school_class_id,
        )
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .where(
            Assessment.kind == AssessmentKind.HOMEWORK,
            Assessment.subject_id == subject_id,
            AssessmentClass.school_class_id.in_(class_ids),
        )
        .order_by(Assessment.held_on, Assessment.id)
    ).all()
    classes_of: dict[int, set[int]] = {}
    found: dict[int, tuple[str, str, date, datetime]] = {}
    for assessment_id, code, name, held_on, due_at, class_id in rows:
        due = due_of(held_on, due_at)
        if due > as_of:
            continue
        found[assessment_id] = (code, name, held_on, due)
        classes_of.setdefault(assessment_id, set()).add(class_id)
    assessment_ids = list(found)
    counts: dict[int, int] = {}
    for chunk in _chunks(assessment_ids):
        counts.update(
            session.execute(
                select(AssessmentItem.assessment_id, func.count())
                .where(AssessmentItem.assessment_id.in_(chunk))
                .group_by(AssessmentItem.assessment_id)
            ).all()
        )
    assignments = [
        Assignment(a, code, name, held_on, due, counts.get(a, 0))
        for a, (code, name, held_on, due) in found.items()
    ]
    index_of_assignment = {a.id: k for k, a in enumerate(assignments)}
    index_of_student = {int(s): k for k, (s, _c) in enumerate(students)}
    class_of_student = [int(c) for _s, c in students]
    is_assigned = np.zeros((len(students), len(assignments)), dtype=bool)
    for k, assignment in enumerate(assignments):
        in_classes = classes_of[assignment.id]
        is_assigned[:, k] = [c in in_classes for c in class_of_student]

    attempts: list[tuple[int, int, int | None, datetime, float | None, bool | None]] = []
    for chunk in _chunks(assessment_ids):
        query = select(
            LearningEvent.student_id,
            LearningEvent.assessment_id,
            LearningEvent.item_id,
            LearningEvent.occurred_at,
            LearningEvent.score,
            LearningEvent.is_correct,
        ).where(LearningEvent.assessment_id.in_(chunk))
        if student_ids is not None:
            query = query.where(LearningEvent.student_id.in_(student_ids))
        attempts.extend(session.execute(query).all())  # type: ignore[arg-type]
    kept = [row for row in attempts if row[0] in index_of_student and _utc(row[3]) <= as_of]
    item_ids = sorted({int(row[2]) for row in kept if row[2] is not None})
    item_index = {item: k for k, item in enumerate(item_ids)}
    weights = (
        session.execute(
            select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight).where(
                ItemKp.item_id.in_(item_ids)
            )
        ).all()
        if item_ids
        else []
    )
    kp_ids = sorted({int(kp) for _i, kp, _w in weights})
    kp_index = {kp: k for k, kp in enumerate(kp_ids)}
    # one extra row for attempts without a bank item: they count, but on no knowledge point
    item_kp = np.zeros((len(item_ids) + 1, len(kp_ids)))
    for item, kp, weight in weights:
        item_kp[item_index[item], kp_index[kp]] = weight
    kps = (
        {
            int(i): (str(c), str(n))
            for i, c, n in session.execute(
                select(KnowledgePoint.id, KnowledgePoint.code, KnowledgePoint.name).where(
                    KnowledgePoint.id.in_(kp_ids)
                )
            ).all()
        }
        if kp_ids
        else {}
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first_monday = min(a.set_on for a in assignments) if assignments else None
    if first_monday is not None:
        first_monday -= timedelta(days=first_monday.weekday())
    data = HomeworkData(
        is_assigned=is_assigned,
        due_s=np.array([(a.due_at - epoch).total_seconds() for a in assignments], dtype=float),
        week=np.array(
            [(a.set_on - first_monday).days // 7 for a in assignments] if first_monday else [],
            dtype=np.int64,
        ),
        attempt_student=np.array([index_of_student[r[0]] for r in kept], dtype=np.int64),
        attempt_assignment=np.array([index_of_assignment[r[1]] for r in kept], dtype=np.int64),
        attempt_item=np.array(
            [len(item_ids) if r[2] is None else item_index[r[2]] for r in kept], dtype=np.int64
        ),
        attempt_s=np.array([(_utc(r[3]) - epoch).total_seconds() for r in kept], dtype=float),
        attempt_score=np.array([_score(r[4], r[5]) for r in kept], dtype=float),
        item_kp=item_kp,
    )
    return LoadedHomework(
        data=data,
        student_ids=[int(s) for s, _c in students],
        student_class_ids=class_of_student,
        assignments=assignments,
        kp_ids=kp_ids,
        kp_codes=[kps[k][0] for k in kp_ids],
        kp_names=[kps[k][1] for k in kp_ids],
        first_monday=first_monday,
    )


def _score(score: float | None, is_correct: bool | None) -> float:
    if score is not None:
        return float(score)
    if is_correct is not None:
        return 1.0 if is_correct else 0.0
    return float("nan")


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[k : k + ATTEMPT_CHUNK] for k in range(0, len(ids), ATTEMPT_CHUNK)]
