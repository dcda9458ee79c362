"""Actors of the demo district for the services' scope and audit tests: the demo teacher, a
student they teach and one they do not, an exam both sat; and a session whose writes (the audit
rows the services write) are rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, Sitting, Student, TeachingAssignment
from yincai.governance.models import AuditEvent
from yincai.privacy import service as privacy_service


@dataclass(frozen=True)
class DemoActors:
    admin: UserAccount  # the district admin
    teacher: UserAccount
    class_id: int  # a class the teacher teaches
    other_class_id: int  # a class of the same exam they do not teach
    assessment_id: int  # an exam both classes sat
    assessment_code: str
    student_id: int  # a student of the class, who sat the exam, with consent for the diagnosis
    student_number: str
    other_student_id: int  # a student of the other class, who sat the exam
    other_student_number: str


@pytest.fixture
def scoped_session(demo_settings: Settings) -> Iterator[Session]:
    """A session on the demo district whose writes are rolled back after the test."""
    engine = make_engine(demo_settings)
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def actors(scoped_session: Session) -> DemoActors:
    return demo_actors(scoped_session)


def demo_actors(session: Session) -> DemoActors:
    accounts: dict[Role, UserAccount] = {}
    for account in session.scalars(select(UserAccount).order_by(UserAccount.id)):
        accounts.setdefault(account.role, account)
    teacher = accounts[Role.TEACHER]
    taught = select(TeachingAssignment.school_class_id).where(
        TeachingAssignment.teacher_id == teacher.teacher_id
    )
    class_id = session.scalars(taught.order_by(TeachingAssignment.school_class_id)).first()
    assert class_id is not None
    sat = (
        select(Sitting.assessment_id, Student.id, Student.school_class_id)
        .join(Student, Student.id == Sitting.student_id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .where(Sitting.is_absent.is_(False), Assessment.kind == "exam")
    )
    mine = session.execute(
        sat.where(Student.school_class_id == class_id).order_by(
            Assessment.held_on.desc(), Student.id
        )
    ).all()
    assessment_id = mine[0][0]
    blocked = privacy_service.students_without_consent(
        session,
        [row[1] for row in mine],
        privacy_service.ConsentPurpose.DIAGNOSIS,
        today=datetime.now(UTC).date(),
    )
    student_id = next(row[1] for row in mine if row[0] == assessment_id and row[1] not in blocked)
    other = session.execute(
        sat.where(Sitting.assessment_id == assessment_id, Student.school_class_id.not_in(taught))
    ).first()
    assert other is not None
    assessment = session.get(Assessment, assessment_id)
    student = session.get(Student, student_id)
    other_student = session.get(Student, other[1])
    assert assessment is not None and student is not None and other_student is not None
    return DemoActors(
        admin=accounts[Role.DISTRICT_ADMIN],
        teacher=teacher,
        class_id=class_id,
        other_class_id=other[2],
        assessment_id=assessment_id,
        assessment_code=assessment.code,
        student_id=student_id,
        student_number=student.student_number,
        other_student_id=other_student.id,
        other_student_number=other_student.student_number,
    )


def last_audit_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditEvent.id))) or 0)


def audit_rows_since(session: Session, event_id: int) -> list[AuditEvent]:
    """The audit rows written after ``event_id`` (by this session), oldest first."""
    session.flush()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.id > event_id).order_by(AuditEvent.id))
    )
