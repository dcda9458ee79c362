"""The diagnosis service checks the actor's scope; its whole views write one audit row."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.diagnosis import service, views
from yincai.errors import Forbidden


def test_a_teacher_is_refused_the_mastery_of_students_and_classes_they_do_not_teach(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Forbidden):
        service.student_mastery(
            scoped_session, actor=actors.teacher, student_id=actors.other_student_id
        )
    with pytest.raises(Forbidden):
        service.class_mastery(
            scoped_session, actor=actors.teacher, school_class_id=actors.other_class_id
        )
    with pytest.raises(Forbidden):
        service.students_mastery(
            scoped_session, actor=actors.teacher, student_ids=[actors.other_student_id]
        )
    with pytest.raises(Forbidden):
        views.mastery_of_student(
            scoped_session, actor=actors.teacher, student_number=actors.other_student_number
        )


def test_a_students_mastery_writes_exactly_one_audit_row(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    view = views.mastery_of_student(
        scoped_session, actor=actors.teacher, student_number=actors.student_number
    )
    rows = audit_rows_since(scoped_session, before)
    assert view.student_id == actors.student_id and view.rows
    assert [(r.action, r.object_type, r.object_id) for r in rows] == [
        ("mastery_view", "student", str(actors.student_id))
    ]


def test_an_exams_mastery_covers_only_the_sitters_in_scope(
    scoped_session: Session, actors: DemoActors
) -> None:
    found = views.mastery_of_assessment(
        scoped_session, actor=actors.teacher, assessment_code=actors.assessment_code
    )
    assert actors.student_id in found.table.student_ids
    assert actors.other_student_id not in found.table.student_ids
