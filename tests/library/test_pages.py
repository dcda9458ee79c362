"""The library pages: browse with filters, search with an extractive answer, one resource with
its passages; signed-in accounts of any role, a student included, may read them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.library.conftest import ABS, OPPOSITE
from tests.web.clients import logged_in
from yincai.accounts.models import Role
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import (
    District,
    Gender,
    Grade,
    KnowledgePoint,
    KpLevel,
    Resource,
    School,
    SchoolClass,
    Setting,
    Stage,
    Student,
    Subject,
)
from yincai.governance import service as governance_service
from yincai.library import service

PASSWORD = "library-password-1"


def _library(settings: Settings) -> tuple[int, int]:
    """Two notes in 测试学科 and a student account; the subject's and the note's ids."""
    engine = make_engine(settings)
    with session_scope(engine) as session:
        district = District(code="D1", name="测试区")
        subject = Subject(code="TST", name="测试学科")
        session.add_all([district, subject])
        session.flush()
        session.add_all(
            KnowledgePoint(subject_id=subject.id, code=code, name=name, level=KpLevel.POINT)
            for code, name in (("T7.01", "绝对值"), ("T7.02", "相反数"))
        )
        session.flush()
        service.import_resources(session, [("abs.md", ABS), ("opp.md", OPPOSITE)])
        school = School(
            district_id=district.id,
            code="S1",
            name="一中",
            setting=Setting.URBAN,
            stage=Stage.JUNIOR,
        )
        session.add(school)
        session.flush()
        grade = Grade(school_id=school.id, level=7, name="七年级")
        session.add(grade)
        session.flush()
        school_class = SchoolClass(school_id=school.id, grade_id=grade.id, name="7-1")
        session.add(school_class)
        session.flush()
        student = Student(
            district_id=district.id,
            school_class_id=school_class.id,
            student_number="2026001",
            name="学生甲",
            gender=Gender.FEMALE,
        )
        session.add(student)
        session.flush()
        governance_service.create_account(
            session,
            username="reader",
            password=PASSWORD,
            role=Role.STUDENT,
            display_name="读者",
            district_id=district.id,
            student_id=student.id,
        )
        ids = subject.id, session.scalar(select(Resource.id).where(Resource.code == "T-ABS"))
    engine.dispose()
    assert ids[1] is not None
    return ids[0], ids[1]


def test_a_student_browses_searches_and_reads_the_library(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    subject_id, resource_id = _library(settings)
    with TestClient(create_app(settings)) as client:
        anonymous = client.get("/library", follow_redirects=False)
        logged_in(client, "reader", PASSWORD)
        listing = client.get("/library")
        grade_8 = client.get("/library?grade=8")
        by_point = client.get(f"/library?subject_id={subject_id}&kp=T7.01")
        search = client.get("/library?q=负数的绝对值是什么")
        nothing = client.get("/library?q=光的折射")
        page = client.get(f"/library/{resource_id}")
        missing = client.get("/library/999999")
    assert anonymous.status_code in (303, 401)
    assert listing.status_code == 200 and "绝对值" in listing.text and "相反数" in listing.text
    assert "相反数" in grade_8.text and f'href="/library/{resource_id}"' not in grade_8.text
    assert f'href="/library/{resource_id}"' in by_point.text and "T-OPP" not in by_point.text
    assert search.status_code == 200
    assert "负数的绝对值是它的相反数" in search.text and "T-ABS#1" in search.text
    assert f'href="/library/{resource_id}#c1"' in search.text  # the citation links the passage
    assert "没有找到" in nothing.text
    assert page.status_code == 200 and 'id="c2"' in page.text and "CC BY 4.0" in page.text
    assert "易错提醒" in page.text and "把 -|-7| 算成 7" in page.text
    assert missing.status_code == 404
