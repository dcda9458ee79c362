"""X-Forwarded-For and X-Forwarded-Proto count only from configured proxies, in the app and in
uvicorn as ``yincai serve`` starts it."""

from __future__ import annotations

import ipaddress

import httpx2
from fastapi.testclient import TestClient

from tests.governance.world import PASSWORD
from tests.web.clients import TOKEN, login
from tests.web.conftest import WorldDatabase
from tests.web.servers import served
from yincai.app import create_app
from yincai.config import Settings
from yincai.web.proxies import client_behind
from yincai.web.sessions import COOKIE_NAME

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]


def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy() -> None:
    assert client_behind("203.0.113.9", PROXIES) == "203.0.113.9"
    # A client-written left part is skipped: the nearest trusted proxy saw 198.51.100.4.
    assert client_behind("1.2.3.4, 198.51.100.4, 10.0.0.3", PROXIES) == "198.51.100.4"
    assert client_behind("10.1.1.1, 10.0.0.2", PROXIES) == "10.1.1.1"  # all hops trusted
    assert client_behind(" , ", PROXIES) is None


def _settings(world_db: WorldDatabase, **update: object) -> Settings:
    return world_db.settings.model_copy(update=update)


def _spray(client: TestClient, prefix: str, n: int, forwarded_for: str) -> list[int]:
    client.headers["X-Forwarded-For"] = forwarded_for
    return [login(client, f"{prefix}{i}", "wrong-password-1").status_code for i in range(n)]


def test_a_configured_proxys_forwarded_for_names_the_client(world_db: WorldDatabase) -> None:
    settings = _settings(world_db, trusted_proxies="10.0.0.0/8, 192.0.2.1")
    app = create_app(settings)
    with TestClient(app, client=("10.0.0.1", 4000)) as proxy:
        sprayer = _spray(proxy, "a", 16, "198.51.100.7")
        other_client = _spray(proxy, "b", 1, "198.51.100.8")
    with TestClient(app, client=("203.0.113.50", 4000)) as direct:
        # Not a proxy: its X-Forwarded-For is ignored, it is counted as itself.
        spoofed = _spray(direct, "c", 16, "198.51.100.9")
    assert sprayer == [401] * 15 + [429]
    assert other_client == [401]  # another client behind the same proxy is not locked out
    assert spoofed == [401] * 15 + [429]


def _secure(response: httpx2.Response) -> bool:
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(COOKIE_NAME))
    return "Secure" in cookie


def test_forwarded_proto_marks_the_cookie_secure_only_from_a_proxy(
    world_db: WorldDatabase,
) -> None:
    app = create_app(_settings(world_db, trusted_proxies="10.0.0.1"))
    https = {"X-Forwarded-Proto": "https"}
    with TestClient(app, client=("10.0.0.1", 4000), headers=https) as proxy:
        via_proxy = proxy.get("/login")  # the anonymous session cookie carries the CSRF token
    with TestClient(app, client=("203.0.113.50", 4000), headers=https) as direct:
        spoofed = direct.get("/login")
    assert _secure(via_proxy)
    assert not _secure(spoofed)


def test_the_reported_bypass_fails_against_the_server_as_yincai_serve_runs_it(
    world_db: WorldDatabase,
) -> None:
    """Issue 10: from loopback, a new X-Forwarded-For on every try after a 429 gave 12 more
    guesses, then the right password logged in."""

    def attempt(client: httpx2.Client, password: str, forwarded_for: str) -> int:
        token = TOKEN.search(client.get("/login").text)
        assert token
        response = client.post(
            "/login",
            data={"username": "w-teacher", "password": password, "csrf_token": token.group(1)},
            headers={"X-Forwarded-For": forwarded_for},
        )
        return response.status_code

    with served(world_db.settings) as url, httpx2.Client(base_url=url) as client:
        first = [attempt(client, "wrong-password-1", "127.0.0.1") for _ in range(6)]
        rotated = [attempt(client, f"wrong-password-{i}", f"203.0.113.{i}") for i in range(12)]
        right = attempt(client, PASSWORD, "198.51.100.200")
        home = client.get("/home")
    assert first == [401] * 5 + [429]
    assert rotated == [429] * 12
    assert right == 429
    assert home.status_code == 303  # never logged in
    assert home.headers["location"].startswith("/login")


def test_uvicorn_as_yincai_serve_runs_it_does_not_take_the_address_from_the_header(
    world_db: WorldDatabase,
) -> None:
    """Spraying from loopback with a new X-Forwarded-For per try: uvicorn's default trusts the
    header from 127.0.0.1 and would count each try at another address."""
    with served(world_db.settings) as url, httpx2.Client(base_url=url) as client:
        statuses = []
        for index in range(16):
            token = TOKEN.search(client.get("/login").text)
            assert token
            response = client.post(
                "/login",
                data={"username": f"u{index}", "password": "x" * 12, "csrf_token": token.group(1)},
                headers={"X-Forwarded-For": f"203.0.113.{index}"},
            )
            statuses.append(response.status_code)
    assert statuses == [401] * 15 + [429]
