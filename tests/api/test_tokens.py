"""API tokens: a district admin binds one to a staff account; another system reads /api/v1 with
``Authorization: Bearer`` as that account (its scope, its audit), nothing else and no writes;
revoked tokens stop at once; only the hash is stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import ApiToken
from yincai.app import create_app
from yincai.cli import app as cli_app
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent


def _create(client: TestClient, account_id: int, **extra: object) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/v1/tokens",
        json={"user_account_id": account_id, "name": "区数据中心", **extra},
        headers={"X-CSRF-Token": session_token(client)},
    )
    return response.status_code, response.json()


def test_a_token_reads_as_its_account_and_stops_when_revoked(world_db: WorldDatabase) -> None:
    w = world_db.world
    app = create_app(world_db.settings)
    with TestClient(app) as admin:
        logged_in(admin, w.usernames["district_admin"])
        status, created = _create(admin, w["acct:teacher"])
        assert status == 201, created
        token = str(created["token"])
        listed = admin.get("/api/v1/tokens").json()["data"]
        with TestClient(app) as system:
            bearer = {"Authorization": f"Bearer {token}"}
            me = system.get("/api/v1/me", headers=bearer)
            students = system.get("/api/v1/students", headers=bearer)
            other_class = system.get(f"/api/v1/classes/{w['C1b']}/students", headers=bearer)
            not_v1 = system.get("/api/hub/schools", headers=bearer)
            page = system.get("/home", headers=bearer, follow_redirects=False)
            write = system.post("/api/v1/tokens", headers=bearer, json={})
            wrong = system.get("/api/v1/me", headers={"Authorization": "Bearer yc_nonsense"})
            revoked = admin.post(
                f"/api/v1/tokens/{created['id']}/revoke",
                headers={"X-CSRF-Token": session_token(admin)},
            )
            after = system.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["id"] == w["acct:teacher"]
    assert {s["id"] for s in students.json()["data"]} == {w["A1"], w["A2"]}
    assert other_class.status_code == 403
    assert not_v1.status_code == 401  # tokens open /api/v1 reads only
    assert page.status_code == 303  # pages ignore tokens: to the login form
    assert write.status_code in (401, 403)  # no writes with a token
    assert wrong.status_code == 401
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert after.status_code == 401
    assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        row = session.get(ApiToken, created["id"])
        assert row is not None and token not in (row.token_hash, row.name)
        assert row.last_used_at is not None
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.user_account_id == w["acct:teacher"])
            )
        )
        admin_actions = set(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.user_account_id == w["acct:district_admin"]
                )
            )
        )
    engine.dispose()
    assert "view_roster" in actions  # the system's reads are audited as the bound account
    assert {"api_token_create", "api_token_revoke"} <= admin_actions


def test_only_district_admins_make_tokens_and_only_for_staff(world_db: WorldDatabase) -> None:
    w = world_db.world
    app = create_app(world_db.settings)
    with TestClient(app) as teacher:
        logged_in(teacher, w.usernames["teacher"])
        by_teacher = _create(teacher, w["acct:teacher"])
    with TestClient(app) as admin:
        logged_in(admin, w.usernames["district_admin"])
        for_student = _create(admin, w["acct:student"])
        other_district = _create(admin, w["acct:admin2"])
        too_long = _create(admin, w["acct:teacher"], days=10_000)
    assert by_teacher[0] == 403 and by_teacher[1]["code"] == "role.forbidden"
    assert for_student[0] == 422 and for_student[1]["code"] == "api_token.account_not_staff"
    assert other_district[0] == 404
    assert too_long[0] == 422


def test_the_operator_creates_and_revokes_tokens(world_db: WorldDatabase) -> None:
    settings = world_db.settings
    env = {}
    if settings.database_url:
        env["YINCAI_DATABASE_URL"] = settings.database_url
        env["YINCAI_DATABASE_SCHEMA"] = settings.database_schema or ""
    base = ["--data-dir", str(settings.data_dir), "api"]
    runner = CliRunner()
    made = runner.invoke(
        cli_app, [*base, "token-create", "--username", "w-teacher", "--name", "sync"], env=env
    )
    assert made.exit_code == 0, made.output
    token = made.output.split(": ")[-1].strip()
    with TestClient(create_app(settings)) as system:
        before = system.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        engine = make_engine(settings)
        with session_scope(engine) as session:
            token_id = session.scalars(select(ApiToken.id)).one()
        engine.dispose()
        gone = runner.invoke(cli_app, [*base, "token-revoke", str(token_id)], env=env)
        after = system.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert before.status_code == 200
    assert gone.exit_code == 0, gone.output
    assert after.status_code == 401
    refused = runner.invoke(
        cli_app, [*base, "token-create", "--username", "w-student", "--name", "x"], env=env
    )
    assert refused.exit_code == 1
