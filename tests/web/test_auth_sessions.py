"""Sessions as the browser sees them: rotated at login, ended by the server, cheap per request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, update
from typer.testing import CliRunner

from tests.web.clients import csrf_token, logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import LoginSession
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.governance import cli as governance_cli
from yincai.web.sessions import COOKIE_NAME


def test_login_rotates_the_session_and_a_second_login_ends_the_first(
    world_db: WorldDatabase,
) -> None:
    app = create_app(world_db.settings)
    with TestClient(app) as client:
        csrf_token(client)
        anonymous = client.cookies[COOKIE_NAME]  # e.g. planted by an attacker (fixation)
        logged_in(client, "w-teacher")
        first = client.cookies[COOKIE_NAME]
        logged_in(client, "w-teacher")
        second = client.cookies[COOKIE_NAME]
    results = {}
    for name, cookie in (("anonymous", anonymous), ("first", first), ("second", second)):
        with TestClient(app, cookies={COOKIE_NAME: cookie}) as replay:
            results[name] = replay.get("/api/governance/me").status_code
    assert len({anonymous, first, second}) == 3
    assert results == {"anonymous": 401, "first": 401, "second": 200}


def test_an_admins_reset_and_the_operators_commands_end_the_accounts_sessions(
    world_db: WorldDatabase,
) -> None:
    app = create_app(world_db.settings)
    runner = CliRunner()
    with TestClient(app) as teacher, TestClient(app) as admin:
        logged_in(teacher, "w-teacher3")
        logged_in(admin, "w-district_admin")
        admin.post(
            f"/governance/users/{world_db.world['acct:teacher3']}/password",
            data={"new_password": "temporary-pass-7", "csrf_token": session_token(admin)},
        )
        after_reset = teacher.get("/api/governance/me").status_code
        logged_in(teacher, "w-teacher", "world-password-1")
        passwd = runner.invoke(
            governance_cli.app,
            ["passwd", "w-teacher", "--password", "operator-set-pass-3"],
            obj=world_db.settings,
        )
        after_passwd = teacher.get("/api/governance/me").status_code
        logged_in(teacher, "w-student")
        disable = runner.invoke(governance_cli.app, ["disable", "w-student"], obj=world_db.settings)
        after_disable = teacher.get("/api/governance/me").status_code
        admin_still = admin.get("/api/governance/me").status_code
    assert passwd.exit_code == disable.exit_code == 0
    assert after_reset == after_passwd == after_disable == 401
    assert admin_still == 200


def test_the_idle_timeout_setting_ends_a_quiet_session(world_db: WorldDatabase) -> None:
    settings = world_db.settings.model_copy(update={"session_idle_minutes": 5})
    with TestClient(create_app(settings)) as client:
        logged_in(client, "w-teacher")
        engine = make_engine(settings)

        def quiet_for(minutes: int) -> None:
            with session_scope(engine) as session:
                session.execute(
                    update(LoginSession).values(
                        last_seen_at=datetime.now(UTC) - timedelta(minutes=minutes)
                    )
                )

        quiet_for(4)
        awake = client.get("/home", follow_redirects=False)
        quiet_for(6)
        asleep = client.get("/home", follow_redirects=False)
        engine.dispose()
    assert awake.status_code == 200
    assert asleep.status_code == 303
    assert asleep.headers["location"].startswith("/login")


def test_a_request_costs_one_read_and_last_seen_is_written_at_most_once_a_minute(
    world_db: WorldDatabase,
) -> None:
    app = create_app(world_db.settings)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
            statements.append(statement.lstrip().split()[0].upper())

    with TestClient(app) as client:
        logged_in(client, "w-teacher")
        event.listen(app.state.engine, "before_cursor_execute", record)
        try:
            for _ in range(3):
                assert client.get("/api/governance/me").status_code == 200
        finally:
            event.remove(app.state.engine, "before_cursor_execute", record)
    assert statements == ["SELECT"] * 3
