"""A small school for the classroom tests, on either backend (the tests write to it): one maths
class of 12 students (11 aged 16, one aged 10 without a guardian's consent) and another class,
three maths points in a prerequisite chain, a bank of choice, true/false and fill-in items on
them, a term of homework attempts and the maths estimates computed from them."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import (
    District,
    Gender,
    Grade,
    Item,
    ItemKp,
    ItemType,
    KnowledgePoint,
    KpLevel,
    KpPrerequisite,
    LearningEvent,
    School,
    SchoolClass,
    Setting,
    Stage,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.governance import service as governance_service
from yincai.migrations import upgrade

PASSWORD = "lesson-pass-2026"
N_STUDENTS = 12
POINTS = (("M7.1", "有理数的加法"), ("M7.2", "有理数的乘法"), ("M7.3", "一元一次方程"))
FILL_KEYS = ("3", "1/2", "-4", "0.25", "x=2", "6")


@functools.cache
def _hash() -> str:
    return governance_service.hash_password(PASSWORD, username="cl-world")


@dataclass(frozen=True)
class School7:
    settings: Settings
    class_id: int
    other_class_id: int
    student_ids: list[int]  # roster order (student number)
    young_id: int  # under 14, no consent: never practised on
    teacher: str
    other_teacher: str
    parent: str  # of the first student
    students: dict[int, str]  # student id → username (the 16-year-olds)


def _items(session: Session, subject_id: int, kp_ids: list[int]) -> None:
    options = ["1", "2", "3", "4"]
    for k, kp_id in enumerate(kp_ids):
        specs = [
            (ItemType.SINGLE_CHOICE, options, "B"),
            (ItemType.SINGLE_CHOICE, options, "D"),
            (ItemType.MULTIPLE_CHOICE, options, "AC"),
            (ItemType.TRUE_FALSE, ["正确", "错误"], "错误"),
            (ItemType.FILL_IN, [], FILL_KEYS[2 * k]),
            (ItemType.FILL_IN, [], FILL_KEYS[2 * k + 1]),
            (ItemType.SINGLE_CHOICE, options, "A"),
            (ItemType.FILL_IN, [], str(10 + k)),
        ]
        for j, (kind, choices, key) in enumerate(specs):
            item = Item(
                code=f"CL-{k}-{j}", subject_id=subject_id, item_type=kind,
                stem=f"第{k + 1}节练习第{j + 1}题", options=choices, answer=key,
                full_score=1.0, grade_level=7,
            )  # fmt: skip
            session.add(item)
            session.flush()
            session.add(ItemKp(item_id=item.id, knowledge_point_id=kp_id, weight=1.0))


def build_school(settings: Settings) -> School7:
    engine = make_engine(settings)
    upgrade(engine)
    now = datetime.now(UTC)
    rng = np.random.default_rng(7)
    with session_scope(engine) as session:
        district = District(code="CLD", name="课堂区")
        session.add(district)
        session.flush()
        school = School(
            district_id=district.id, code="CLS", name="课堂中学", setting=Setting.URBAN,
            stage=Stage.JUNIOR,
        )  # fmt: skip
        session.add(school)
        session.flush()
        grade = Grade(school_id=school.id, level=7, name="七年级")
        session.add(grade)
        session.flush()
        classes = [
            SchoolClass(school_id=school.id, grade_id=grade.id, name=f"七年级（{n}）班")
            for n in (1, 2)
        ]
        maths = Subject(code="MATH", name="数学")
        session.add_all([*classes, maths])
        session.flush()
        teachers = [
            Teacher(school_id=school.id, staff_number=f"CLT{n}", name=f"教师{n}") for n in (1, 2)
        ]
        session.add_all(teachers)
        session.flush()
        for teacher, school_class in zip(teachers, classes, strict=True):
            session.add(
                TeachingAssignment(
                    teacher_id=teacher.id, school_class_id=school_class.id,
                    subject_id=maths.id, is_head_teacher=True,
                )
            )  # fmt: skip
        students = [
            Student(
                district_id=district.id, school_class_id=classes[0].id,
                student_number=f"CL{n:03d}", name=f"学生{n:02d}", gender=Gender.FEMALE,
                birth_year=now.year - (10 if n == N_STUDENTS else 16),
            )
            for n in range(1, N_STUDENTS + 1)
        ]  # fmt: skip
        students.append(
            Student(
                district_id=district.id, school_class_id=classes[1].id, student_number="CL900",
                name="别班学生", gender=Gender.MALE, birth_year=now.year - 16,
            )
        )  # fmt: skip
        session.add_all(students)
        root = KnowledgePoint(
            subject_id=maths.id, code="M7", name="七年级数学", level=KpLevel.CHAPTER,
            grade_level=7,
        )  # fmt: skip
        session.add(root)
        session.flush()
        points = [
            KnowledgePoint(
                subject_id=maths.id, code=code, name=name, level=KpLevel.POINT,
                parent_id=root.id, grade_level=7, semester=1, position=k,
            )
            for k, (code, name) in enumerate(POINTS)
        ]  # fmt: skip
        session.add_all(points)
        session.flush()
        for before, after in itertools.pairwise(points):
            session.add(KpPrerequisite(knowledge_point_id=after.id, prerequisite_id=before.id))
        _items(session, maths.id, [p.id for p in points])
        session.flush()
        bank = session.scalars(select(Item).order_by(Item.id)).all()
        ability = rng.normal(0.0, 1.0, N_STUDENTS)
        for s, student in enumerate(students[:N_STUDENTS]):
            for i, item in enumerate(bank):
                if rng.random() < 0.3:  # not every item was set to every student
                    continue
                right = rng.random() < 1 / (1 + np.exp(-(ability[s] + 0.5)))
                session.add(
                    LearningEvent(
                        student_id=student.id, item_id=item.id, activity=item.code,
                        is_correct=bool(right), score=1.0 if right else 0.0,
                        occurred_at=now - timedelta(days=30 - i % 20), source="homework",
                    )
                )  # fmt: skip
        accounts: list[tuple[str, Role, int | None, int | None]] = [
            ("cl-teacher", Role.TEACHER, teachers[0].id, None),
            ("cl-teacher2", Role.TEACHER, teachers[1].id, None),
            ("cl-parent", Role.PARENT, None, students[0].id),
        ]
        usernames = {}
        for student in students[: N_STUDENTS - 1]:
            accounts.append((f"cl-s{student.id}", Role.STUDENT, None, student.id))
            usernames[student.id] = f"cl-s{student.id}"
        for username, role, teacher_id, student_id in accounts:
            session.add(
                UserAccount(
                    username=username, password_hash=_hash(), role=role, display_name="账号",
                    district_id=district.id, school_id=school.id, teacher_id=teacher_id,
                    student_id=student_id, is_active=True, created_at=now,
                )
            )  # fmt: skip
        session.flush()
        built = School7(
            settings=settings,
            class_id=classes[0].id,
            other_class_id=classes[1].id,
            student_ids=[s.id for s in students[:N_STUDENTS]],
            young_id=students[N_STUDENTS - 1].id,
            teacher="cl-teacher",
            other_teacher="cl-teacher2",
            parent="cl-parent",
            students=usernames,
        )
    from yincai.diagnosis.refresh import refresh_mastery

    refresh_mastery(engine, subject_code="MATH")
    engine.dispose()
    return built


def today() -> date:
    return datetime.now(UTC).date()
