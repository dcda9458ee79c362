"""The warnings list records exactly the students it shows; its API answer matches its schema."""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in, session_token
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.cockpit import service
from yincai.cockpit.models import WarningAcknowledgement
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import Student
from yincai.governance.models import AuditEvent, AuditEventStudent


def _last_view_students(settings: Settings, account_id: int) -> set[int]:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        event_id = session.scalar(
            select(AuditEvent.id)
            .where(AuditEvent.action == "warnings_view", AuditEvent.user_account_id == account_id)
            .order_by(AuditEvent.id.desc())
        )
        found = set(
            session.scalars(
                select(AuditEventStudent.student_id).where(AuditEventStudent.event_id == event_id)
            )
        )
    engine.dispose()
    return found


def test_viewing_the_warnings_list_records_exactly_the_students_shown(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:  # what the list holds (its audit row rolled back)
        admin = session.scalars(select(UserAccount).where(UserAccount.username == "admin")).one()
        admin_id = admin.id
        expected = {
            w.subject.student_id
            for w in service.early_warnings(session, actor=admin, is_sensitive=True)
            if w.subject.student_id is not None
        }
        names = dict(
            session.execute(select(Student.id, Student.name).where(Student.id.in_(expected)))
            .tuples()
            .all()
        )
        session.rollback()
    engine.dispose()
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", DEMO_PASSWORD)
        page = client.get("/cockpit/warnings", params={"sensitive": "true"})
    assert page.status_code == 200
    assert len(expected) >= 3  # the demo plants declining and absent students
    assert all(name in page.text for name in names.values())  # they are the ones shown
    assert _last_view_students(demo_settings, admin_id) == expected


def test_the_warnings_api_matches_its_schema_with_an_acknowledged_warning(
    demo_settings: Settings,
) -> None:
    app = create_app(demo_settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema["/api/cockpit/warnings"]["GET"]
    with TestClient(app) as client:
        logged_in(client, "admin", DEMO_PASSWORD)
        key = client.get("/api/cockpit/warnings").json()[0]["key"]
        acknowledged = client.post(
            "/api/cockpit/warnings/acknowledge",
            json={"key": key, "note": "已跟进"},
            headers={"X-CSRF-Token": session_token(client)},
        )
        try:
            response = client.get("/api/cockpit/warnings", params={"sensitive": "true"})
        finally:  # the demo database is shared: leave no acknowledgement behind
            engine = make_engine(demo_settings)
            with session_scope(engine) as session:
                session.execute(
                    delete(WarningAcknowledgement).where(WarningAcknowledgement.warning_key == key)
                )
            engine.dispose()
    assert acknowledged.status_code == 200
    found = {w["key"]: w for w in response.json()}
    assert found[key]["acknowledgement"]["acknowledged_at"].endswith(("Z", "+00:00"))
    operation.validate_response(response)  # raises on any mismatch with the declared schema
