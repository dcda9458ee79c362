"""/api/v1 shows each role its own scope and nothing else, refuses with JSON codes and audits
every read of students' records (the two-district scope world, both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent, AuditEventStudent


@contextmanager
def client_as(world_db: WorldDatabase, role: str) -> Iterator[TestClient]:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames[role])
        yield client


def _student_ids(client: TestClient, path: str) -> set[int]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["data"]}


def test_each_role_lists_exactly_the_students_in_its_scope(world_db: WorldDatabase) -> None:
    w = world_db.world
    expected = {
        "district_admin": {w["A1"], w["A2"], w["B1"], w["Z1"]},
        "school_admin": {w["A1"], w["A2"], w["B1"]},
        "teacher": {w["A1"], w["A2"]},
        "student": {w["A1"]},
        "parent": {w["A1"]},
    }
    for role, ids in expected.items():
        with client_as(world_db, role) as client:
            assert _student_ids(client, "/api/v1/students") == ids, role


def test_a_teacher_sees_own_classes_and_is_refused_others_with_a_json_code(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    with client_as(world_db, "teacher") as client:
        classes = client.get("/api/v1/classes").json()["data"]
        own = client.get(f"/api/v1/classes/{w['C1a']}/students")
        other = client.get(f"/api/v1/classes/{w['C1b']}/students")
        other_student = client.get(f"/api/v1/students/{w['B1']}")
        other_result = client.get(f"/api/v1/assessments/{w['E1']}/results/{w['B1']}")
        results = client.get(f"/api/v1/assessments/{w['E1']}/results").json()["data"]
        missing = client.get("/api/v1/students/999999")
    assert [c["id"] for c in classes] == [w["C1a"]]
    assert {s["id"] for s in own.json()["data"]} == {w["A1"], w["A2"]}
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/json")
    assert other.json()["code"] == "school_class.out_of_scope"
    assert other.json()["detail"]
    assert other_student.status_code == 403
    assert other_student.json()["code"] == "student.out_of_scope"
    assert other_result.status_code == 403
    assert {r["student_id"] for r in results} == {w["A1"], w["A2"]}
    assert all(r["total"] is not None for r in results)  # staff see totals
    assert missing.status_code == 404 and missing.json()["code"] == "student.not_found"


def test_a_student_and_a_parent_see_only_the_child_and_bands_not_totals(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    for role in ("student", "parent"):
        with client_as(world_db, role) as client:
            me = client.get(f"/api/v1/students/{w['A1']}")
            classmate = client.get(f"/api/v1/students/{w['A2']}")
            results = client.get(f"/api/v1/students/{w['A1']}/results").json()["data"]
            roster = client.get(f"/api/v1/classes/{w['C1a']}/students")
            guardian = client.get(f"/api/v1/students/{w['A1']}/guardian")
            exam_results = client.get(f"/api/v1/assessments/{w['E1']}/results")
        assert me.status_code == 200 and me.json()["id"] == w["A1"], role
        assert classmate.status_code == 403 and classmate.json()["code"] == "student.out_of_scope"
        assert [r["total"] for r in results] == [None]  # bands only
        assert results[0]["band"] is not None
        assert roster.status_code == 403 and roster.json()["code"] == "role.forbidden"
        assert guardian.status_code == 403
        assert exam_results.status_code == 403


def test_anonymous_callers_get_401_json(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        response = client.get("/api/v1/students")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_invalid_parameters_answer_422_json_never_500(world_db: WorldDatabase) -> None:
    w = world_db.world
    bad = [
        "/api/v1/students?limit=0",
        "/api/v1/students?limit=501",
        "/api/v1/students?limit=abc",
        "/api/v1/students?cursor=%%%",
        "/api/v1/students?cursor=bm90LWpzb24",  # base64 of "not-json"
        "/api/v1/students?cursor=eyJ2IjoxLCJrIjoiYSJ9",  # {"v":1,"k":"a"}: wrong key type
        "/api/v1/students?cursor=eyJ2IjoyLCJrIjoxfQ",  # {"v":2,"k":1}: unknown version
        "/api/v1/students/abc",
        "/api/v1/warnings?kind=nonsense",
        "/api/v1/assessments/1/statistics?school_id=x",
        f"/api/v1/classes/{w['C1a']}/mastery?subject=",
    ]
    with client_as(world_db, "district_admin") as client:
        answers = {path: client.get(path) for path in bad}
        huge = client.get("/api/v1/students/99999999999999999999")
    for path, response in answers.items():
        assert response.status_code == 422, (path, response.status_code, response.text)
        body = response.json()
        assert body["code"] in {"invalid_parameter", "cursor.invalid"}, path
        assert body["detail"], path
    assert answers["/api/v1/students?cursor=bm90LWpzb24"].json()["code"] == "cursor.invalid"
    assert huge.status_code in (404, 422)


def test_reads_of_students_records_are_audited_with_the_students_shown(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    with client_as(world_db, "teacher") as client:
        assert client.get(f"/api/v1/students/{w['A2']}").status_code == 200
        assert client.get(f"/api/v1/classes/{w['C1a']}/students").status_code == 200
        assert client.get(f"/api/v1/students/{w['A2']}/results").status_code == 200
        assert client.get(f"/api/v1/assessments/{w['E1']}/results").status_code == 200
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.object_type, AuditEventStudent.student_id)
            .join(AuditEventStudent, AuditEventStudent.event_id == AuditEvent.id)
            .where(AuditEvent.user_account_id == w["acct:teacher"])
        ).all()
    engine.dispose()
    seen = {(action, object_type, student) for action, object_type, student in rows}
    assert ("view_student", "student", w["A2"]) in seen
    assert ("view_roster", "school_class", w["A1"]) in seen
    assert ("view_results", "student", w["A2"]) in seen
    assert ("view_results", "assessment", w["A1"]) in seen
    assert not any(student == w["B1"] for *_, student in seen)


def test_every_v1_read_answers_the_district_admin_without_a_server_error(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    paths = [
        "/api/v1/me", "/api/v1/districts/me", "/api/v1/schools", f"/api/v1/schools/{w['S1']}",
        f"/api/v1/schools/{w['S1']}/classes", f"/api/v1/schools/{w['S1']}/teachers",
        "/api/v1/classes", f"/api/v1/classes/{w['C1a']}", f"/api/v1/classes/{w['C1a']}/teachers",
        f"/api/v1/classes/{w['C1a']}/assessments", "/api/v1/teachers",
        f"/api/v1/teachers/{w['T1']}", f"/api/v1/students/{w['A1']}/accounts",
        f"/api/v1/students/{w['A1']}/guardian", "/api/v1/subjects",
        "/api/v1/subjects/W-MATH/knowledge-points", "/api/v1/assessments",
        f"/api/v1/assessments/{w['E1']}", f"/api/v1/assessments/{w['E1']}/items",
        f"/api/v1/assessments/{w['E1']}/statistics", f"/api/v1/assessments/{w['E1']}/results",
        f"/api/v1/assessments/{w['E1']}/results/{w['A1']}", "/api/v1/warnings",
        f"/api/v1/students/{w['A1']}/warnings", "/api/v1/audit",
    ]  # fmt: skip
    with client_as(world_db, "district_admin") as client:
        answers = {path: client.get(path) for path in paths}
        other_district = client.get(f"/api/v1/schools/{w['SX']}")
        accounts = answers[f"/api/v1/students/{w['A1']}/accounts"].json()["data"]
    problems = {p: r.status_code for p, r in answers.items() if r.status_code != 200}
    assert problems == {}
    assert other_district.status_code == 403
    assert {a["role"] for a in accounts} == {"student", "parent"}
    statistics = answers[f"/api/v1/assessments/{w['E1']}/statistics"].json()
    assert statistics["summary"]["n_participants"] == 4
    item_scores = answers[f"/api/v1/assessments/{w['E1']}/results/{w['A1']}"].json()
    assert item_scores["total"] == 88.0 and [i["label"] for i in item_scores["items"]] == ["1"]


def test_bad_parameters_elsewhere_keep_their_own_answer(world_db: WorldDatabase) -> None:
    with client_as(world_db, "district_admin") as client:
        response = client.get("/api/governance/audit?page=abc")
    assert response.status_code == 422
    # web.errors' answer, in the same shape as /api/v1's: a stable code, words, the field
    assert response.json() == {
        "code": "invalid",
        "detail": "输入有误",
        "errors": ["查询参数 page 的值无效"],
    }
