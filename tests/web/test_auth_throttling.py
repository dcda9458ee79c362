"""Login throttling as the login form applies it: per address across usernames, per account across
addresses, through restarts, and every failure audited with ids only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.world import PASSWORD
from tests.web.clients import login
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent


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


def test_spraying_twenty_usernames_from_one_address_is_stopped(world_db: WorldDatabase) -> None:
    app = create_app(world_db.settings)
    with TestClient(app, client=("198.51.100.7", 5000)) as sprayer:
        sprayed = [login(sprayer, f"2026010{i:04d}", "12345678aa").status_code for i in range(20)]
        right_password = login(sprayer, "w-teacher", PASSWORD)
        home = sprayer.get("/home", follow_redirects=False)
    with TestClient(app, client=("198.51.100.8", 5000)) as neighbour:
        elsewhere = login(neighbour, "w-teacher", PASSWORD)
    assert sprayed == [401] * 15 + [429] * 5
    assert right_password.status_code == 429  # a lockout holds for the right password too
    assert home.status_code == 303
    assert elsewhere.status_code == 303


def test_one_account_is_locked_from_every_address(world_db: WorldDatabase) -> None:
    app = create_app(world_db.settings)
    statuses = []
    for index in range(6):
        with TestClient(app, client=(f"203.0.113.{index}", 5000)) as client:
            statuses.append(login(client, "w-teacher", "wrong-password-1").status_code)
    with TestClient(app, client=("203.0.113.99", 5000)) as client:
        right = login(client, "w-teacher", PASSWORD)
    assert statuses == [401] * 5 + [429]
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0


def test_failures_survive_a_restart_and_are_shared_by_processes(world_db: WorldDatabase) -> None:
    settings = world_db.settings.model_copy(update={"secret_key": "a-configured-key-0123456789"})
    for _ in range(5):  # each try served by a fresh process, as after restarts
        with TestClient(create_app(settings)) as client:
            assert login(client, "w-parent", "wrong-password-1").status_code == 401
    with TestClient(create_app(settings)) as client:
        assert login(client, "w-parent", PASSWORD).status_code == 429


def test_every_kind_of_failed_login_leaves_an_audit_row_with_ids_only(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        parent = session.get(UserAccount, world["acct:parent"])
        assert parent is not None
        parent.is_active = False
    engine.dispose()
    typed = "someone-typed-their-own-name"
    with TestClient(create_app(world_db.settings)) as client:
        login(client, typed, PASSWORD)
        login(client, "w-parent", PASSWORD)
        for _ in range(6):
            login(client, "w-student", "wrong-password-1")
    rows = _audit_rows(world_db)
    student, parent_id = world["acct:student"], world["acct:parent"]
    assert (None, "login_unknown_user", "user_account", "unknown", "login") in rows
    assert (parent_id, "login_disabled_account", "user_account", str(parent_id), "login") in rows
    wrong = (student, "login_wrong_password", "user_account", str(student), "login")
    assert rows.count(wrong) == 5
    assert (student, "login_locked_out", "user_account", str(student), "login") in rows
    assert all(typed not in str(row) and "w-student" not in str(row) for row in rows)
