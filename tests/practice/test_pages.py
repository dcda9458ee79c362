from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.documents.conftest import clear_documents
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import SchoolClass, Student, TeachingAssignment
from yincai.governance.models import AuditEvent

PASSWORD = "yincai-demo-2026"


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)


def _ids(settings: Settings) -> tuple[str, int, int, int]:
    """The demo teacher's username, one of their classes, a student of it, a class not theirs."""
    engine = make_engine(settings)
    with session_scope(engine) as session:
        teacher = session.scalars(select(UserAccount).where(UserAccount.role == "teacher")).one()
        taught = set(
            session.scalars(
                select(TeachingAssignment.school_class_id).where(
                    TeachingAssignment.teacher_id == teacher.teacher_id
                )
            )
        )
        own_class = min(taught)
        student = session.scalars(
            select(Student.id).where(Student.school_class_id == own_class)
        ).first()
        other = session.scalars(select(SchoolClass.id).where(SchoolClass.id.not_in(taught))).first()
    engine.dispose()
    assert student is not None and other is not None
    return teacher.username, own_class, student, other


def test_teacher_downloads_a_student_booklet_at_once_and_follows_the_class_booklet_build(
    demo_settings: Settings,
) -> None:
    username, own_class, student, other_class = _ids(demo_settings)
    engine = make_engine(demo_settings)
    try:
        with TestClient(create_app(demo_settings)) as client:
            _login(client, username)
            booklet = client.get(f"/classes/{own_class}/practice.pdf", follow_redirects=False)
            single = client.get(f"/students/{student}/practice.pdf")
            refused = client.get(f"/classes/{other_class}/practice.pdf")
        with session_scope(engine) as session:
            exports = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "export_practice")
            ).all()
            found = {(e.object_type, e.object_id) for e in exports}
    finally:
        clear_documents(engine, demo_settings)  # the class booklet went to the job queue
        engine.dispose()
    assert booklet.status_code == 303 and booklet.headers["location"].startswith("/documents/")
    assert single.status_code == 200 and single.content.startswith(b"%PDF")
    assert single.headers["content-type"] == "application/pdf"
    assert refused.status_code in (403, 404)
    assert ("student", str(student)) in found  # the class booklet: tests/documents
