from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.world import PASSWORD
from tests.web.clients import logged_in, login, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent
from yincai.web import templating

TEMPLATES = Path(templating.__file__).parent / "templates"


def _audit_rows(world_db: WorldDatabase) -> list[tuple[int | None, str, str, str, str]]:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                AuditEvent.user_account_id,
                AuditEvent.action,
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.scope,
            ).order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_viewing_a_student_writes_an_audit_row_with_ids_only(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        page = client.get(f"/students/{world['A2']}")
        roster = client.get(f"/api/hub/classes/{world['C1a']}/students")
    rows = _audit_rows(world_db)
    teacher = world["acct:teacher"]
    assert page.status_code == roster.status_code == 200
    assert (teacher, "view_student", "student", str(world["A2"]), f"teacher:{world['T1']}") in rows
    assert (
        teacher,
        "view_roster",
        "school_class",
        str(world["C1a"]),
        f"teacher:{world['T1']}",
    ) in rows
    name, number = world.names["A2"]
    assert all(name not in str(row) and number not in str(row) for row in rows)


def test_a_refused_view_leaves_no_audit_row_of_a_read(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-student")
        refused = client.get(f"/students/{world['A2']}")
    assert refused.status_code == 403
    assert not [row for row in _audit_rows(world_db) if row[1] == "view_student"]


def test_district_admin_filters_and_pages_the_audit_log(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        for _ in range(3):
            client.get(f"/students/{world['A1']}")
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        page = client.get("/governance/audit", params={"action": "view_student"})
        api = client.get(
            "/api/governance/audit",
            params={"user_account_id": world["acct:teacher"], "action": "view_student"},
        ).json()
        logins = client.get("/api/governance/audit", params={"action": "login"}).json()
        future = client.get("/api/governance/audit", params={"since": "2999-01-01"}).json()
    assert page.status_code == 200
    assert page.text.count("view_student") >= 3
    assert api["n_events"] == 3
    assert {e["object_id"] for e in api["events"]} == {str(world["A1"])}
    assert logins["n_events"] == 2
    assert future["n_events"] == 0


def test_only_district_admins_see_the_audit_log(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-school_admin")
        page = client.get("/governance/audit")
        api = client.get("/api/governance/audit")
    assert page.status_code == api.status_code == 403


def test_school_admin_manages_only_the_own_schools_non_admin_accounts(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-school_admin")
        token = session_token(client)
        listed = client.get("/api/governance/accounts").json()
        created = client.post(
            "/governance/users",
            data={
                "username": "w-new-parent",
                "password": "parent-pass-1",
                "role": "parent",
                "display_name": "新家长",
                "student_number": world.names["B1"][1],
                "csrf_token": token,
            },
        )
        other_school = client.post(
            "/governance/users",
            data={
                "username": "w-bad",
                "password": "parent-pass-1",
                "role": "parent",
                "student_number": world.names["Z1"][1],
                "csrf_token": token,
            },
        )
        admin = client.post(
            "/governance/users",
            data={
                "username": "w-bad2",
                "password": "admin-pass-1",
                "role": "district_admin",
                "csrf_token": token,
            },
        )
        reset_elsewhere = client.post(
            f"/governance/users/{world['acct:teacher3']}/password",
            data={"new_password": "hijack-pass-1", "csrf_token": token},
        )
        disabled = client.post(
            f"/governance/users/{world['acct:teacher']}/active",
            data={"is_active": "false", "csrf_token": token},
            follow_redirects=False,
        )
    assert {a["username"] for a in listed} == {"w-teacher", "w-student", "w-parent"}
    assert created.status_code == 200 and "w-new-parent" in created.text
    assert other_school.status_code == 403
    assert admin.status_code == 403
    assert reset_elsewhere.status_code == 403
    assert disabled.status_code == 303
    with TestClient(create_app(world_db.settings)) as client:
        assert login(client, "w-teacher").status_code == 401
        assert login(client, "w-new-parent", "parent-pass-1").status_code == 303
        assert login(client, "w-teacher3").status_code == 303  # the refused reset changed nothing


def test_district_admin_resets_a_password(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        reset = client.post(
            f"/governance/users/{world['acct:teacher3']}/password",
            data={"new_password": "fresh-pass-22", "csrf_token": session_token(client)},
        )
    with TestClient(create_app(world_db.settings)) as client:
        old = login(client, "w-teacher3", PASSWORD)
        new = login(client, "w-teacher3", "fresh-pass-22")
    assert reset.status_code == 200
    assert old.status_code == 401 and new.status_code == 303


def test_english_is_available_by_query_and_cookie(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        chinese = client.get("/login")
        english = client.get("/login", params={"lang": "en"})
        client.get("/lang/en")
        remembered = client.get("/login")
    assert "请登录" in chinese.text and 'lang="zh-CN"' in chinese.text
    assert "Please log in" in english.text and "请登录" not in english.text
    assert "Please log in" in remembered.text
