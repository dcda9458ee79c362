"""One assessment loaded once into arrays: students × items scores, who sat, and where they sit.

Every statistic of the analysis is computed from an ``ExamData``; nothing below the loader touches
the database. A student is in the data when they have a sitting, or when their class sat the
assessment and no sitting was recorded for them (counted absent: the sheet left them out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    Item,
    ItemKp,
    ItemType,
    KnowledgePoint,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Subject,
)
from yincai.rules import sitting_totals
from yincai.science.base import BoolArray, FloatArray, IntArray

CHOICE_TYPES = (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.TRUE_FALSE)


@dataclass(frozen=True)
class ExamData:
    """Arrays of one assessment; students (rows) in the order class, student number.

    ``scores`` (n_students, n_items) is NaN where no score was recorded (always for absentees);
    ``choices`` holds the raw answers of the same cells (None where none was recorded);
    ``totals`` (n_students,) sums a present student's item scores and is NaN for absentees;
    ``kp_weights`` (n_items, n_kps) holds the knowledge-point weights of the bank items.
    """

    assessment_id: int
    code: str
    name: str
    held_on: date
    grade_level: int
    subject_id: int
    subject_code: str
    subject_name: str
    district_id: int
    item_labels: list[str]
    item_codes: list[str | None]
    item_types: list[ItemType | None]
    item_answers: list[str | None]
    item_stems: list[str | None]
    full_scores: FloatArray
    student_ids: IntArray
    student_numbers: list[str]
    student_names: list[str]
    class_of_student: IntArray
    school_of_student: IntArray
    class_names: dict[int, str]
    school_of_class: dict[int, int]
    school_codes: dict[int, str]
    school_names: dict[int, str]
    sat_class_ids: frozenset[int]
    is_absent: BoolArray
    scores: FloatArray
    choices: npt.NDArray[np.object_]
    totals: FloatArray
    kp_ids: list[int]
    kp_codes: list[str]
    kp_names: list[str]
    kp_weights: FloatArray

    @property
    def full_score(self) -> float:
        return float(self.full_scores.sum())

    @property
    def n_items(self) -> int:
        return len(self.item_labels)

    @property
    def is_choice(self) -> BoolArray:
        """(n_items,) items whose raw answers are option labels and whose key is known."""
        return np.array(
            [
                kind in CHOICE_TYPES and bool(answer)
                for kind, answer in zip(self.item_types, self.item_answers, strict=True)
            ],
            dtype=bool,
        )

    def row_of(self, student_id: int) -> int | None:
        """The row of a student, or None when they are not in this assessment."""
        rows = np.flatnonzero(self.student_ids == student_id)
        return int(rows[0]) if rows.size else None


def load_exam_data(session: Session, assessment: Assessment) -> ExamData:
    """Read one assessment's items, sittings, scores and knowledge-point tags into arrays."""
    items = list(
        session.execute(
            select(
                AssessmentItem.id,
                AssessmentItem.label,
                AssessmentItem.full_score,
                AssessmentItem.item_id,
                Item.code,
                Item.item_type,
                Item.answer,
                Item.stem,
            )
            .outerjoin(Item, Item.id == AssessmentItem.item_id)
            .where(AssessmentItem.assessment_id == assessment.id)
            .order_by(AssessmentItem.position, AssessmentItem.id)
        )
    )
    sat_class_ids = frozenset(
        session.scalars(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == assessment.id
            )
        )
    )
    sittings = {
        student_id: (is_absent, total)
        for student_id, is_absent, total in session.execute(
            select(Sitting.student_id, Sitting.is_absent, Sitting.total_score).where(
                Sitting.assessment_id == assessment.id
            )
        )
    }
    roster = _roster(session, set(sittings), sat_class_ids)
    student_ids = np.array([row[0] for row in roster], dtype=np.int64)
    row_of_student = {student_id: row for row, student_id in enumerate(student_ids.tolist())}
    column_of_item = {row[0]: column for column, row in enumerate(items)}
    scores = np.full((len(roster), len(items)), np.nan)
    choices = np.full((len(roster), len(items)), None, dtype=object)
    score_rows = session.execute(
        select(Score.assessment_item_id, Score.student_id, Score.score, Score.raw_answer)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(AssessmentItem.assessment_id == assessment.id)
    ).all()
    if score_rows:
        item_column = np.array([column_of_item[row[0]] for row in score_rows], dtype=np.int64)
        student_row = np.array([row_of_student.get(row[1], -1) for row in score_rows])
        kept = student_row >= 0
        values = np.array([row[2] for row in score_rows], dtype=np.float64)
        scores[student_row[kept], item_column[kept]] = values[kept]
        answers = np.array([row[3] for row in score_rows], dtype=object)
        choices[student_row[kept], item_column[kept]] = answers[kept]
    is_absent = np.array(
        [bool(sittings.get(row[0], (True, None))[0]) for row in roster], dtype=bool
    )
    recorded = np.array(
        [
            np.nan if (total := sittings.get(row[0], (True, None))[1]) is None else total
            for row in roster
        ],
        dtype=np.float64,
    )
    has_scores = ~np.isnan(scores).all(axis=1) if items else np.zeros(len(roster), dtype=bool)
    item_sums = np.where(
        has_scores, np.nansum(np.where(has_scores[:, None], scores, 0.0), axis=1), np.nan
    )
    totals = sitting_totals(is_absent, recorded, item_sums)  # the hub's rule, off these arrays
    totals = np.where(is_absent, np.nan, np.nan_to_num(totals))
    class_ids = sorted({row[3] for row in roster} | sat_class_ids)
    classes = _classes(session, class_ids)
    school_of_class = {class_id: school_id for class_id, (_, school_id) in classes.items()}
    schools = _schools(session, sorted(set(school_of_class.values())))
    item_ids = [row[3] for row in items]
    kp_ids, kp_codes, kp_names, kp_weights = _kp_weights(session, item_ids)
    subject = session.execute(
        select(Subject.code, Subject.name).where(Subject.id == assessment.subject_id)
    ).one()
    return ExamData(
        assessment_id=assessment.id,
        code=assessment.code,
        name=assessment.name,
        held_on=assessment.held_on,
        grade_level=assessment.grade_level,
        subject_id=assessment.subject_id,
        subject_code=subject[0],
        subject_name=subject[1],
        district_id=assessment.district_id,
        item_labels=[row[1] for row in items],
        item_codes=[row[4] for row in items],
        item_types=[None if row[5] is None else ItemType(row[5]) for row in items],
        item_answers=[row[6] for row in items],
        item_stems=[row[7] for row in items],
        full_scores=np.array([row[2] for row in items], dtype=np.float64),
        student_ids=student_ids,
        student_numbers=[row[1] for row in roster],
        student_names=[row[2] for row in roster],
        class_of_student=np.array([row[3] for row in roster], dtype=np.int64),
        school_of_student=np.array([school_of_class[row[3]] for row in roster], dtype=np.int64),
        class_names={class_id: name for class_id, (name, _) in classes.items()},
        school_of_class=school_of_class,
        school_codes={school_id: code for school_id, (code, _) in schools.items()},
        school_names={school_id: name for school_id, (_, name) in schools.items()},
        sat_class_ids=sat_class_ids,
        is_absent=is_absent,
        scores=scores,
        choices=choices,
        totals=totals,
        kp_ids=kp_ids,
        kp_codes=kp_codes,
        kp_names=kp_names,
        kp_weights=kp_weights,
    )


def _roster(
    session: Session, sitting_student_ids: set[int], sat_class_ids: frozenset[int]
) -> list[tuple[int, str, str, int]]:
    """(student id, number, name, class id) of everyone who sat or whose class sat."""
    query = select(Student.id, Student.student_number, Student.name, Student.school_class_id)
    found: dict[int, tuple[int, str, str, int]] = {}
    if sat_class_ids:
        for row in session.execute(query.where(Student.school_class_id.in_(sat_class_ids))):
            found[row[0]] = (row[0], row[1], row[2], row[3])
    missing = sorted(sitting_student_ids - set(found))
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        for row in session.execute(query.where(Student.id.in_(chunk))):
            found[row[0]] = (row[0], row[1], row[2], row[3])
    return sorted(found.values(), key=lambda row: (row[3], row[1]))


def _classes(session: Session, class_ids: list[int]) -> dict[int, tuple[str, int]]:
    if not class_ids:
        return {}
    rows = session.execute(
        select(SchoolClass.id, SchoolClass.name, SchoolClass.school_id).where(
            SchoolClass.id.in_(class_ids)
        )
    )
    return {class_id: (name, school_id) for class_id, name, school_id in rows}


def _schools(session: Session, school_ids: list[int]) -> dict[int, tuple[str, str]]:
    if not school_ids:
        return {}
    rows = session.execute(
        select(School.id, School.code, School.name).where(School.id.in_(school_ids))
    )
    return {school_id: (code, name) for school_id, code, name in rows}


def _kp_weights(
    session: Session, item_ids: list[int | None]
) -> tuple[list[int], list[str], list[str], FloatArray]:
    """The knowledge points tagged on the items, in curriculum order, and the weight matrix."""
    bank_ids = sorted({item_id for item_id in item_ids if item_id is not None})
    if not bank_ids:
        return [], [], [], np.zeros((len(item_ids), 0))
    rows = session.execute(
        select(
            ItemKp.item_id,
            ItemKp.weight,
            KnowledgePoint.id,
            KnowledgePoint.code,
            KnowledgePoint.name,
            KnowledgePoint.position,
        )
        .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
        .where(ItemKp.item_id.in_(bank_ids))
    ).all()
    points = sorted({(row[5], row[3], row[2], row[4]) for row in rows})
    column = {kp_id: index for index, (_, _, kp_id, _) in enumerate(points)}
    weights = np.zeros((len(item_ids), len(points)))
    for item_id, weight, kp_id, *_ in rows:
        for index, tagged in enumerate(item_ids):
            if tagged == item_id:
                weights[index, column[kp_id]] = weight
    return (
        [kp_id for _, _, kp_id, _ in points],
        [code for _, code, _, _ in points],
        [name for _, _, _, name in points],
        weights,
    )
