"""The homework service on the demo district: counts that add up and match the tables, who may
see which homework, and the audit row of every read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    LearningEvent,
    SchoolClass,
    Student,
    Subject,
)
from yincai.errors import Forbidden, Invalid
from yincai.governance.audit import students_shown
from yincai.homework import service

AFTER_SEMESTER = datetime(2027, 3, 1, tzinfo=UTC)


def _account(session: Session, role: Role) -> UserAccount:
    account = session.scalars(
        select(UserAccount).where(UserAccount.role == role).order_by(UserAccount.id)
    ).first()
    assert account is not None
    return account


def test_a_class_s_counts_add_up_and_match_the_tables(
    scoped_session: Session, actors: DemoActors
) -> None:
    report = service.class_homework(
        scoped_session,
        actor=actors.teacher,
        school_class_id=actors.class_id,
        page=None,
        as_of=AFTER_SEMESTER,
    )
    assert report.subject is not None and report.subject.code == "MATH"  # the teacher's subject
    totals = report.totals
    assert totals is not None
    assert totals.completed + totals.missing == totals.assigned
    assert totals.on_time + totals.late == totals.completed
    assert 0 < totals.late < totals.on_time and 0 < totals.missing < totals.completed
    for row in report.students:
        t = row.totals
        assert t.completed + t.missing == t.assigned == report.n_assignments
        assert t.on_time + t.late == t.completed
    n_set = scoped_session.scalar(
        select(func.count())
        .select_from(Assessment)
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(
            Assessment.kind == AssessmentKind.HOMEWORK,
            AssessmentClass.school_class_id == actors.class_id,
            Subject.code == "MATH",
        )
    )
    n_students = scoped_session.scalar(
        select(func.count()).where(Student.school_class_id == actors.class_id)
    )
    assert report.n_assignments == n_set and report.n_students == n_students
    assert totals.assigned == n_set * n_students
    handed_in = scoped_session.scalar(
        select(
            func.count(
                func.distinct(LearningEvent.student_id * 1_000_000 + LearningEvent.assessment_id)
            )
        )
        .join(Student, Student.id == LearningEvent.student_id)
        .join(Assessment, Assessment.id == LearningEvent.assessment_id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(Student.school_class_id == actors.class_id, Subject.code == "MATH")
    )
    assert totals.completed == handed_in
    assert sum(week.assigned for week in report.weeks) == totals.assigned
    accuracies = [kp.accuracy for kp in report.kps]
    assert accuracies == sorted(accuracies) and 0 <= accuracies[0] <= accuracies[-1] <= 1


def test_work_not_yet_due_is_not_counted(scoped_session: Session, actors: DemoActors) -> None:
    early = service.class_homework(
        scoped_session,
        actor=actors.teacher,
        school_class_id=actors.class_id,
        as_of=datetime(2026, 10, 1, tzinfo=UTC),
    )
    late = service.class_homework(
        scoped_session, actor=actors.teacher, school_class_id=actors.class_id, as_of=AFTER_SEMESTER
    )
    assert 0 < early.n_assignments < late.n_assignments


def test_the_class_view_audits_the_students_of_its_page(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    report = service.class_homework(
        scoped_session, actor=actors.teacher, school_class_id=actors.class_id, subject_code="CHN"
    )
    rows = audit_rows_since(scoped_session, before)
    assert [(r.action, r.object_type, r.object_id, r.user_account_id) for r in rows] == [
        ("homework_class_view", "school_class", f"{actors.class_id}:CHN", actors.teacher.id)
    ]
    shown = students_shown(scoped_session, [rows[0].id])[rows[0].id]
    assert shown == sorted(row.student_id for row in report.students) and shown


def test_a_teacher_is_refused_another_class_and_the_school_overview(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Forbidden):
        service.class_homework(
            scoped_session, actor=actors.teacher, school_class_id=actors.other_class_id
        )
    school_id = scoped_session.get_one(SchoolClass, actors.class_id).school_id
    with pytest.raises(Forbidden):
        service.school_homework(scoped_session, actor=actors.teacher, school_id=school_id)
    with pytest.raises(Forbidden):
        service.student_homework(
            scoped_session, actor=actors.teacher, student_id=actors.other_student_id
        )


def test_a_school_admin_sees_only_their_school(scoped_session: Session) -> None:
    admin = _account(scoped_session, Role.SCHOOL_ADMIN)
    assert admin.school_id is not None
    report = service.school_homework(
        scoped_session, actor=admin, school_id=admin.school_id, as_of=AFTER_SEMESTER
    )
    assert report.classes and report.totals is not None
    rates = [row.totals.completion_rate for row in report.classes]
    assert rates == sorted(rates)  # weakest first
    assert report.totals.assigned == sum(row.totals.assigned for row in report.classes)
    other_school = scoped_session.scalar(
        select(SchoolClass.school_id).where(SchoolClass.school_id != admin.school_id)
    )
    assert other_school is not None
    with pytest.raises(Forbidden):
        service.school_homework(scoped_session, actor=admin, school_id=other_school)


def test_students_and_parents_see_only_their_own_homework(scoped_session: Session) -> None:
    for role in (Role.STUDENT, Role.PARENT):
        account = _account(scoped_session, role)
        assert account.student_id is not None
        before = last_audit_id(scoped_session)
        own = service.student_homework(
            scoped_session, actor=account, student_id=account.student_id, as_of=AFTER_SEMESTER
        )
        rows = audit_rows_since(scoped_session, before)
        assert [(r.action, r.object_id) for r in rows] == [
            ("homework_student_view", str(account.student_id))
        ]
        assert own.totals is not None and own.assignments
        late_or_missing = [a for a in own.assignments if a.status != "on_time"]
        assert len(late_or_missing) == own.totals.late + own.totals.missing
        assert all((a.last_at is None) == (a.status == "missing") for a in own.assignments)
        assert all(
            a.last_at is not None and a.last_at > a.due_at
            for a in own.assignments
            if a.status == "late"
        )
        school_class_id = scoped_session.get_one(Student, account.student_id).school_class_id
        with pytest.raises(Forbidden):
            service.class_homework(scoped_session, actor=account, school_class_id=school_class_id)
        other = scoped_session.scalar(select(Student.id).where(Student.id != account.student_id))
        assert other is not None
        with pytest.raises(Forbidden):
            service.student_homework(scoped_session, actor=account, student_id=other)


def test_an_unknown_subject_or_page_is_refused_with_a_reason(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Invalid) as unknown:
        service.class_homework(
            scoped_session, actor=CLI, school_class_id=actors.class_id, subject_code="NOPE"
        )
    assert unknown.value.code == "homework.subject_unknown"
    with pytest.raises(Invalid) as page:
        service.class_homework(scoped_session, actor=CLI, school_class_id=actors.class_id, page=99)
    assert page.value.code == "homework.page_out_of_range"
