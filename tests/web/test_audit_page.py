"""The audit page in Chinese: actors by name and role, actions in words, objects described, the
students each view showed; filters that treat blanks as "any"; list views record their students."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.domain.models import Gender, Student
from yincai.governance.models import AuditEvent, AuditEventStudent


def _students_of(world_db: WorldDatabase, action: str) -> list[set[int]]:
    """For each audit row of ``action``, oldest first, the students it recorded."""
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        event_ids = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        found = [
            set(
                session.scalars(
                    select(AuditEventStudent.student_id).where(
                        AuditEventStudent.event_id == event_id
                    )
                )
            )
            for event_id in event_ids
        ]
    engine.dispose()
    return found


def _teacher_browses(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        assert client.get(f"/students/{world['A2']}").status_code == 200
        assert client.get(f"/classes/{world['C1a']}").status_code == 200


def test_the_audit_page_names_actors_actions_objects_and_students_in_chinese(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    _teacher_browses(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        page = client.get("/governance/audit")
    assert page.status_code == 200
    text = page.text
    assert "账号teacher（教师，w-teacher）" in text
    assert "查看学生档案" in text and "查看班级名单" in text and "登录" in text
    assert "学生 甲二同学（学号 W20260001）" in text
    assert "班级 W-S1学校 七年级1班" in text
    assert "甲一同学（学号 W20260000）、甲二同学（学号 W20260001）" in text  # the roster's students
    assert "任教班级：教师T1" in text
    assert ">view_student<" not in text and f"student:{world['A2']}" not in text


def test_blank_filters_mean_any_and_a_wrong_one_is_explained_on_the_page(
    world_db: WorldDatabase,
) -> None:
    _teacher_browses(world_db)
    blank = {"user_account_id": "", "action": "", "student": "", "since": "", "until": ""}
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        everything = client.get("/governance/audit", params=blank)
        wrong = client.get(
            "/governance/audit", params={**blank, "user_account_id": "abc", "since": "2026-13-01"}
        )
        unknown = client.get("/governance/audit", params={**blank, "student": "NO-SUCH"})
    assert everything.status_code == 200 and "查看学生档案" in everything.text
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.headers["content-type"].startswith("text/html")
    assert "用户无效" in wrong.text and "起始日期无效" in wrong.text
    assert "查看学生档案" in wrong.text  # the valid filters still apply: the log is shown
    assert "找不到该学号的学生" in unknown.text


def test_filtering_by_a_student_finds_every_view_that_showed_them(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    _teacher_browses(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        page = client.get("/governance/audit", params={"student": "W20260001"})
        api = client.get("/api/governance/audit", params={"student_id": world["A2"]}).json()
        other = client.get("/api/governance/audit", params={"student_id": world["B1"]}).json()
    assert page.status_code == 200 and "查看班级名单" in page.text
    assert {e["action"] for e in api["events"]} == {"view_student", "view_roster", "audit_view"}
    assert all(world["A2"] in e["student_ids"] for e in api["events"])
    assert {e["action_words"] for e in api["events"]} >= {"查看学生档案", "查看班级名单"}
    assert other["n_events"] == 0


def test_the_page_describes_no_object_outside_the_admins_scope(world_db: WorldDatabase) -> None:
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        assert client.get(f"/students/{world['X9']}").status_code == 403
        page = client.get("/governance/audit")
    name, number = world.names["X9"]
    assert "访问被拒绝" in page.text and f"学生 #{world['X9']}" in page.text
    assert name not in page.text and number not in page.text


def test_reading_the_audit_log_is_itself_audited_with_the_students_shown(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    _teacher_browses(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        client.get("/governance/audit")
    assert _students_of(world_db, "audit_view") == [{world["A1"], world["A2"]}]


def test_a_roster_and_a_class_report_record_the_students_they_name(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:  # a third student of 7-1 who missed exam E1
        absent = Student(
            district_id=world["D1"],
            school_class_id=world["C1a"],
            student_number="W20269999",
            name="缺考同学",
            gender=Gender.MALE,
        )
        session.add(absent)
        session.flush()
        absent_id = absent.id
    engine.dispose()
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-teacher")
        roster = client.get(f"/classes/{world['C1a']}")
        report = client.get(
            f"/assessments/{world['E1']}/report", params={"school_class_id": world["C1a"]}
        )
        workbook = client.get(
            f"/assessments/{world['E1']}/report.xlsx", params={"school_class_id": world["C1a"]}
        )
    assert roster.status_code == report.status_code == workbook.status_code == 200
    assert "缺考同学" in report.text
    assert _students_of(world_db, "view_roster") == [{world["A1"], world["A2"], absent_id}]
    assert _students_of(world_db, "exam_report_view") == [{absent_id}]
    # the workbook holds the whole 成绩单: everyone of the class, the absentee too
    assert _students_of(world_db, "exam_report_xlsx") == [{world["A1"], world["A2"], absent_id}]
