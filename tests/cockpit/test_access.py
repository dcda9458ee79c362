"""The cockpit service refuses roles below school admin and audits each view once."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.accounts.actors import CLI
from yincai.cockpit import service
from yincai.errors import Forbidden


def test_a_teacher_is_refused_the_cockpit_and_sees_only_their_classes_warnings(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Forbidden):
        service.cockpit(scoped_session, actor=actors.teacher)
    before = last_audit_id(scoped_session)
    mine = service.early_warnings(scoped_session, actor=actors.teacher, is_sensitive=True)
    rows = audit_rows_since(scoped_session, before)
    everything = service.early_warnings(scoped_session, actor=actors.admin, is_sensitive=True)
    taught = {
        w.subject.school_class_id for w in everything if w.subject.school_class_id is not None
    } & {actors.class_id}
    assert {w.subject.school_class_id for w in mine} <= {actors.class_id}
    assert {w.key for w in mine} == {
        w.key for w in everything if w.subject.school_class_id in taught
    }
    assert [(r.action, r.object_type, r.user_account_id) for r in rows] == [
        ("warnings_view", "user_account", actors.teacher.id)
    ]


def test_the_warnings_list_writes_exactly_one_audit_row_naming_its_students(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    found = service.early_warnings(scoped_session, actor=actors.admin, is_sensitive=True)
    rows = audit_rows_since(scoped_session, before)
    assert [(r.action, r.object_type, r.user_account_id) for r in rows] == [
        ("warnings_view", "district", actors.admin.id)
    ]
    assert any(w.subject.student_id is not None for w in found)


def test_the_command_line_sees_the_district_audited_as_the_system(
    scoped_session: Session, actors: DemoActors
) -> None:
    before = last_audit_id(scoped_session)
    data = service.cockpit(scoped_session, actor=CLI)
    rows = audit_rows_since(scoped_session, before)
    assert data.scope == "district" and data.equity is not None
    assert [(r.action, r.user_account_id, r.scope) for r in rows] == [("cockpit_view", None, "cli")]
