"""What the practice choices read: the item bank as the mastery model sees it, students' history,
and when each point was first taught to each class.

Which points are taught to a class (its teaching sequence, read from its data) is the diagnosis's
rule, ``diagnosis.teaching``; points of lower grades count as met before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis import teaching
from yincai.diagnosis.teaching import day_of, end_of
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Grade,
    Item,
    ItemType,
    KnowledgePoint,
    KpPrerequisite,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Student,
)
from yincai.practice.estimates import ItemParameters

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DIAGNOSIS = ConsentPurpose.DIAGNOSIS  # practice is built on the diagnosis
MAIN_TAG_WEIGHT = 0.5  # an item practises the points that hold at least half its tag weight


@dataclass(frozen=True)
class BankItem:
    """A bank item known to the mastery model; ``main_kps`` and ``all_kps`` are KP indices."""

    item_id: int
    code: str
    item_type: ItemType
    stem: str
    options: list[str]
    answer: str
    full_score: float
    grade_level: int | None
    main_kps: tuple[int, ...]
    all_kps: tuple[int, ...]


@dataclass(frozen=True)
class Catalogue:
    """Point-level KPs and bank items in the mastery model's order, with the calibration."""

    fitted: diagnosis_service.FittedMastery
    params: ItemParameters
    kp_grade: list[int | None]
    prerequisites: list[tuple[int, ...]]  # KP indices each point needs
    n_dependants: list[int]  # points that need each point, directly or through others
    items: list[BankItem]

    @property
    def kp_ids(self) -> list[int]:
        return self.fitted.kp_ids

    @property
    def n_kps(self) -> int:
        return self.fitted.n_kps


@dataclass(frozen=True)
class StudentInfo:
    student_id: int
    student_number: str
    name: str
    school_class_id: int
    class_name: str
    school_code: str
    school_name: str
    grade_level: int


@dataclass(frozen=True)
class History:
    """Responses of some students (codes index the students given), with their dates."""

    student: IntArray
    item: IntArray  # model item index (after the bank items: one pseudo-item per KP)
    score: FloatArray  # score ÷ full score
    seen_on: list[date]


def load_catalogue(session: Session, *, subject_code: str, as_of: date | None) -> Catalogue:
    """The subject's calibrated mastery model (fitted once per process) and its bank."""
    fitted = diagnosis_service.mastery_model(session, subject_code=subject_code, as_of=as_of)
    params = ItemParameters.of(fitted.model)
    kp_index = {kp: k for k, kp in enumerate(fitted.kp_ids)}
    kp_grade = dict(
        session.execute(
            select(KnowledgePoint.id, KnowledgePoint.grade_level).where(
                KnowledgePoint.id.in_(fitted.kp_ids)
            )
        ).all()
    )
    needs: list[list[int]] = [[] for _ in fitted.kp_ids]
    for kp, prerequisite in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        if kp in kp_index and prerequisite in kp_index:
            needs[kp_index[kp]].append(kp_index[prerequisite])
    rows = {r.id: r for r in session.scalars(select(Item).where(Item.id.in_(fitted.item_ids)))}
    items: list[BankItem] = []
    for i, item_id in enumerate(fitted.item_ids):
        row = rows[item_id]
        weights = params.q_weights[i]
        items.append(
            BankItem(
                item_id=item_id,
                code=row.code,
                item_type=row.item_type,
                stem=row.stem,
                options=list(row.options or []),
                answer=row.answer,
                full_score=row.full_score,
                grade_level=row.grade_level,
                main_kps=tuple(int(k) for k in np.flatnonzero(weights >= MAIN_TAG_WEIGHT)),
                all_kps=tuple(int(k) for k in np.flatnonzero(weights > 0)),
            )
        )
    return Catalogue(
        fitted=fitted,
        params=params,
        kp_grade=[kp_grade.get(kp) for kp in fitted.kp_ids],
        prerequisites=[tuple(sorted(set(n))) for n in needs],
        n_dependants=_dependants(needs),
        items=items,
    )


def _dependants(needs: list[list[int]]) -> list[int]:
    """How many points need each point, directly or through a chain."""
    needed_by: list[list[int]] = [[] for _ in needs]
    for kp, prerequisites in enumerate(needs):
        for prerequisite in prerequisites:
            needed_by[prerequisite].append(kp)
    counts = []
    for start in range(len(needs)):
        seen: set[int] = set()
        stack = list(needed_by[start])
        while stack:
            kp = stack.pop()
            if kp not in seen:
                seen.add(kp)
                stack.extend(needed_by[kp])
        seen.discard(start)
        counts.append(len(seen))
    return counts


def load_students(session: Session, student_ids: Sequence[int]) -> list[StudentInfo]:
    """Students with their class, school and grade, in the order given."""
    rows = session.execute(
        select(
            Student.id,
            Student.student_number,
            Student.name,
            SchoolClass.id,
            SchoolClass.name,
            School.code,
            School.name,
            Grade.level,
        )
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(Student.id.in_(list(student_ids)))
    ).all()
    found = {r[0]: StudentInfo(*r) for r in rows}
    return [found[s] for s in student_ids if s in found]


def load_history(
    session: Session, catalogue: Catalogue, student_ids: Sequence[int], *, as_of: date | None
) -> History:
    """Exam item scores and learning events of the students, up to ``as_of``."""
    fitted = catalogue.fitted
    position = {s: i for i, s in enumerate(student_ids)}
    item_index = {item_id: i for i, item_id in enumerate(fitted.item_ids)}
    kp_index = {kp: len(fitted.item_ids) + k for k, kp in enumerate(fitted.kp_ids)}
    subject_id = session.scalar(
        select(KnowledgePoint.subject_id).where(KnowledgePoint.id == fitted.kp_ids[0])
    )
    exam = (
        select(
            Score.student_id,
            AssessmentItem.item_id,
            Score.score / AssessmentItem.full_score,
            Assessment.held_on,
        )
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Assessment.subject_id == subject_id, AssessmentItem.full_score > 0)
        .where(AssessmentItem.item_id.is_not(None), Score.student_id.in_(list(student_ids)))
    )
    events = select(
        LearningEvent.student_id,
        LearningEvent.item_id,
        LearningEvent.knowledge_point_id,
        LearningEvent.score,
        LearningEvent.is_correct,
        LearningEvent.occurred_at,
    ).where(LearningEvent.student_id.in_(list(student_ids)))
    if as_of is not None:
        exam = exam.where(Assessment.held_on <= as_of)
        events = events.where(LearningEvent.occurred_at < end_of(as_of))
    # The privacy rule: the responses of students it does not clear are never read.
    cleared = consent_service.cleared_student_ids(DIAGNOSIS, today=datetime.now(UTC).date())
    exam = exam.where(Score.student_id.in_(cleared))
    events = events.where(LearningEvent.student_id.in_(cleared))
    student: list[int] = []
    item: list[int] = []
    score: list[float] = []
    seen_on: list[date] = []
    for student_id, item_id, rate, held_on in session.execute(exam):
        if item_id in item_index and rate is not None:
            student.append(position[student_id])
            item.append(item_index[item_id])
            score.append(float(rate))
            seen_on.append(held_on)
    for student_id, item_id, kp_id, scaled, is_correct, occurred_at in session.execute(events):
        value = scaled if scaled is not None else is_correct
        index = item_index.get(item_id) if item_id is not None else None
        if index is None and kp_id is not None:
            index = kp_index.get(kp_id)
        if index is not None and value is not None:
            student.append(position[student_id])
            item.append(index)
            score.append(float(value))
            seen_on.append(day_of(occurred_at))
    return History(
        student=np.array(student, dtype=np.int64),
        item=np.array(item, dtype=np.int64),
        score=np.clip(np.array(score, dtype=np.float64), 0.0, 1.0),
        seen_on=seen_on,
    )


def load_taught(
    session: Session, catalogue: Catalogue, class_ids: Sequence[int], *, as_of: date | None
) -> dict[int, dict[int, date]]:
    """For each class, the KP indices taught to it by ``as_of`` and the day each first was
    (``diagnosis.teaching``, with the bank's tags)."""
    return teaching.taught_points(
        session,
        item_kps={item.item_id: item.all_kps for item in catalogue.items},
        kp_ids=catalogue.kp_ids,
        class_ids=class_ids,
        as_of=as_of,
    )
