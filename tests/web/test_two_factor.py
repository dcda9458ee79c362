"""Two-factor login for admins in the browser's terms: enrol with a QR code, log in in two steps,
required by a setting, reset by a district admin."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import ValidationError
from sqlalchemy import select

from tests.web.clients import logged_in, login, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent

SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)", re.IGNORECASE)


def _settings(world_db: WorldDatabase, **update: object) -> Settings:
    return world_db.settings.model_copy(update={"secret_key": "district-key-0123456789", **update})


def _enrol(client: TestClient) -> pyotp.TOTP:
    """Enrol the logged-in admin through the pages; the app's TOTP."""
    started = client.post("/account/two-factor", data={"csrf_token": session_token(client)})
    assert started.status_code == 200
    assert started.headers["cache-control"] == "no-store"
    assert "<svg" in started.text and not INLINE_SCRIPT.search(started.text)
    match = SECRET.search(started.text)
    assert match, started.text
    totp = pyotp.TOTP(match.group(1).replace(" ", ""))
    confirmed = client.post(
        "/account/two-factor", data={"code": totp.now(), "csrf_token": session_token(client)}
    )
    assert "两步验证已启用" in confirmed.text
    return totp


def _code(client: TestClient, code: str) -> Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login/two-factor").text)
    assert token
    return client.post(
        "/login/two-factor",
        data={"code": code, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def _actions(world_db: WorldDatabase) -> list[tuple[int | None, str]]:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        rows = session.execute(select(AuditEvent.user_account_id, AuditEvent.action)).all()
    engine.dispose()
    return [(row[0], row[1]) for row in rows]


def test_an_enrolled_admin_logs_in_with_password_then_code(world_db: WorldDatabase) -> None:
    app = create_app(_settings(world_db))
    with TestClient(app) as client:
        logged_in(client, "w-district_admin")
        totp = _enrol(client)
    with TestClient(app) as client:
        password_step = login(client, "w-district_admin")
        between = client.get("/home", follow_redirects=False)
        wrong = _code(client, "000000")
        # The next step's code: enrolment used this step's, and each code works once.
        right = _code(client, totp.at(time.time() + 30))
        home = client.get("/home", follow_redirects=False)
    assert password_step.headers["location"] == "/login/two-factor"
    assert between.status_code == 303 and between.headers["location"].startswith("/login")
    assert wrong.status_code == 401 and "验证码不正确" in wrong.text
    assert right.status_code == 303 and right.headers["location"] == "/home"
    assert home.status_code == 200
    admin = world_db.world["acct:district_admin"]
    actions = _actions(world_db)
    assert (admin, "two_factor_enable") in actions
    assert (admin, "login_wrong_totp") in actions
    assert actions.count((admin, "login")) == 2  # the enrolling login and the two-step one


def test_codes_are_throttled_like_passwords(world_db: WorldDatabase) -> None:
    app = create_app(_settings(world_db))
    with TestClient(app) as client:
        logged_in(client, "w-school_admin")
        totp = _enrol(client)
    with TestClient(app) as client:
        login(client, "w-school_admin")
        guesses = [_code(client, f"{n:06d}").status_code for n in range(5)]
        right = _code(client, totp.at(time.time() + 30))
    assert guesses[:4] == [401] * 4 and guesses[4] == 429  # the password step counts as one
    assert right.status_code == 429


def test_required_two_factor_holds_every_admin_page_until_enrolled(
    world_db: WorldDatabase,
) -> None:
    app = create_app(_settings(world_db, require_admin_two_factor=True))
    with TestClient(app) as admin, TestClient(app) as teacher:
        first = login(admin, "w-school_admin")
        page = admin.get("/governance/users", follow_redirects=False)
        api = admin.get("/api/hub/schools")
        enrolment = admin.get("/account/two-factor")
        logged_in(teacher, "w-teacher")
        teacher_home = teacher.get("/home", follow_redirects=False)
        _enrol(admin)
        after = admin.get("/governance/users", follow_redirects=False)
    assert first.headers["location"] == "/account/two-factor"
    assert page.status_code == 303 and page.headers["location"] == "/account/two-factor"
    assert api.status_code == 403 and api.json()["detail"].startswith("请先绑定两步验证")
    assert enrolment.status_code == 200 and "开始绑定" in enrolment.text
    assert teacher_home.status_code == 200
    assert after.status_code == 200


def test_a_district_admin_resets_a_lost_authenticator(world_db: WorldDatabase) -> None:
    app = create_app(_settings(world_db))
    school_admin = world_db.world["acct:school_admin"]
    with TestClient(app) as owner, TestClient(app) as district:
        logged_in(owner, "w-school_admin")
        _enrol(owner)
        logged_in(district, "w-district_admin")
        listed = district.get("/governance/users").text
        reset = district.post(
            f"/governance/users/{school_admin}/two-factor/reset",
            data={"csrf_token": session_token(district)},
        )
        ended = owner.get("/api/governance/me").status_code
    with TestClient(app) as owner:
        again = login(owner, "w-school_admin")
    assert f"/governance/users/{school_admin}/two-factor/reset" in listed
    assert reset.status_code == 200
    assert ended == 401  # the reset also ended the account's sessions
    assert again.headers["location"] == "/home"  # password only, until enrolled again
    assert (world_db.world["acct:district_admin"], "two_factor_reset") in _actions(world_db)


def test_two_factor_is_for_admins_and_needs_a_configured_key(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        teacher = client.get("/account/two-factor")
        logged_in(client, "w-district_admin")
        no_key = client.post("/account/two-factor", data={"csrf_token": session_token(client)})
    assert teacher.status_code == 403
    assert no_key.status_code == 409 and "YINCAI_SECRET_KEY" in no_key.text


def test_requiring_two_factor_without_a_secret_key_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(data_dir=tmp_path, require_admin_two_factor=True)
