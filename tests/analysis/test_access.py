"""The analysis service decides who sees which report and audits each read itself."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.accounts.actors import CLI
from yincai.analysis import service
from yincai.errors import Forbidden


def test_a_teacher_is_refused_the_report_of_a_student_they_do_not_teach(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    with pytest.raises(Forbidden):
        service.student_report_by_id(
            scoped_session,
            actor=actors.teacher,
            student_id=actors.other_student_id,
            assessment_id=actors.assessment_id,
            surface="view",
        )
    with pytest.raises(Forbidden):
        service.exam_report_by_id(
            scoped_session,
            actor=actors.teacher,
            assessment_id=actors.assessment_id,
            surface="api",
            school_class_id=actors.other_class_id,
        )
    assert audit_rows_since(scoped_session, before) == []  # refusals: the web layer's row


def test_reading_a_students_report_writes_exactly_one_audit_row(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    view = service.student_report_by_id(
        scoped_session,
        actor=actors.teacher,
        student_id=actors.student_id,
        assessment_id=actors.assessment_id,
        surface="api",
    )
    rows = audit_rows_since(scoped_session, before)
    assert view.report.audience == "teacher" and view.trend
    assert [(r.action, r.object_type, r.object_id) for r in rows] == [
        ("student_report_api_teacher", "student", str(actors.student_id))
    ]
    assert rows[0].user_account_id == actors.teacher.id
    assert rows[0].scope == f"teacher:{actors.teacher.teacher_id}"


def test_an_exam_report_is_audited_once_per_read_with_the_class_it_shows(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    report = service.exam_report_by_id(
        scoped_session, actor=actors.teacher, assessment_id=actors.assessment_id, surface="xlsx"
    )
    rows = audit_rows_since(scoped_session, before)
    assert report.scope.school_class_id == actors.class_id  # the teacher's own class by default
    assert [(r.action, r.object_id) for r in rows] == [
        ("exam_report_xlsx", f"{actors.assessment_id}:class:{actors.class_id}")
    ]


def test_the_command_line_reads_as_the_system_and_is_audited_as_such(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    report = service.student_report(
        scoped_session,
        actor=CLI,
        student_number=actors.other_student_number,
        assessment_code=actors.assessment_code,
        surface="cli",
        audience="family",
        include_mastery=False,
    )
    rows = audit_rows_since(scoped_session, before)
    assert report.student_number == actors.other_student_number
    assert [(r.action, r.user_account_id, r.scope) for r in rows] == [
        ("student_report_cli_family", None, "cli")
    ]
