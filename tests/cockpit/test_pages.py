"""Cockpit pages and API: who may see them, what a school admin sees, acknowledging a warning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import build_world
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.cockpit.models import WarningAcknowledgement
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Sitting,
)
from yincai.governance.models import AuditEvent


@pytest.fixture
def cockpit_world(make_database: Callable[[], Settings]) -> WorldDatabase:
    """The scope world plus a second exam that only class C1a sat: C1b (school S1) and C2a
    (school S2) are missing from it, one warning in each school."""
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
        exam = Assessment(code="W-E2", name="期末考试", kind=AssessmentKind.EXAM,
                          held_on=date(2027, 1, 14), subject_id=_subject(session, world["E1"]),
                          grade_level=7, district_id=world["D1"])  # fmt: skip
        session.add(exam)
        session.flush()
        world.ids["E2"] = exam.id
        session.add(AssessmentItem(assessment_id=exam.id, position=1, label="1", full_score=100))
        session.add(AssessmentClass(assessment_id=exam.id, school_class_id=world["C1a"]))
        for key, total in (("A1", 80.0), ("A2", 75.0)):
            session.add(Sitting(assessment_id=exam.id, student_id=world[key], total_score=total))
    engine.dispose()
    return WorldDatabase(settings, world)


def _subject(session: Session, assessment_id: int) -> int:
    assessment = session.get(Assessment, assessment_id)
    assert assessment is not None
    return assessment.subject_id


def _keys(client: TestClient) -> set[str]:
    response = client.get("/api/cockpit/warnings")
    assert response.status_code == 200, response.text
    return {w["key"] for w in response.json()}


def test_a_district_admin_sees_the_cockpit_and_every_school_warning(
    cockpit_world: WorldDatabase,
) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        page = client.get("/cockpit")
        assert page.status_code == 200
        assert "数据驾驶舱" in page.text and "data-chart=" in page.text
        assert "/static/vendor/echarts.min.js" in page.text
        keys = _keys(client)
        assert keys == {
            f"missing_scores:{world['E2']}:{world['C1b']}",
            f"missing_scores:{world['E2']}:{world['C2a']}",
        }
        listing = client.get("/cockpit/warnings")
        assert listing.status_code == 200
        assert "七年级2班缺少 期末考试 成绩" in listing.text
        assert f'href="/classes/{world["C1b"]}"' in listing.text
        data = client.get("/api/cockpit").json()
        assert data["scope"] == "district" and data["equity"] is not None
        assert data["warning_counts"] == {"missing_scores": 2}


def test_a_school_admin_sees_only_the_own_school(cockpit_world: WorldDatabase) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["school_admin"])
        assert _keys(client) == {f"missing_scores:{world['E2']}:{world['C1b']}"}
        data = client.get("/api/cockpit").json()
        assert data["scope"] == "school" and data["equity"] is None
        assert {s["school_id"] for s in data["schools"]} <= {world["S1"]}
        assert client.get("/cockpit").status_code == 200
        assert "七年级1班缺少" not in client.get("/cockpit/warnings").text  # C2a is in S2
        other = f"missing_scores:{world['E2']}:{world['C2a']}"
        refused = client.post(
            "/cockpit/warnings/acknowledge",
            data={"key": other, "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert refused.status_code == 404


@pytest.mark.parametrize("role", ["teacher", "student", "parent"])
def test_other_roles_are_refused(cockpit_world: WorldDatabase, role: str) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames[role])
        refused = ["/cockpit", "/api/cockpit"]
        if role != "teacher":  # teachers see their own classes' warnings
            refused += ["/cockpit/warnings", "/api/cockpit/warnings"]
        for path in refused:
            assert client.get(path).status_code == 403, path
        key = f"missing_scores:{world['E2']}:{world['C1b']}"
        response = client.post(
            "/cockpit/warnings/acknowledge",
            data={"key": key, "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert response.status_code == 403


def test_acknowledging_needs_the_csrf_token_writes_a_row_and_is_audited(
    cockpit_world: WorldDatabase,
) -> None:
    world = cockpit_world.world
    key = f"missing_scores:{world['E2']}:{world['C1b']}"
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["school_admin"])
        forged = client.post(
            "/cockpit/warnings/acknowledge", data={"key": key}, follow_redirects=False
        )
        assert forged.status_code == 403
        done = client.post(
            "/cockpit/warnings/acknowledge",
            data={"key": key, "note": "已联系阅卷组补录", "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == "/cockpit/warnings"
        listing = client.get("/cockpit/warnings").text
        assert "已确认" in listing and "已联系阅卷组补录" in listing
        api = client.post(
            "/api/cockpit/warnings/acknowledge",
            json={"key": key, "note": "再次确认"},
            headers={"X-CSRF-Token": session_token(client)},
        )
        assert api.status_code == 200 and api.json()["warning_key"] == key
    engine = make_engine(cockpit_world.settings)
    with session_scope(engine) as session:
        rows = session.scalars(select(WarningAcknowledgement).order_by(WarningAcknowledgement.id))
        assert [(r.warning_key, r.acknowledged_by, r.note) for r in rows] == [
            (key, world["acct:school_admin"], "已联系阅卷组补录"),
            (key, world["acct:school_admin"], "再次确认"),
        ]
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.user_account_id == world["acct:school_admin"]
            )
        ).all()
        assert actions.count("warning_acknowledge") == 2
        assert "warnings_view" in actions
        audited = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "warning_acknowledge")
        ).all()
        assert set(audited) == {key}
    engine.dispose()


def test_an_unknown_warning_cannot_be_acknowledged(cockpit_world: WorldDatabase) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        response = client.post(
            "/api/cockpit/warnings/acknowledge",
            json={"key": "missing_scores:999:999"},
            headers={"X-CSRF-Token": session_token(client)},
        )
        assert response.status_code == 404


def test_a_teacher_sees_the_warnings_of_the_classes_they_teach_only(
    cockpit_world: WorldDatabase,
) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, "w-teacher3")  # T3 teaches (and heads) C2a of school S2
        page = client.get("/cockpit/warnings")
        keys = _keys(client)
    assert page.status_code == 200
    assert keys == {f"missing_scores:{world['E2']}:{world['C2a']}"}
    assert 'action="/cockpit/warnings/acknowledge"' not in page.text  # admins acknowledge
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["teacher"])  # T1: C1a, which sat the exam
        assert _keys(client) == set()
    engine = make_engine(cockpit_world.settings)
    with session_scope(engine) as session:
        seen = session.scalars(
            select(AuditEvent.object_type).where(
                AuditEvent.action == "warnings_view",
                AuditEvent.user_account_id == world["acct:teacher3"],
            )
        ).all()
    engine.dispose()
    assert seen and set(seen) == {"user_account"}


def test_the_warnings_filter_reads_blank_fields_as_all_and_names_a_wrong_value(
    cockpit_world: WorldDatabase,
) -> None:
    world = cockpit_world.world
    with TestClient(create_app(cockpit_world.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        blank = client.get(
            "/cockpit/warnings",
            params={"kind": "", "severity": "", "school_id": "", "school_class_id": "",
                    "acknowledged": "", "sensitive": ""},
        )  # fmt: skip
        one_school = client.get("/cockpit/warnings", params={"school_id": world["S2"]})
        wrong = client.get("/cockpit/warnings", params={"kind": "nonsense", "school_id": "x"})
    assert blank.status_code == 200
    assert blank.text.count('name="key"') == 2  # C1b and C2a miss the second exam
    assert one_school.text.count('name="key"') == 1
    assert wrong.status_code == 422
    assert "类别无效" in wrong.text and "学校无效" in wrong.text
    assert "detail" not in wrong.text and "Input should be" not in wrong.text
    assert wrong.text.count('name="key"') == 2  # the wrong filters are ignored
