from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.world import PASSWORD
from tests.web.clients import csrf_token, logged_in, login, session_token
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.web.sessions import COOKIE_NAME, SessionCodec


def test_login_sets_an_httponly_samesite_cookie_and_opens_the_home_page(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        response = login(client, "w-teacher")
        home = client.get("/home")
    assert response.status_code == 303
    assert response.headers["location"] == "/home"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE_NAME))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # configurable: plain http on a school intranet by default
    assert home.status_code == 200
    assert "七年级1班" in home.text


def test_the_secure_flag_is_set_over_https_or_when_configured(world_db: WorldDatabase) -> None:
    def cookie(settings: Settings, base_url: str) -> str:
        with TestClient(create_app(settings), base_url=base_url) as client:
            response = login(client, "w-teacher")
        return next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE_NAME))

    configured = world_db.settings.model_copy(update={"cookie_secure": True})
    assert "Secure" in cookie(world_db.settings, "https://testserver")
    assert "Secure" in cookie(configured, "http://testserver")
    assert "Secure" not in cookie(world_db.settings, "http://testserver")


def test_a_forged_or_tampered_session_cookie_is_ignored(world_db: WorldDatabase) -> None:
    codec = SessionCodec("someone-else's-key")
    forged = codec.dumps({"sid": "a-guessed-session-token", "csrf": "x"})
    with TestClient(create_app(world_db.settings), cookies={COOKIE_NAME: forged}) as client:
        response = client.get("/home", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_post_without_the_csrf_token_is_refused(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        csrf_token(client)  # the session cookie exists, but the form does not carry the token
        no_token = client.post("/login", data={"username": "w-teacher", "password": PASSWORD})
        wrong = client.post(
            "/login", data={"username": "w-teacher", "password": PASSWORD, "csrf_token": "x"}
        )
        logged_in(client, "w-teacher")
        api = client.post(
            "/api/governance/me/password",
            json={"old_password": PASSWORD, "new_password": "another-pass-1"},
        )
    assert no_token.status_code == 403
    assert wrong.status_code == 403
    assert api.status_code == 403
    assert api.json()["detail"].startswith("请求缺少有效的安全令牌")


def test_the_json_api_accepts_writes_with_the_csrf_header(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        response = client.post(
            "/api/governance/me/password",
            json={"old_password": PASSWORD, "new_password": "another-pass-1"},
            headers={"X-CSRF-Token": session_token(client)},
        )
        me = client.get("/api/governance/me")
    assert response.status_code == 204
    assert me.status_code == 200  # this session goes on after its own password change
    assert me.json()["username"] == "w-teacher"


def test_the_sixth_failed_login_within_fifteen_minutes_is_refused_with_429(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        failures = [login(client, "w-teacher", "wrong-password").status_code for _ in range(5)]
        sixth = login(client, "w-teacher", PASSWORD)
        other_user = login(client, "w-student", PASSWORD)
    assert failures == [401] * 5
    assert sixth.status_code == 429
    assert "15 分钟" in sixth.text
    assert int(sixth.headers["retry-after"]) > 0
    assert other_user.status_code == 303  # one account locked, not the whole address


def test_wrong_username_and_wrong_password_get_the_same_answer(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        unknown = login(client, "nobody", PASSWORD)
        wrong = login(client, "w-teacher", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或密码错误" in unknown.text and "用户名或密码错误" in wrong.text


def test_password_change_ends_other_sessions_and_the_new_password_works(
    world_db: WorldDatabase,
) -> None:
    app = create_app(world_db.settings)
    with TestClient(app) as client, TestClient(app) as elsewhere:
        logged_in(client, "w-parent")
        logged_in(elsewhere, "w-parent")
        changed = client.post(
            "/account/password",
            data={
                "old_password": PASSWORD,
                "new_password": "new-password-9",
                "new_password_again": "new-password-9",
                "csrf_token": session_token(client),
            },
        )
        still_in = client.get("/home", follow_redirects=False)
        other = elsewhere.get("/home", follow_redirects=False)
    with TestClient(app) as fresh:
        old = login(fresh, "w-parent", PASSWORD)
        new = login(fresh, "w-parent", "new-password-9")
    assert changed.status_code == 200
    assert "密码已修改" in changed.text
    assert still_in.status_code == 200
    assert other.status_code == 303
    assert old.status_code == 401
    assert new.status_code == 303


def test_password_change_with_a_wrong_current_password_changes_nothing(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-parent")
        response = client.post(
            "/account/password",
            data={
                "old_password": "not-it-at-all",
                "new_password": "new-password-9",
                "new_password_again": "new-password-9",
                "csrf_token": session_token(client),
            },
        )
    assert response.status_code == 403
    assert "当前密码不正确" in response.text


def test_logout_ends_the_session_on_the_server_too(world_db: WorldDatabase) -> None:
    app = create_app(world_db.settings)
    page = f"/classes/{world_db.world['C1a']}"
    with TestClient(app) as client:
        logged_in(client, "w-teacher")
        saved = client.cookies[COOKIE_NAME]  # what an attacker copied before the logout
        before = client.get(page, follow_redirects=False)
        token = session_token(client)
        out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        after = client.get("/home", follow_redirects=False)
    with TestClient(app, cookies={COOKIE_NAME: saved}) as replay:
        replayed = replay.get(page, follow_redirects=False)
        api = replay.get("/api/governance/me")
    assert before.status_code == 200
    assert out.status_code == 303
    assert after.status_code == 303
    assert after.headers["location"] == "/login?next=%2Fhome"
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/login")
    assert api.status_code == 401


def test_anonymous_requests_are_sent_to_the_login_or_get_401(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        page = client.get(f"/students/{world_db.world['A1']}", follow_redirects=False)
        api = client.get("/api/hub/schools")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=%2Fstudents%2F")
    assert api.status_code == 401


def test_login_never_redirects_to_another_host(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        token = csrf_token(client)
        response = client.post(
            "/login",
            data={
                "username": "w-teacher",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "//evil.example/x",
            },
            follow_redirects=False,
        )
    assert response.headers["location"] == "/home"


def test_a_disabled_account_can_no_longer_log_in_or_use_its_session(
    world_db: WorldDatabase,
) -> None:
    app = create_app(world_db.settings)
    with TestClient(app) as client:
        logged_in(client, "w-teacher")
        engine = make_engine(world_db.settings)
        with session_scope(engine) as session:
            account = session.scalars(
                select(UserAccount).where(UserAccount.username == "w-teacher")
            ).one()
            account.is_active = False
        engine.dispose()
        after = client.get("/home", follow_redirects=False)
    with TestClient(app) as fresh:
        again = login(fresh, "w-teacher")
    assert after.status_code == 303
    assert again.status_code == 401
