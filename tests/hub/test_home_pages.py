"""Home, school and class pages without dead ends on the demo district: every exam reachable
(paged, 50 rows a page), each class row opens its own class's report, the district lists its
exams."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.governance.world import PASSWORD as WORLD_PASSWORD
from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Assessment, AssessmentClass, AssessmentKind, School, SchoolClass

PASSWORD = "yincai-demo-2026"
REPORT = re.compile(r'href="/assessments/(\d+)/report\?school_class_id=(\d+)"')


def _all_pages(client: TestClient, path: str) -> list[str]:
    pages = [client.get(path)]
    assert pages[0].status_code == 200
    while 'rel="next"' in pages[-1].text:
        target = re.search(r'rel="next" href="([^"]+)"', pages[-1].text)
        assert target is not None
        pages.append(client.get(target.group(1).replace("&amp;", "&")))
        assert pages[-1].status_code == 200
    return [page.text for page in pages]


def test_the_school_home_pages_every_exam_and_each_row_opens_its_own_class(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        school_id = session.scalars(select(School.id).where(School.code == "SFQ01")).one()
        n_pairs = session.scalar(
            select(func.count())
            .select_from(AssessmentClass)
            .join(SchoolClass, SchoolClass.id == AssessmentClass.school_class_id)
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(
                SchoolClass.school_id == school_id,
                Assessment.kind != AssessmentKind.HOMEWORK,  # homework has pages of its own
            )
        )
    engine.dispose()
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "school01", PASSWORD)
        pages = _all_pages(client, "/home")
    links = [link for page in pages for link in REPORT.findall(page)]
    assert n_pairs is not None and n_pairs > 40  # the page used to stop at 40 rows
    assert len(pages) == -(-n_pairs // 50)
    assert len(links) == len(set(links)) == n_pairs  # every (exam, class) once, own link
    assert "第一次月考" in pages[-1]  # the oldest exams are on the last page


def test_the_teacher_home_links_each_row_to_its_class_report(demo_settings: Settings) -> None:
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "t010001", PASSWORD)
        page = client.get("/home")
    assert page.status_code == 200
    assert REPORT.findall(page.text)
    assert 'href="/assessments/' not in REPORT.sub("", page.text)  # none without its class
    assert 'href="/cockpit/warnings"' in page.text


def test_the_class_roster_shows_every_exam_the_class_sat(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        class_id, n_exams = session.execute(
            select(AssessmentClass.school_class_id, func.count())
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(Assessment.kind == AssessmentKind.EXAM)
            .group_by(AssessmentClass.school_class_id)
            .order_by(AssessmentClass.school_class_id)
        ).first()  # type: ignore[misc]
    engine.dispose()
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", PASSWORD)
        page = client.get(f"/classes/{class_id}")
    assert page.status_code == 200
    assert n_exams > 3
    assert len(set(REPORT.findall(page.text))) == n_exams


def test_the_district_home_lists_its_exams_filtered_by_grade_and_subject(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        n_exams = session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.kind == AssessmentKind.EXAM)
        )
        n_grade8_maths = session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.kind == AssessmentKind.EXAM, Assessment.grade_level == 8)
            .where(Assessment.name.contains("数学"))
        )
    engine.dispose()
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, "admin", PASSWORD)
        everything = client.get("/home")
        maths8 = client.get("/home", params={"grade": "8", "subject": "MATH"})
        blank = client.get("/home", params={"grade": "", "subject": ""})
    exams = re.compile(r'<tr><td>[0-9-]+</td><td><a href="/assessments/(\d+)/report">')
    assert everything.status_code == maths8.status_code == blank.status_code == 200
    assert n_exams is not None
    assert len(exams.findall(everything.text)) == min(n_exams, 50)  # 50 a page
    assert len(exams.findall(maths8.text)) == n_grade8_maths and n_grade8_maths
    assert "八年级数学" in maths8.text and "七年级数学" not in maths8.text
    assert exams.findall(blank.text) == exams.findall(everything.text)


def test_a_teacher_account_without_a_teacher_record_gets_an_empty_home_page(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        teacher = session.scalars(
            select(UserAccount).where(UserAccount.username == world_db.world.usernames["teacher"])
        ).one()
        teacher.teacher_id = None  # unlinked, as an account made before its teacher record
    engine.dispose()
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["teacher"], WORLD_PASSWORD)
        page = client.get("/home")
    assert page.status_code == 200
    assert "我的班级" in page.text and not re.search(r'href="/classes/\d+"', page.text)
