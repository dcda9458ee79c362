"""A marking world on top of the governance test world: an exam with two subjective items sat
by a class of ``n_students``, ``n_markers`` marker accounts and an item leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from tests.governance.world import World, _password_hash, build_world
from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Gender,
    Sitting,
    Student,
    Subject,
)


@dataclass(frozen=True)
class MarkingWorld:
    world: World
    assessment_id: int
    item_ids: list[int]  # 13 (full 10), 14 (full 6)
    marker_ids: list[int]
    leader_id: int
    student_ids: list[int]
    student_names: list[str]


def build_marking_world(
    session: Session, *, n_students: int = 12, n_markers: int = 4
) -> MarkingWorld:
    world = build_world(session)
    subject = session.query(Subject).filter_by(code="W-MATH").one()
    exam = Assessment(
        code="W-MK1",
        name="期末考试阅卷",
        kind=AssessmentKind.EXAM,
        held_on=date(2026, 12, 1),
        subject_id=subject.id,
        grade_level=7,
        district_id=world["D1"],
    )
    session.add(exam)
    session.flush()
    items = [
        AssessmentItem(assessment_id=exam.id, position=1, label="1", full_score=3.0),
        AssessmentItem(assessment_id=exam.id, position=2, label="13", full_score=10.0),
        AssessmentItem(assessment_id=exam.id, position=3, label="14", full_score=6.0),
    ]
    session.add_all(items)
    session.add(AssessmentClass(assessment_id=exam.id, school_class_id=world["C1a"]))
    student_ids, names = [], []
    for index in range(n_students):
        name = f"阅卷生{index:03d}"
        student = Student(
            district_id=world["D1"],
            school_class_id=world["C1a"],
            student_number=f"MK{index:05d}",
            name=name,
            gender=Gender.MALE,
        )
        session.add(student)
        session.flush()
        session.add(Sitting(assessment_id=exam.id, student_id=student.id, total_score=None))
        student_ids.append(student.id)
        names.append(name)
    marker_ids = []
    for index in range(n_markers + 1):
        account = UserAccount(
            username=f"w-marker{index}",
            password_hash=_password_hash(),
            role=Role.TEACHER,
            display_name=f"阅卷教师{index}",
            district_id=world["D1"],
            school_id=world["S1"],
            is_active=True,
            created_at=datetime.now(UTC),
        )
        session.add(account)
        session.flush()
        marker_ids.append(account.id)
    session.flush()
    return MarkingWorld(
        world,
        exam.id,
        [items[1].id, items[2].id],
        marker_ids[1:],
        marker_ids[0],
        student_ids,
        names,
    )
