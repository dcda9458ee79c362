from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.clients import logged_in
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import TeachingAssignment
from yincai.governance.models import AuditEvent

DEMO_PASSWORD = "yincai-demo-2026"


def _demo_username(settings: Settings, role: Role) -> str:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        username = session.scalars(
            select(UserAccount.username).where(UserAccount.role == role)
        ).first()
    engine.dispose()
    assert username is not None
    return username


def test_health_reports_the_database_dialect(demo_settings: Settings, backend: str) -> None:
    with TestClient(create_app(demo_settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == backend


def test_landing_page_shows_the_login_and_lists_the_schools_but_no_person(
    demo_settings: Settings,
) -> None:
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/")
        anonymous_api = client.get("/api/hub/schools")
        logged_in(client, "admin", DEMO_PASSWORD)
        schools = client.get("/api/hub/schools").json()
    assert page.status_code == 200
    assert 'action="/login"' in page.text
    assert "示范区" in page.text
    assert anonymous_api.status_code == 401
    assert len(schools) >= 12
    assert all(school["name"] in page.text for school in schools)  # schools are public facts
    assert "20260100001" not in page.text  # no student number, no personal data


def test_district_admin_home_lists_every_school(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", DEMO_PASSWORD)
        page = client.get("/home")
        schools = client.get("/api/hub/schools").json()
    assert sum(s["n_students"] for s in schools) > 600
    for school in schools:
        assert school["name"] in page.text


def test_teacher_home_shows_the_classes_taught_with_participation(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, _demo_username(demo_settings, Role.TEACHER), DEMO_PASSWORD)
        page = client.get("/home")
        class_id = re.search(r'href="/classes/(\d+)"', page.text)
        assert class_id is not None
        roster = client.get(f"/api/hub/classes/{class_id.group(1)}/students").json()
    assert "我的班级" in page.text and "参考率" in page.text
    assert roster["students"] and roster["exams"]
    assert any(total is not None for row in roster["students"] for total in row["totals"])


def test_student_home_shows_grade_bands_and_never_scores_or_ranks(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, _demo_username(demo_settings, Role.STUDENT), DEMO_PASSWORD)
        page = client.get("/home")
        me = client.get("/api/governance/me").json()
        profile = client.get(f"/api/hub/students/{me['student_id']}").json()
    assert re.search(r'class="band band-[ABCD]"', page.text)
    assert "总分" not in page.text  # no score column; the page says ranks are not published
    assert not re.search(r"\d / \d", page.text)
    assert profile["results"] and all(r["total"] is None for r in profile["results"])
    assert {r["band"] for r in profile["results"]} <= {"A", "B", "C", "D", None}


def test_landing_page_on_an_empty_database_says_how_to_start(
    make_database: Callable[[], Settings],
) -> None:
    with TestClient(create_app(make_database())) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "yincai demo" in page.text


def test_static_assets_are_served_locally(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/")
        assets = [client.get(f"/static/{name}") for name in
                  ("style.css", "vendor/htmx.min.js", "vendor/echarts.min.js")]  # fmt: skip
    assert all(asset.status_code == 200 for asset in assets)
    links = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert links
    assert all(link.startswith("/") for link in links)  # nothing from another host


def test_an_id_beyond_the_integer_range_is_not_found_not_a_server_error(
    demo_settings: Settings,
) -> None:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", DEMO_PASSWORD)
        response = client.get("/api/hub/schools/2147483648")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_concurrent_page_views_that_write_audit_rows_all_succeed(
    demo_settings: Settings,
) -> None:
    # More requests in flight than threads and pooled connections: a connection held between
    # the login check and the route once deadlocked the pool, and SQLite refused audit writes
    # from read transactions whose snapshot another view had made stale.
    settings = demo_settings.model_copy(update={"web_threads": 3})
    engine = make_engine(settings)
    with session_scope(engine) as session:
        username, teacher_id = session.execute(
            select(UserAccount.username, UserAccount.teacher_id).where(
                UserAccount.role == Role.TEACHER
            )
        ).first()  # type: ignore[misc]
        class_id = session.scalar(
            select(TeachingAssignment.school_class_id).where(
                TeachingAssignment.teacher_id == teacher_id
            )
        )
        audited_before = session.scalar(select(func.count()).select_from(AuditEvent))
    n_views = 40
    with TestClient(create_app(settings)) as client:
        logged_in(client, username, DEMO_PASSWORD)
        with ThreadPoolExecutor(max_workers=n_views) as pool:
            statuses = list(
                pool.map(lambda _: client.get(f"/classes/{class_id}").status_code, range(n_views))
            )
    with session_scope(engine) as session:
        audited_after = session.scalar(select(func.count()).select_from(AuditEvent))
    engine.dispose()
    assert statuses == [200] * n_views
    assert audited_after is not None and audited_before is not None
    assert audited_after - audited_before >= n_views


def test_a_starting_server_loads_the_maths_typesetter_before_the_first_page(
    demo_settings: Settings,
) -> None:
    from yincai.reports.maths import render_math

    render_math.cache_clear()
    settings = demo_settings.model_copy(update={"warm_up": True})
    with TestClient(create_app(settings)):  # startup has run: the server would answer now
        assert render_math.cache_info().currsize >= 1


def test_a_starting_server_reads_the_cockpit_district_in_the_background(
    demo_settings: Settings,
) -> None:
    settings = demo_settings.model_copy(update={"warm_up": True})
    app = create_app(settings)
    with TestClient(app):
        app.state.cockpit_warm_up.join(timeout=120)
        assert len(app.state.cockpit_cache) == 1  # the demo's one district, read ahead
        assert app.state.cockpit_cache.misses == 1
