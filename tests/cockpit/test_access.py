"""The cockpit service refuses roles below school admin and audits each view once."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.accounts.actors import CLI
from yincai.cockpit import service
from yincai.errors import Forbidden


def test_a_teacher_is_refused_the_cockpit_and_its_warnings(
    scoped_session: Session, actors: DemoActors
) -> None:
    with pytest.raises(Forbidden):
        service.cockpit(scoped_session, actor=actors.teacher)
    with pytest.raises(Forbidden):
        service.early_warnings(scoped_session, actor=actors.teacher)


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
