from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from yincai.config import Settings
from yincai.web.app import create_app


def test_health_reports_the_database_dialect(demo_settings: Settings, backend: str) -> None:
    with TestClient(create_app(demo_settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == backend


def test_landing_page_lists_every_school_of_the_district(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/")
        schools = client.get("/api/hub/schools").json()
    assert page.status_code == 200
    assert "示范区" in page.text
    assert len(schools) >= 12
    for school in schools:
        assert school["name"] in page.text
    assert sum(s["n_students"] for s in schools) > 600


def test_landing_page_on_an_empty_database_says_how_to_start(
    make_database: Callable[[], Settings],
) -> None:
    with TestClient(create_app(make_database())) as client:
        page = client.get("/")
        schools = client.get("/api/hub/schools")
    assert page.status_code == 200
    assert "yincai demo" in page.text
    assert schools.json() == []


def test_static_assets_are_served_locally(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/")
        css = client.get("/static/style.css")
    assert css.status_code == 200
    links = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert links
    assert all(link.startswith("/") for link in links)  # nothing from another host
