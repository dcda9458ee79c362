"""Walking every page of a list gives the full set once, in id order (the demo district)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in
from yincai.api.paging import decode_cursor, encode_cursor, slice_page
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Assessment, Sitting, Student
from yincai.errors import Invalid

DEMO_PASSWORD = "yincai-demo-2026"


@pytest.fixture(scope="module")
def admin(demo_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", DEMO_PASSWORD)
        yield client


def _walk(client: TestClient, path: str, limit: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    cursor: str | None = None
    for _ in range(10_000):
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["data"]) <= limit
        rows += body["data"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("the walk did not end")


def test_walking_the_students_gives_each_once_in_id_order(
    admin: TestClient, demo_settings: Settings
) -> None:
    rows = _walk(admin, "/api/v1/students", limit=97)
    ids = [int(str(row["id"])) for row in rows]
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        expected = list(
            session.scalars(
                select(Student.id).where(Student.anonymised_at.is_(None)).order_by(Student.id)
            )
        )
    engine.dispose()
    assert ids == expected
    assert len(set(ids)) == len(ids) >= 600


def test_walking_an_assessments_results_gives_every_sitting_once(
    admin: TestClient, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        assessment_id = session.scalars(select(Assessment.id).order_by(Assessment.id)).first()
        expected = set(
            session.scalars(select(Sitting.id).where(Sitting.assessment_id == assessment_id))
        )
    engine.dispose()
    rows = _walk(admin, f"/api/v1/assessments/{assessment_id}/results", limit=500)
    small = _walk(admin, f"/api/v1/assessments/{assessment_id}/results", limit=33)
    assert [r["sitting_id"] for r in rows] == [r["sitting_id"] for r in small]
    assert len(rows) == len(expected) and {r["sitting_id"] for r in rows} == expected


def test_walking_the_curriculum_and_the_audit_trail(admin: TestClient) -> None:
    points = _walk(admin, "/api/v1/subjects/MATH/knowledge-points", limit=50)
    assert len(points) > 50 and len({p["id"] for p in points}) == len(points)
    events = _walk(admin, "/api/v1/audit", limit=200)
    ids = [int(str(e["id"])) for e in events]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)  # newest first


def test_the_default_page_holds_fifty(admin: TestClient) -> None:
    body = admin.get("/api/v1/students").json()
    assert len(body["data"]) == 50 and body["next_cursor"]


def test_cursors_round_trip_and_foreign_ones_are_refused() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    assert decode_cursor(encode_cursor("declining:3"), str) == "declining:3"
    assert decode_cursor(None) is None
    for bad in ("x", encode_cursor("a"), encode_cursor(-1), "eyJ2IjoxfQ", "A" * 500):
        with pytest.raises(Invalid) as refused:
            decode_cursor(bad)
        assert refused.value.code == "cursor.invalid"
    page = slice_page([5, 1, 3, 2, 4], lambda n: n, cursor=None, limit=2)
    assert page.data == [1, 2]
    rest = slice_page([5, 1, 3, 2, 4], lambda n: n, cursor=page.next_cursor, limit=10)
    assert rest.data == [3, 4, 5] and rest.next_cursor is None
