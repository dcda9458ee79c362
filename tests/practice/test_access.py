"""The practice service checks the actor's scope and audits every set it makes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.errors import Forbidden
from yincai.practice import service


def test_a_teacher_is_refused_the_practice_of_students_and_classes_they_do_not_teach(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Forbidden):
        service.student_practice_by_id(
            scoped_session, actor=actors.teacher, student_id=actors.other_student_id
        )
    with pytest.raises(Forbidden):
        service.class_practice_by_id(
            scoped_session, actor=actors.teacher, school_class_id=actors.other_class_id
        )
    with pytest.raises(Forbidden):
        service.practice_sets(
            scoped_session,
            actor=actors.teacher,
            student_ids=[actors.student_id, actors.other_student_id],
        )


def test_a_students_booklet_writes_exactly_one_audit_row(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    practice = service.student_practice_by_id(
        scoped_session, actor=actors.teacher, student_id=actors.student_id
    )
    rows = audit_rows_since(scoped_session, before)
    assert practice.student_id == actors.student_id and practice.items
    assert [(r.action, r.object_type, r.object_id, r.user_account_id) for r in rows] == [
        ("export_practice", "student", str(actors.student_id), actors.teacher.id)
    ]
