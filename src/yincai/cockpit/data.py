"""One district loaded once into arrays: schools, classes, students, every exam's totals and
homework activity; the indicators and warnings are computed from these, off the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import numpy as np
from sqlalchemy import ColumnElement, Integer, case, func, select
from sqlalchemy.orm import Session

from yincai.cockpit.warnings import BoolArray, FloatArray, IntArray
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Grade,
    ItemKp,
    KnowledgePoint,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Setting,
    Student,
)
from yincai.hub import service as hub_service

BASELINE_SHARE = 0.25  # the first quarter of the homework period is each student's baseline
RECENT_SHARE = 0.40  # the last 40 % is "now": long enough to count, after any onset


@dataclass(frozen=True)
class ExamInfo:
    id: int
    code: str
    name: str
    held_on: date
    grade_level: int
    subject_id: int
    round: int  # 0-based order among the exams of its grade and subject
    full_score: float


@dataclass(frozen=True)
class DistrictData:
    """Arrays of one district; exams in date order, students in class order.

    ``totals`` (n_exams, n_students): NaN unless present; ``is_absent`` marks recorded
    absences; ``expected`` whether the student's class sat the exam; ``class_sat``
    (n_exams, n_classes) the classes that sat; ``homework`` (4, n_students): attempts and
    correct attempts in the baseline window, then in the recent window.
    """

    district_id: int
    school_ids: list[int]
    school_codes: list[str]
    school_names: list[str]
    school_settings: list[Setting]
    class_ids: list[int]
    class_names: list[str]
    class_school: IntArray
    class_grade: IntArray
    student_ids: IntArray
    student_numbers: list[str]
    student_names: list[str]
    student_class: IntArray
    exams: list[ExamInfo]
    totals: FloatArray
    is_absent: BoolArray
    expected: BoolArray
    class_sat: BoolArray
    homework: FloatArray

    @property
    def student_school(self) -> IntArray:
        school: IntArray = self.class_school[self.student_class]
        return school

    @property
    def student_grade(self) -> IntArray:
        grade: IntArray = self.class_grade[self.student_class]
        return grade


def load_district(
    session: Session, district_id: int, *, before: date | None = None
) -> DistrictData:
    """Read one district's roster, exams, sittings and homework counts into arrays; with
    ``before``, only the exams held and the homework done before that day (the district as it
    stood then: the fairness report replays the warnings of that day)."""
    schools = session.execute(
        select(School.id, School.code, School.name, School.setting)
        .where(School.district_id == district_id)
        .order_by(School.code)
    ).all()
    school_index = {row.id: k for k, row in enumerate(schools)}
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.name, SchoolClass.school_id, Grade.level)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(SchoolClass.school_id.in_(school_index))
        .order_by(SchoolClass.school_id, Grade.level, SchoolClass.name)
    ).all()
    class_index = {row.id: k for k, row in enumerate(classes)}
    students = session.execute(
        select(Student.id, Student.student_number, Student.name, Student.school_class_id)
        .where(Student.district_id == district_id)
        .order_by(Student.school_class_id, Student.student_number)
    ).all()
    students = [row for row in students if row.school_class_id in class_index]
    student_ids = np.array([row.id for row in students], dtype=np.int64)
    exams = _exams(session, district_id, before)
    n_exams, n_students, n_classes = len(exams), len(students), len(classes)
    exam_index = {exam.id: k for k, exam in enumerate(exams)}

    class_sat = np.zeros((n_exams, n_classes), dtype=bool)
    for assessment_id, school_class_id in session.execute(
        select(AssessmentClass.assessment_id, AssessmentClass.school_class_id).where(
            AssessmentClass.assessment_id.in_(exam_index)
        )
    ):
        if school_class_id in class_index:
            class_sat[exam_index[assessment_id], class_index[school_class_id]] = True

    student_class = np.array([class_index[row.school_class_id] for row in students], np.int64)
    totals = np.full((n_exams, n_students), np.nan)
    is_absent = np.zeros((n_exams, n_students), dtype=bool)
    order = np.argsort(student_ids)
    for sitting in hub_service.sitting_totals(session, assessment_ids=list(exam_index)):
        assessment_id, student_id, total = sitting.assessment_id, sitting.student_id, sitting.total
        position = np.searchsorted(student_ids[order], student_id)
        if position >= n_students or student_ids[order[position]] != student_id:
            continue
        row, column = exam_index[assessment_id], int(order[position])
        if total is None:  # absent, or present with nothing recorded
            is_absent[row, column] = True
        else:
            totals[row, column] = total
    expected = class_sat[:, student_class]
    is_absent &= expected
    return DistrictData(
        district_id=district_id,
        school_ids=[row.id for row in schools],
        school_codes=[row.code for row in schools],
        school_names=[row.name for row in schools],
        school_settings=[Setting(row.setting) for row in schools],
        class_ids=[row.id for row in classes],
        class_names=[row.name for row in classes],
        class_school=np.array([school_index[row.school_id] for row in classes], np.int64),
        class_grade=np.array([row.level for row in classes], np.int64),
        student_ids=student_ids,
        student_numbers=[row.student_number for row in students],
        student_names=[row.name for row in students],
        student_class=student_class,
        exams=exams,
        totals=totals,
        is_absent=is_absent,
        expected=expected,
        class_sat=class_sat,
        homework=_homework(session, district_id, student_ids, before),
    )


def _exams(session: Session, district_id: int, before: date | None) -> list[ExamInfo]:
    full_scores = hub_service.full_score_query().subquery()
    query = (
        select(Assessment, full_scores.c.full_score)
        .join(full_scores, full_scores.c.assessment_id == Assessment.id)
        .where(Assessment.district_id == district_id, Assessment.kind == AssessmentKind.EXAM)
        .order_by(Assessment.held_on, Assessment.grade_level, Assessment.code)
    )
    if before is not None:
        query = query.where(Assessment.held_on < before)
    rows = session.execute(query).all()
    seen: dict[tuple[int, int], int] = {}
    exams = []
    for assessment, full in rows:
        key = (assessment.subject_id, assessment.grade_level)
        seen[key] = seen.get(key, -1) + 1
        exams.append(
            ExamInfo(
                id=assessment.id,
                code=assessment.code,
                name=assessment.name,
                held_on=assessment.held_on,
                grade_level=assessment.grade_level,
                subject_id=assessment.subject_id,
                round=seen[key],
                full_score=float(full),
            )
        )
    return exams


def _homework(
    session: Session, district_id: int, student_ids: IntArray, before: date | None
) -> FloatArray:
    """(4, n_students): attempts and correct ones in the baseline and in the recent window."""
    out = np.zeros((4, student_ids.size))
    in_district = select(Student.id).where(Student.district_id == district_id)
    in_time: ColumnElement[bool] = LearningEvent.student_id.in_(in_district)
    if before is not None:
        in_time = in_time & (LearningEvent.occurred_at < datetime.combine(before, time(0, 0), UTC))
    first, last = session.execute(
        select(func.min(LearningEvent.occurred_at), func.max(LearningEvent.occurred_at)).where(
            in_time
        )
    ).one()
    if first is None or last is None or first == last:
        return np.full((4, student_ids.size), np.nan)
    span = last.replace(tzinfo=None) - first.replace(tzinfo=None)
    baseline_end = first + span * BASELINE_SHARE
    recent_start = last - span * RECENT_SHARE
    is_correct = LearningEvent.is_correct.is_(True)
    in_baseline = LearningEvent.occurred_at < baseline_end
    in_recent = LearningEvent.occurred_at >= recent_start

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0)).cast(Integer)

    rows = session.execute(
        select(
            LearningEvent.student_id,
            count(in_baseline),
            count(in_baseline & is_correct),
            count(in_recent),
            count(in_recent & is_correct),
        )
        .where(in_time)
        .group_by(LearningEvent.student_id)
    ).all()
    order = np.argsort(student_ids)
    for student_id, *counts in rows:
        position = int(np.searchsorted(student_ids[order], student_id))
        if position < student_ids.size and student_ids[order[position]] == student_id:
            out[:, order[position]] = [float(c or 0) for c in counts]
    return out


@dataclass(frozen=True)
class KpScores:
    """Score sums of knowledge points by school: ``earned`` and ``possible`` (n_kps, n_schools),
    each score weighted by the item's knowledge-point weight."""

    kp_ids: list[int]
    kp_codes: list[str]
    kp_names: list[str]
    earned: FloatArray
    possible: FloatArray


def load_kp_scores(session: Session, data: DistrictData, exam_ids: list[int]) -> KpScores:
    """Knowledge-point score sums by school over the given exams (one aggregate query)."""
    school_index = {school_id: k for k, school_id in enumerate(data.school_ids)}
    by_item = session.execute(
        select(
            Score.assessment_item_id,
            SchoolClass.school_id,
            func.sum(Score.score),
            func.count(),
        )
        .join(Student, Student.id == Score.student_id)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(AssessmentItem.assessment_id.in_(exam_ids))
        .group_by(Score.assessment_item_id, SchoolClass.school_id)
    ).all()
    tags = session.execute(
        select(
            AssessmentItem.id,
            AssessmentItem.full_score,
            ItemKp.knowledge_point_id,
            ItemKp.weight,
            KnowledgePoint.code,
            KnowledgePoint.name,
        )
        .join(ItemKp, ItemKp.item_id == AssessmentItem.item_id)
        .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
        .where(AssessmentItem.assessment_id.in_(exam_ids))
        .order_by(KnowledgePoint.code)
    ).all()
    kp_order: dict[int, int] = {}
    kp_codes: list[str] = []
    kp_names: list[str] = []
    item_tags: dict[int, list[tuple[int, float, float]]] = {}
    for item_id, full_score, kp_id, weight, code, name in tags:
        if kp_id not in kp_order:
            kp_order[kp_id] = len(kp_codes)
            kp_codes.append(code)
            kp_names.append(name)
        item_tags.setdefault(item_id, []).append((kp_order[kp_id], float(weight), full_score))
    earned = np.zeros((len(kp_codes), len(data.school_ids)))
    possible = np.zeros_like(earned)
    for item_id, school_id, total, n in by_item:
        column = school_index.get(school_id)
        if column is None:
            continue
        for row, weight, full_score in item_tags.get(item_id, []):
            earned[row, column] += weight * float(total)
            possible[row, column] += weight * full_score * n
    return KpScores(list(kp_order), kp_codes, kp_names, earned, possible)
