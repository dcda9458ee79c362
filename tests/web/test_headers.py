"""Security headers on every kind of response: pages, the JSON API, error pages, downloads,
static files, the API documentation, and a server error. docs/security.md#headers explains
each header."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.config import Settings
from yincai.web.headers import content_security_policy

FIXED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
PAGE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def _boom() -> None:
    raise RuntimeError("a bug")


def _app(settings: Settings) -> FastAPI:
    """The platform plus one route that fails, to see the server-error answer."""
    app = create_app(settings)
    app.add_api_route("/api/boom", _boom)
    return app


def _responses(world_db: WorldDatabase) -> dict[str, Response]:
    """One response of each kind, the ones after login as the teacher of class C1a."""
    world = world_db.world
    with TestClient(_app(world_db.settings), raise_server_exceptions=False) as client:
        found = {
            "landing page": client.get("/"),
            "login page": client.get("/login"),
            "redirect to login": client.get("/home", follow_redirects=False),
            "API 401": client.get("/api/hub/schools"),
            "CSRF 403": client.post("/login", data={"username": "x", "password": "y"}),
            "static CSS": client.get("/static/style.css"),
            "static script": client.get("/static/vendor/echarts.min.js"),
            "swagger page": client.get("/docs"),
            "redoc page": client.get("/redoc"),
            "OpenAPI JSON": client.get("/openapi.json"),
            "health": client.get("/health"),
            "server error 500": client.get("/api/boom"),
        }
        logged_in(client, world.usernames["teacher"])
        found |= {
            "home page": client.get("/home"),
            "class page": client.get(f"/classes/{world['C1a']}"),
            "exam report page": client.get(f"/assessments/{world['E1']}/report"),
            "exam report XLSX": client.get(f"/assessments/{world['E1']}/report.xlsx"),
            "JSON API": client.get("/api/governance/me"),
            "API 403": client.get(f"/api/hub/classes/{world['C1b']}/students"),
            "page 403": client.get(f"/classes/{world['C1b']}"),
            "page 404": client.get("/students/999999999"),
            "unknown path 404": client.get("/no/such/page"),
            "API 404": client.get("/api/hub/students/999999999"),
            "page 422": client.get("/classes/not-a-number"),
            "API 422": client.get("/api/hub/schools/not-a-number"),
        }
    return found


EXPECTED_STATUS = {
    "redirect to login": 303,
    "API 401": 401,
    "CSRF 403": 403,
    "server error 500": 500,
    "API 403": 403,
    "page 403": 403,
    "page 404": 404,
    "unknown path 404": 404,
    "API 404": 404,
    "page 422": 422,
    "API 422": 422,
}


def test_every_kind_of_response_carries_the_security_headers(world_db: WorldDatabase) -> None:
    responses = _responses(world_db)
    statuses = {kind: response.status_code for kind, response in responses.items()}
    assert statuses == {kind: EXPECTED_STATUS.get(kind, 200) for kind in responses}
    for kind, response in responses.items():
        headers = response.headers
        assert {name: headers.get(name) for name in FIXED} == FIXED, kind
        assert headers["permissions-policy"].startswith("accelerometer=()"), kind
        assert "camera=()" in headers["permissions-policy"], kind
        assert "strict-transport-security" not in headers, kind  # served over plain HTTP
        policy = directives(headers["content-security-policy"])
        if kind == "redoc page":
            assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
            assert policy["worker-src"] == ["'self'", "blob:"]
            policy = {k: v for k, v in policy.items() if k != "worker-src"} | {
                "style-src": ["'self'"]
            }
        assert policy == PAGE_CSP, kind
        expected_cache = "no-cache" if kind.startswith("static") else "no-store"
        assert headers["cache-control"] == expected_cache, kind


def test_no_policy_allows_inline_script_eval_or_another_host() -> None:
    for path in ("/home", "/docs", "/redoc", "/api/hub/schools"):
        policy = directives(content_security_policy(path))
        everything = [source for sources in policy.values() for source in sources]
        assert policy["script-src"] == ["'self'"], path
        assert "'unsafe-eval'" not in everything, path
        assert not [s for s in everything if s.startswith(("http", "*", "//"))], path
        assert policy["frame-ancestors"] == ["'none'"], path


@pytest.mark.parametrize(
    ("max_age", "subdomains", "base_url", "expected"),
    [
        (31_536_000, False, "https://yincai.school.example", "max-age=31536000"),
        (600, True, "https://yincai.school.example", "max-age=600; includeSubDomains"),
        (31_536_000, False, "http://yincai.school.example", None),  # plain HTTP: never
        (0, False, "https://yincai.school.example", None),  # turned off
    ],
)
def test_hsts_is_sent_only_over_https_and_follows_the_settings(
    world_db: WorldDatabase, max_age: int, subdomains: bool, base_url: str, expected: str | None
) -> None:
    settings = world_db.settings.model_copy(
        update={"hsts_max_age": max_age, "hsts_include_subdomains": subdomains}
    )
    with TestClient(create_app(settings), base_url=base_url) as client:
        page = client.get("/login")
        static = client.get("/static/style.css")
    assert page.status_code == static.status_code == 200
    assert page.headers.get("strict-transport-security") == expected
    assert static.headers.get("strict-transport-security") == expected


def test_a_header_a_route_sets_is_replaced_by_the_policy(world_db: WorldDatabase) -> None:
    app = create_app(world_db.settings)

    @app.get("/api/cached")
    def cached() -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Cache-Control": "public, max-age=86400"})

    with TestClient(app) as client:
        response = client.get("/api/cached")
    assert response.headers.get_list("cache-control") == ["no-store"]


def test_the_api_documentation_loads_only_bundled_files(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        swagger = client.get("/docs").text
        redoc = client.get("/redoc").text
        assets = [
            client.get(path)
            for path in (
                "/static/vendor/swagger-ui-bundle.js",
                "/static/vendor/swagger-ui.css",
                "/static/docs/swagger-init.js",
                "/static/vendor/redoc.standalone.js",
                "/static/docs/redoc-init.js",
                "/static/docs/redoc.css",
            )
        ]
        oauth_redirect = client.get("/docs/oauth2-redirect")
    assert 'src="/static/vendor/swagger-ui-bundle.js"' in swagger
    assert 'src="/static/vendor/redoc.standalone.js"' in redoc
    assert (
        'data-openapi-url="/openapi.json"' in swagger
        and 'data-openapi-url="/openapi.json"' in redoc
    )
    for html in (swagger, redoc):
        assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert [asset.status_code for asset in assets] == [200] * len(assets)
    assert oauth_redirect.status_code == 404  # FastAPI's CDN page is gone with its OAuth helper
