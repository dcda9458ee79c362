"""The exam and student report pages on the demo district: right numbers, scope, no ranks in the
family copy, downloads, audit rows."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.analysis import service
from yincai.analysis.exam import ReportScope
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, AssessmentClass, Sitting, Student, TeachingAssignment
from yincai.governance.models import AuditEvent

DEMO_PASSWORD = "yincai-demo-2026"


@dataclass(frozen=True)
class Demo:
    usernames: dict[Role, str]
    school_class_id: int  # a class of the teacher
    other_class_id: int  # a class the teacher does not teach
    assessment_id: int  # the latest exam the class sat
    assessment_code: str
    student_id: int  # a student of the class who sat it
    student_number: str
    own_student_id: int  # the demo student account's own student
    own_assessment_id: int


@pytest.fixture(scope="module")
def demo(demo_settings: Settings) -> Iterator[Demo]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        usernames: dict[Role, str] = {}
        accounts: dict[Role, UserAccount] = {}
        for account in session.scalars(select(UserAccount).order_by(UserAccount.id)):
            usernames.setdefault(account.role, account.username)
            accounts.setdefault(account.role, account)
        teacher = accounts[Role.TEACHER]
        taught = select(TeachingAssignment.school_class_id).where(
            TeachingAssignment.teacher_id == teacher.teacher_id
        )
        class_id = session.scalars(taught.order_by(TeachingAssignment.school_class_id)).first()
        other = session.scalar(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.school_class_id.not_in(taught)
            )
        )
        exam = session.scalars(
            select(Assessment)
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .where(AssessmentClass.school_class_id == class_id, Assessment.kind == "exam")
            .order_by(Assessment.held_on.desc())
        ).first()
        assert class_id is not None and other is not None and exam is not None
        student = session.scalars(
            select(Student)
            .join(Sitting, Sitting.student_id == Student.id)
            .where(
                Student.school_class_id == class_id,
                Sitting.assessment_id == exam.id,
                Sitting.is_absent.is_(False),
            )
            .order_by(Student.id)
        ).first()
        own = accounts[Role.STUDENT].student_id
        own_exam = session.scalar(
            select(Sitting.assessment_id)
            .join(Assessment, Assessment.id == Sitting.assessment_id)
            .where(Sitting.student_id == own, Sitting.is_absent.is_(False))
            .order_by(Assessment.held_on.desc())
        )
        assert student is not None and own is not None and own_exam is not None
        found = Demo(usernames, class_id, other, exam.id, exam.code, student.id,
                     student.student_number, own, own_exam)  # fmt: skip
    engine.dispose()
    yield found


@pytest.fixture(scope="module")
def app(demo_settings: Settings) -> Iterator[object]:
    app = create_app(demo_settings)
    yield app
    app.state.engine.dispose()  # clients opened without ``with`` never ran the app's shutdown


def _client(app: object, demo: Demo, role: Role) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    return logged_in(client, demo.usernames[role], DEMO_PASSWORD)


def _audits(demo_settings: Settings, action: str) -> int:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        n = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    engine.dispose()
    return int(n or 0)


def _number(text: str) -> str:
    return f"{float(text):.1f}"


def test_teacher_sees_the_class_report_with_the_services_numbers(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        scope = ReportScope(
            "class", _school_of(session, demo.school_class_id), demo.school_class_id
        )
        expected = service.exam_report(
            session, actor=CLI, surface="cli", assessment_code=demo.assessment_code, scope=scope
        )
    engine.dispose()
    before = _audits(demo_settings, "exam_report_view")
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/assessments/{demo.assessment_id}/report")
    assert page.status_code == 200
    assert expected.scope_title in page.text
    assert f"<b>{expected.summary.n_participants}</b>" in page.text
    assert f"<b>{expected.summary.mean:.1f}</b>" in page.text
    assert "一分一段表" in page.text and "小题分析" in page.text and "知识点得分率" in page.text
    assert page.text.count('data-chart="') + page.text.count("data-chart='") >= 2
    assert _audits(demo_settings, "exam_report_view") == before + 1


def _school_of(session: Session, school_class_id: int) -> int:
    from yincai.domain.models import SchoolClass

    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None
    return school_class.school_id


def test_ranks_can_be_hidden_on_the_exam_report(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/assessments/{demo.assessment_id}/report?ranks=0")
    assert page.status_code == 200
    assert '<th class="num">名次</th>' not in page.text


def test_teacher_cannot_open_another_class_or_a_school_report(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        other = client.get(
            f"/assessments/{demo.assessment_id}/report?school_class_id={demo.other_class_id}"
        )
        school = client.get(f"/assessments/{demo.assessment_id}/report?school_id=1")
        download = client.get(
            f"/assessments/{demo.assessment_id}/report.xlsx?school_class_id={demo.other_class_id}"
        )
    assert other.status_code in (403, 404) and "小题分析" not in other.text
    assert school.status_code == 403
    assert download.status_code in (403, 404)


def test_students_and_parents_get_no_exam_report(app: object, demo: Demo) -> None:
    for role in (Role.STUDENT, Role.PARENT):
        with _client(app, demo, role) as client:
            response = client.get(f"/assessments/{demo.own_assessment_id}/report")
        assert response.status_code == 403


def test_exam_report_downloads_are_a_workbook_and_a_pdf(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        xlsx = client.get(f"/assessments/{demo.assessment_id}/report.xlsx")
        pdf = client.get(f"/assessments/{demo.assessment_id}/report.pdf")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert len(workbook.sheetnames) >= 2
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_family_copy_shows_the_band_and_no_rank(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        number = session.get(Student, demo.own_student_id).student_number  # type: ignore[union-attr]
        code = session.get(Assessment, demo.own_assessment_id).code  # type: ignore[union-attr]
        expected = service.student_report(
            session,
            actor=CLI,
            surface="cli",
            student_number=number,
            assessment_code=code,
            include_mastery=False,
        )
    engine.dispose()
    before = _audits(demo_settings, "student_report_view_family")
    for role in (Role.STUDENT, Role.PARENT):
        with _client(app, demo, role) as client:
            page = client.get(
                f"/students/{demo.own_student_id}/assessments/{demo.own_assessment_id}"
            )
            teacher_copy = client.get(
                f"/students/{demo.own_student_id}/assessments/{demo.own_assessment_id}?copy=teacher"
            )
        assert page.status_code == 200
        assert f"band-{expected.band}" in page.text and "错题本" in page.text
        for text in ("排名", "名次", "一分一段"):
            assert text not in page.text and text not in teacher_copy.text
    assert _audits(demo_settings, "student_report_view_family") == before + 4


def test_student_cannot_open_a_classmates_report(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.STUDENT) as client:
        other = client.get(f"/students/{demo.student_id}/assessments/{demo.assessment_id}")
        pdf = client.get(f"/students/{demo.student_id}/assessments/{demo.assessment_id}/report.pdf")
    if demo.student_id != demo.own_student_id:
        assert other.status_code == 403 and demo.student_number not in other.text
        assert pdf.status_code == 403


def test_teacher_copy_has_the_total_and_ranks_and_a_pdf(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/students/{demo.student_id}/assessments/{demo.assessment_id}")
        family_pdf = client.get(
            f"/students/{demo.student_id}/assessments/{demo.assessment_id}/report.pdf?copy=family"
        )
    assert page.status_code == 200
    assert "教师版" in page.text and "班级名次" in page.text
    assert re.search(r"<b>[\d.]+ / [\d.]+</b><span>总分", page.text)
    assert family_pdf.status_code == 200 and family_pdf.content.startswith(b"%PDF")


def test_json_api_gives_the_same_mean(app: object, demo: Demo) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/assessments/{demo.assessment_id}/report")
        api = client.get(f"/api/analysis/assessments/{demo.assessment_id}/report")
    assert api.status_code == 200
    assert f"<b>{api.json()['summary']['mean']:.1f}</b>" in page.text
