"""Refused requests leave audit rows: out-of-scope objects, role refusals and CSRF refusals,
with the route's template and ids only; every 403 of a role's walk over the app is audited."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from tests.web.test_matrix import PARAMETERS, PUBLIC, SCOPE_CASES, SELF_ONLY, _fill, _ids, calls
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent

Row = tuple[int | None, str, str, str, str, str | None]
DENIALS = ("access_denied", "csrf_refused")


def _denials(world_db: WorldDatabase) -> list[Row]:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                AuditEvent.user_account_id,
                AuditEvent.action,
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.scope,
                AuditEvent.path,
            )
            .where(AuditEvent.action.in_(DENIALS))
            .order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_out_of_scope_pages_and_api_objects_are_audited_with_ids_only(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    with TestClient(create_app_for(world_db)) as client:
        logged_in(client, "w-teacher")
        page = client.get(f"/students/{world['B1']}")
        api = client.get(f"/api/hub/classes/{world['C1b']}/students")
        report = client.get(f"/students/{world['A2']}/assessments/{world['E9']}")
    assert page.status_code == api.status_code == report.status_code == 403
    teacher, scope = world["acct:teacher"], f"teacher:{world['T1']}"
    assert _denials(world_db) == [
        (teacher, "access_denied", "student", str(world["B1"]), scope, "/students/{student_id}"),
        (teacher, "access_denied", "school_class", str(world["C1b"]), scope,
         "/api/hub/classes/{school_class_id}/students"),
        (teacher, "access_denied", "assessment", str(world["E9"]), scope,
         "/students/{student_id}/assessments/{assessment_id}"),
    ]  # fmt: skip
    name, number = world.names["B1"]
    assert all(name not in str(row) and number not in str(row) for row in _denials(world_db))


def test_a_role_refusal_names_the_route(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app_for(world_db)) as client:
        logged_in(client, "w-school_admin")
        assert client.get("/governance/audit").status_code == 403
        assert client.get("/api/cockpit/warnings").status_code == 200  # allowed: no row
    assert _denials(world_db) == [
        (world["acct:school_admin"], "access_denied", "route", "audit_log",
         f"school:{world['S1']}", "/governance/audit"),
    ]  # fmt: skip


def test_csrf_refusals_are_audited_for_logged_in_and_anonymous_callers(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    with TestClient(create_app_for(world_db)) as client:
        refused_anonymous = client.post("/logout")
        logged_in(client, "w-district_admin")
        refused = client.post(
            f"/governance/users/{world['acct:teacher']}/active", data={"is_active": "false"}
        )
        wrong_token = client.post(
            "/api/cockpit/warnings/acknowledge",
            json={"key": "x"},
            headers={"X-CSRF-Token": "not-the-token"},
        )
    assert refused_anonymous.status_code == refused.status_code == wrong_token.status_code == 403
    admin, scope = world["acct:district_admin"], f"district:{world['D1']}"
    assert _denials(world_db) == [
        (None, "csrf_refused", "route", "logout", "anonymous", "/logout"),
        (admin, "csrf_refused", "user_account", str(world["acct:teacher"]), scope,
         "/governance/users/{user_account_id}/active"),
        (admin, "csrf_refused", "route", "acknowledge", scope,
         "/api/cockpit/warnings/acknowledge"),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["teacher", "parent"])
def test_every_refusal_in_a_walk_over_the_app_leaves_one_row(
    world_db: WorldDatabase, role: str
) -> None:
    world = world_db.world
    n_refused = 0
    with TestClient(create_app_for(world_db)) as client:
        logged_in(client, world.usernames[role])
        token = session_token(client)
        for call in calls(world_db):
            if call.path in SELF_ONLY | PUBLIC or call.path.startswith("/static"):
                continue
            names = [n for n in re.findall(r"{(\w+)", call.path) if n in PARAMETERS]
            for name in names or [None]:
                values = _ids(world, role, call.path, outside=name)
                if values is None:
                    values = {n: str(world[SCOPE_CASES[role][PARAMETERS[n]][1]]) for n in names}
                url = _fill(call.path, values)
                response = client.request(
                    call.method, url, headers={"X-CSRF-Token": token}, follow_redirects=False
                )
                n_refused += response.status_code == 403
    rows = _denials(world_db)
    assert n_refused >= 10
    assert len(rows) == n_refused
    assert {row[0] for row in rows} == {world[f"acct:{role}"]}
    assert all(row[5] is not None and row[5].startswith("/") for row in rows)  # templates


def create_app_for(world_db: WorldDatabase) -> object:
    from yincai.app import create_app

    return create_app(world_db.settings)
