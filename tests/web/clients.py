"""Driving the app like a browser: fetch the CSRF token from a page, log in, post forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response

from tests.governance.world import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, path: str = "/login") -> str:
    match = TOKEN.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Response:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def logged_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    response = login(client, username, password)
    assert response.status_code == 303, response.text
    return client


def session_token(client: TestClient) -> str:
    """The CSRF token of the logged-in session (as every page embeds it)."""
    return csrf_token(client, "/account/password")
