"""A tiny two-district world for scope tests: every role has objects in and out of its scope.

district 1 ── school S1 ── class 7-1 (A1, A2; teacher T1 maths, head)  ── class 7-2 (B1; T2)
           └─ school S2 ── class 7-1 (Z1; T3)
district 2 ── school X  ── class 7-1 (X9)
exam E1 sat by every class of district 1; exam E9 by district 2; a class booklet asked for by
every class ("doc:C1a" …); bulk accounts asked for by every school ("slips:S1" …); a OneRoster
export asked for by each district ("roster:D1", "roster:D2"; queued, requested by the operator).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.documents.models import DocumentKind, DocumentState, GeneratedDocument
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    District,
    Gender,
    Grade,
    JointExam,
    School,
    SchoolClass,
    Setting,
    Sitting,
    Stage,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.governance import service as governance_service
from yincai.governance.models import AccountSlips

PASSWORD = "world-password-1"
ROLES = ("district_admin", "school_admin", "teacher", "student", "parent")


@functools.cache
def _password_hash() -> str:
    return governance_service.hash_password(PASSWORD, username="w-world")


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)  # "S1", "C1a", "A1", "E1", "acct:teacher"…
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # student key → (name, number)
    usernames: dict[str, str] = field(default_factory=dict)  # role → username

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


# For each role: (in-scope key, out-of-scope key) per kind of object; None = nothing in scope.
SCOPE_CASES: dict[str, dict[str, tuple[str | None, str]]] = {
    "district_admin": {
        "school": ("S1", "SX"),
        "class": ("C1a", "CX"),
        "student": ("A1", "X9"),
        "assessment": ("E1", "E9"),
        "joint_exam": ("J1", "J9"),
        "account": ("acct:teacher", "acct:admin2"),
        "document": ("doc:C1a", "doc:CX"),
        "slips": ("slips:S1", "slips:SX"),
        "oneroster_export": ("roster:D1", "roster:D2"),
    },
    "school_admin": {
        "school": ("S1", "S2"),
        "class": ("C1b", "C2a"),
        "student": ("B1", "Z1"),
        "assessment": ("E1", "E9"),
        "joint_exam": ("J1", "J9"),
        "account": ("acct:teacher", "acct:teacher3"),
        "document": ("doc:C1b", "doc:C2a"),
        "slips": ("slips:S1", "slips:S2"),
        "oneroster_export": (None, "roster:D1"),
    },
    "teacher": {
        "school": (None, "S1"),
        "class": ("C1a", "C1b"),
        "student": ("A2", "B1"),
        "assessment": ("E1", "E9"),
        "joint_exam": ("J1", "J9"),
        "account": (None, "acct:teacher3"),
        "document": ("doc:C1a", "doc:C1b"),
        "slips": (None, "slips:S1"),
        "oneroster_export": (None, "roster:D1"),
    },
    "student": {
        "school": (None, "S1"),
        "class": (None, "C1a"),
        "student": ("A1", "A2"),
        "assessment": ("E1", "E9"),
        "joint_exam": ("J1", "J9"),
        "account": (None, "acct:teacher"),
        "document": (None, "doc:C1a"),
        "slips": (None, "slips:S1"),
        "oneroster_export": (None, "roster:D1"),
    },
    "parent": {
        "school": (None, "S1"),
        "class": (None, "C1a"),
        "student": ("A1", "A2"),
        "assessment": ("E1", "E9"),
        "joint_exam": ("J1", "J9"),
        "account": (None, "acct:teacher"),
        "document": (None, "doc:C1a"),
        "slips": (None, "slips:S1"),
        "oneroster_export": (None, "roster:D1"),
    },
}


def build_world(session: Session) -> World:
    """Write the world (flushed, not committed) and return its ids."""
    world = World()
    maths = Subject(code="W-MATH", name="数学")
    session.add(maths)
    session.flush()

    def add(key: str, obj: object) -> None:
        session.add(obj)
        session.flush()
        world.ids[key] = obj.id  # type: ignore[attr-defined]

    add("D1", District(code="W-D1", name="甲区"))
    add("D2", District(code="W-D2", name="乙区"))
    for key, district, code in (("S1", "D1", "W-S1"), ("S2", "D1", "W-S2"), ("SX", "D2", "W-SX")):
        add(key, School(district_id=world[district], code=code, name=f"{code}学校",
                        setting=Setting.URBAN, stage=Stage.JUNIOR))  # fmt: skip
        add(f"G{key}", Grade(school_id=world[key], level=7, name="七年级"))
    for key, school, name in (("C1a", "S1", "七年级1班"), ("C1b", "S1", "七年级2班"),
                              ("C2a", "S2", "七年级1班"), ("CX", "SX", "七年级1班")):  # fmt: skip
        add(key, SchoolClass(school_id=world[school], grade_id=world[f"G{school}"], name=name))
    for key, school, school_class in (("T1", "S1", "C1a"), ("T2", "S1", "C1b"),
                                      ("T3", "S2", "C2a"), ("T9", "SX", "CX")):  # fmt: skip
        add(key, Teacher(school_id=world[school], staff_number=f"W{key}", name=f"教师{key}"))
        session.add(TeachingAssignment(teacher_id=world[key], school_class_id=world[school_class],
                                       subject_id=maths.id, is_head_teacher=True))  # fmt: skip
    students = (("A1", "C1a", "D1", "甲一同学"), ("A2", "C1a", "D1", "甲二同学"),
                ("B1", "C1b", "D1", "乙一同学"), ("Z1", "C2a", "D1", "丙一同学"),
                ("X9", "CX", "D2", "外区同学"))  # fmt: skip
    for index, (key, school_class, district, name) in enumerate(students):
        number = f"W2026{index:04d}"
        add(key, Student(district_id=world[district], school_class_id=world[school_class],
                         student_number=number, name=name, gender=Gender.FEMALE))  # fmt: skip
        world.names[key] = (name, number)
    for key, district in (("J1", "D1"), ("J9", "D2")):  # a joint exam (联考) of each district
        add(key, JointExam(code=f"W-{key}", name=f"七年级联考{key}", district_id=world[district],
                           grade_level=7, held_on=date(2026, 11, 5)))  # fmt: skip
    for key, district, classes in (("E1", "D1", ("C1a", "C1b", "C2a")), ("E9", "D2", ("CX",))):
        add(key, Assessment(code=f"W-{key}", name=f"期中考试{key}", kind=AssessmentKind.EXAM,
                            joint_exam_id=world[key.replace("E", "J")],
                            held_on=date(2026, 11, 5), subject_id=maths.id, grade_level=7,
                            district_id=world[district]))  # fmt: skip
        session.add(AssessmentItem(assessment_id=world[key], position=1, label="1",
                                   full_score=100.0))  # fmt: skip
        for school_class in classes:
            session.add(AssessmentClass(assessment_id=world[key],
                                        school_class_id=world[school_class]))  # fmt: skip
    for key, exam, total in (("A1", "E1", 88.0), ("A2", "E1", 71.5), ("B1", "E1", 64.0),
                             ("Z1", "E1", 40.0), ("X9", "E9", 90.0)):  # fmt: skip
        session.add(Sitting(assessment_id=world[exam], student_id=world[key], total_score=total))
    for school_class in ("C1a", "C1b", "C2a", "CX"):  # a class booklet asked for, not built yet
        now = datetime.now(UTC)
        add(f"doc:{school_class}", GeneratedDocument(
            kind=DocumentKind.CLASS_BOOKLET, school_class_id=world[school_class],
            options="n_items=10;subject=W-MATH", request_key=f"world:{school_class}",
            version="world", hub_version=0, state=DocumentState.QUEUED, n_done=0, n_total=0,
            message="", filename="world.pdf", n_bytes=0, created_at=now, updated_at=now,
        ))  # fmt: skip
    for school, district in (("S1", "D1"), ("S2", "D1"), ("SX", "D2")):  # bulk accounts asked
        now = datetime.now(UTC)
        add(f"slips:{school}", AccountSlips(
            district_id=world[district], school_id=world[school], requested_by=None,
            state="queued", login_url="http://world/", n_done=0, n_total=0, n_accounts=0,
            message="", created_at=now, updated_at=now, expires_at=now,
        ))  # fmt: skip
    for district in ("D1", "D2"):  # a OneRoster export asked for, not built yet
        now = datetime.now(UTC)
        add(f"roster:{district}", OneRosterExportRequest(
            district_id=world[district], with_names=False, with_results=True, version="world",
            hub_version=0, requested_by=None, state=ExportState.QUEUED, progress=0.0,
            message="", file_name="", n_bytes=0, n_students=0, created_at=now, updated_at=now,
        ))  # fmt: skip
    session.flush()

    def account(key: str, role: Role, district: str, **scope: int) -> None:
        # Rows written directly with one cached hash: argon2 per account would dominate the tests.
        add(f"acct:{key}", UserAccount(
            username=f"w-{key}", password_hash=_password_hash(), role=role,
            display_name=f"账号{key}", district_id=world[district], is_active=True,
            created_at=datetime.now(UTC), **scope,
        ))  # fmt: skip

    account("district_admin", Role.DISTRICT_ADMIN, "D1")
    account("school_admin", Role.SCHOOL_ADMIN, "D1", school_id=world["S1"])
    account("teacher", Role.TEACHER, "D1", school_id=world["S1"], teacher_id=world["T1"])
    account("student", Role.STUDENT, "D1", school_id=world["S1"], student_id=world["A1"])
    account("parent", Role.PARENT, "D1", school_id=world["S1"], student_id=world["A1"])
    account("teacher3", Role.TEACHER, "D1", school_id=world["S2"], teacher_id=world["T3"])
    account("admin2", Role.DISTRICT_ADMIN, "D2")
    world.usernames = {role: f"w-{role}" for role in ROLES}
    return world


def actor(session: Session, world: World, role: str) -> UserAccount:
    found = session.get(UserAccount, world[f"acct:{role}"])
    assert found is not None
    return found
