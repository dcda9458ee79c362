"""A database with one large exam, written directly (fast), and score sheets for it, for the
tests of atomicity, crashes and concurrency: the sheets differ in every student's marks, so any
mixture of two states is visible."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from tests.governance.world import PASSWORD
from yincai.accounts.models import Role, UserAccount
from yincai.db import Base
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    District,
    Gender,
    Grade,
    School,
    SchoolClass,
    Setting,
    Sitting,
    Stage,
    Student,
    Subject,
)
from yincai.governance import service as governance_service

EXAM = "BIG-1"
ADMIN = "big-admin"
FULL_SCORE = 10.0


@dataclass(frozen=True)
class LargeExam:
    n_students: int
    n_items: int
    numbers: list[str]
    labels: list[str]


def build_large_exam(session: Session, *, n_students: int, n_items: int) -> LargeExam:
    """District, one school, classes of 50, students, an exam sat by every class, an admin."""
    district = District(code="BIG", name="大区")
    subject = Subject(code="math", name="数学")
    session.add_all([district, subject])
    session.flush()
    school = School(district_id=district.id, code="BIG-S", name="大校", setting=Setting.URBAN,
                    stage=Stage.JUNIOR)  # fmt: skip
    session.add(school)
    session.flush()
    grade = Grade(school_id=school.id, level=7, name="七年级")
    session.add(grade)
    session.flush()
    n_classes = max(1, n_students // 50)
    session.execute(
        insert(SchoolClass),
        [{"school_id": school.id, "grade_id": grade.id, "name": f"七年级（{i + 1}）班"}
         for i in range(n_classes)],
    )  # fmt: skip
    class_ids = list(session.scalars(select(SchoolClass.id).order_by(SchoolClass.id)))
    numbers = [f"B{index:07d}" for index in range(n_students)]
    session.execute(
        insert(Student),
        [{"district_id": district.id, "school_class_id": class_ids[i % n_classes],
          "student_number": number, "name": f"学生{i}", "gender": Gender.FEMALE}
         for i, number in enumerate(numbers)],
    )  # fmt: skip
    exam = Assessment(code=EXAM, name="大考", kind=AssessmentKind.EXAM, held_on=date(2026, 11, 1),
                      subject_id=subject.id, grade_level=7, district_id=district.id)  # fmt: skip
    labels = [str(i + 1) for i in range(n_items)]
    exam.items = [AssessmentItem(position=i + 1, label=label, full_score=FULL_SCORE)
                  for i, label in enumerate(labels)]  # fmt: skip
    session.add(exam)
    session.flush()
    session.execute(
        insert(AssessmentClass),
        [{"assessment_id": exam.id, "school_class_id": class_id} for class_id in class_ids],
    )
    password_hash = governance_service.hash_password(PASSWORD, username=ADMIN)
    session.add(
        UserAccount(username=ADMIN, password_hash=password_hash, role=Role.DISTRICT_ADMIN,
                    display_name="大区管理员", district_id=district.id, is_active=True,
                    created_at=datetime.now(UTC))
    )  # fmt: skip
    session.flush()
    return LargeExam(n_students, n_items, numbers, labels)


def sheet_scores(exam: LargeExam, seed: int) -> np.ndarray:
    """Integer marks 0–10 per student and item; every 97th student absent (NaN row)."""
    scores = np.random.default_rng(seed).integers(0, 11, (exam.n_students, exam.n_items))
    marks = scores.astype(float)
    marks[seed % 97 :: 97] = np.nan
    return marks


def write_sheet(path: Path, exam: LargeExam, marks: np.ndarray) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["学号", *exam.labels])
        for number, row in zip(exam.numbers, marks, strict=True):
            cells = ["缺考"] * len(row) if np.isnan(row).all() else [f"{v:g}" for v in row]
            writer.writerow([number, *cells])
    return path


def stored_marks(session: Session, exam: LargeExam) -> np.ndarray:
    """The stored marks in the sheet's layout (NaN: absent or no score)."""
    row_of = {number: row for row, number in enumerate(exam.numbers)}
    column_of = {label: column for column, label in enumerate(exam.labels)}
    marks = np.full((exam.n_students, exam.n_items), np.nan)
    for number, label, score in session.execute(
        text(
            "SELECT student.student_number, assessment_item.label, score.score FROM score "
            "JOIN student ON student.id = score.student_id "
            "JOIN assessment_item ON assessment_item.id = score.assessment_item_id"
        )
    ):
        marks[row_of[number], column_of[label]] = score
    return marks


def check_consistent(session: Session, exam: LargeExam) -> None:
    """Every sitting's total is the sum of its item scores; absentees have no scores."""
    marks = stored_marks(session, exam)
    row_of = {number: row for row, number in enumerate(exam.numbers)}
    for number, is_absent, total in session.execute(
        select(Student.student_number, Sitting.is_absent, Sitting.total_score).join(
            Sitting, Sitting.student_id == Student.id
        )
    ):
        row = marks[row_of[number]]
        if is_absent:
            assert total is None and np.isnan(row).all(), number
        else:
            assert total is not None and abs(np.nansum(row) - total) < 1e-6, number


def dump(engine: Engine, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in primary-key order: equal dumps mean identical data."""
    tables = {}
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name in skip or table.name not in names:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables
