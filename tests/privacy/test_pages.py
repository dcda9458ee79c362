"""Privacy pages: a parent consents and downloads their own child's data; staff record paper
forms; admins download; every view, change and download is audited."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.consent.models import ConsentMethod, GuardianConsent
from yincai.db import make_engine
from yincai.governance.models import AuditEvent


def _client(world_db: WorldDatabase, role: str) -> TestClient:
    client = TestClient(create_app(world_db.settings))
    return logged_in(client, world_db.world.usernames[role])


def _consents(world_db: WorldDatabase, student_id: int) -> list[GuardianConsent]:
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        rows = list(session.scalars(select(GuardianConsent).where(
            GuardianConsent.student_id == student_id).order_by(GuardianConsent.id)))  # fmt: skip
    engine.dispose()
    return rows


def _actions(world_db: WorldDatabase) -> list[tuple[str, str]]:
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        rows = [(a, o) for a, o in session.execute(
            select(AuditEvent.action, AuditEvent.object_id).order_by(AuditEvent.id))]  # fmt: skip
    engine.dispose()
    return rows


def test_a_parent_gives_and_withdraws_consent_for_their_own_child(
    world_db: WorldDatabase,
) -> None:
    child = world_db.world["A1"]
    with _client(world_db, "parent") as client:
        home = client.get("/privacy", follow_redirects=False)
        assert home.headers["location"] == f"/privacy/students/{child}"
        page = client.get(f"/privacy/students/{child}")
        assert "未同意" in page.text and "我同意" in page.text
        token = session_token(client)
        give = {"purpose": "diagnosis", "action": "give", "csrf_token": token}
        given = client.post(f"/privacy/students/{child}/consent", data=give)
        assert "已同意" in given.text and "撤回同意" in given.text
        (consent,) = _consents(world_db, child)
        assert consent.method is ConsentMethod.PARENT_ACCOUNT and consent.withdrawn_at is None
        client.post(f"/privacy/students/{child}/consent", data={**give, "action": "withdraw"})
        other = client.post(f"/privacy/students/{world_db.world['A2']}/consent", data=give)
    assert other.status_code == 403
    (consent,) = _consents(world_db, child)
    assert consent.withdrawn_at is not None
    assert _consents(world_db, world_db.world["A2"]) == []
    actions = _actions(world_db)
    assert ("consent_give", str(child)) in actions and ("consent_withdraw", str(child)) in actions


def test_a_teacher_records_a_paper_form_for_a_student_of_their_class_only(
    world_db: WorldDatabase,
) -> None:
    with _client(world_db, "teacher") as client:
        token = session_token(client)
        found = client.get("/privacy", params={"student_number": world_db.world.names["A2"][1]},
                           follow_redirects=False)  # fmt: skip
        assert found.headers["location"] == f"/privacy/students/{world_db.world['A2']}"
        hidden = client.get("/privacy", params={"student_number": world_db.world.names["B1"][1]})
        give = {"purpose": "diagnosis", "action": "give", "csrf_token": token}
        recorded = client.post(f"/privacy/students/{world_db.world['A2']}/consent", data=give)
        download = client.get(f"/privacy/students/{world_db.world['A2']}/export.zip")
    assert hidden.status_code == 404 and world_db.world.names["B1"][0] not in hidden.text
    assert recorded.status_code == 200 and "已同意（学校录入纸质同意书" in recorded.text
    (consent,) = _consents(world_db, world_db.world["A2"])
    assert consent.method is ConsentMethod.PAPER_FORM
    assert download.status_code == 403  # copies go to the parent or an admin


def test_the_parent_and_an_admin_download_the_childs_data_and_each_download_is_audited(
    world_db: WorldDatabase,
) -> None:
    child, other = world_db.world["A1"], world_db.world["A2"]
    with _client(world_db, "parent") as client:
        own = client.get(f"/privacy/students/{child}/export.zip")
        refused = client.get(f"/privacy/students/{other}/export.zip")
    with _client(world_db, "district_admin") as client:
        by_admin = client.get(f"/privacy/students/{other}/export.zip")
    assert own.status_code == 200 and own.headers["content-type"] == "application/zip"
    assert own.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(own.content)) as archive:
        (student,) = json.loads(archive.read("student.json"))
    assert (student["id"], student["name"]) == (child, world_db.world.names["A1"][0])
    assert refused.status_code == 403
    assert world_db.world.names["A2"][0].encode() not in refused.content
    assert by_admin.status_code == 200
    exports = [o for a, o in _actions(world_db) if a == "privacy_export"]
    assert exports == [str(child), str(other)]
