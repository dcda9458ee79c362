"""A temporary password (set by an admin or in bulk) opens only the password form until changed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.clients import logged_in, login, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app

TEMPORARY = "given-by-admin-7"


def _change(client: TestClient, new: str) -> tuple[int, str]:
    response = client.post(
        "/account/password",
        data={
            "old_password": TEMPORARY,
            "new_password": new,
            "new_password_again": new,
            "csrf_token": session_token(client),
        },
    )
    return response.status_code, response.text


def test_an_account_created_by_an_admin_must_change_its_password_first(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    app = create_app(world_db.settings)
    with TestClient(app) as admin:
        logged_in(admin, "w-school_admin")
        created = admin.post(
            "/governance/users",
            data={
                "username": "w-new-student",
                "password": TEMPORARY,
                "role": "student",
                "student_number": world.names["B1"][1],
                "must_change_password": "true",
                "csrf_token": session_token(admin),
            },
        )
    with TestClient(app) as client:
        first = login(client, "w-new-student", TEMPORARY)
        page = client.get(f"/students/{world['B1']}", follow_redirects=False)
        api = client.get("/api/hub/schools")
        me = client.get("/api/governance/me")
        form = client.get("/account/password")
        weak = _change(client, "password")
        named = _change(client, "w-new-student-2026")
        done = _change(client, "my-own-passphrase-9")
        after = client.get(f"/students/{world['B1']}", follow_redirects=False)
    assert created.status_code == 200 and "临时密码" in created.text
    assert first.headers["location"] == "/account/password"
    assert page.status_code == 303 and page.headers["location"] == "/account/password"
    assert api.status_code == 403 and api.json()["detail"].startswith("请先修改初始密码")
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    assert "这是临时密码" in form.text
    assert weak[0] == 422 and "常见密码" in weak[1] and "至少需要 10 个字符" in weak[1]
    assert named[0] == 422 and "不能包含用户名" in named[1]
    assert done[0] == 200 and "密码已修改" in done[1]
    assert after.status_code == 200


def test_the_json_api_changes_a_temporary_password(world_db: WorldDatabase) -> None:
    app = create_app(world_db.settings)
    world = world_db.world
    with TestClient(app) as admin:
        logged_in(admin, "w-district_admin")
        admin.post(
            f"/governance/users/{world['acct:teacher']}/password",
            data={"new_password": TEMPORARY, "csrf_token": session_token(admin)},
        )
    with TestClient(app) as client:
        login(client, "w-teacher", TEMPORARY)
        held = client.get(f"/api/hub/classes/{world['C1a']}/students")
        changed = client.post(
            "/api/governance/me/password",
            json={"old_password": TEMPORARY, "new_password": "my-own-passphrase-9"},
            headers={"X-CSRF-Token": session_token(client)},
        )
        free = client.get(f"/api/hub/classes/{world['C1a']}/students").status_code
    assert held.status_code == 403 and held.json()["detail"].startswith("请先修改初始密码")
    assert changed.status_code == 204
    assert free == 200
