"""Joint exams (联考) on the demo district: the demo's joint exams, totals that add up, scope
refusals, the pages in Chinese and English, the workbook's numbers, the family's own view."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.analysis import joint_service
from yincai.analysis.exam import ReportScope
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    JointExam,
    SchoolClass,
    TeachingAssignment,
)
from yincai.errors import Forbidden
from yincai.governance.models import AuditEvent, AuditEventStudent
from yincai.hub import service as hub_service

DEMO_PASSWORD = "yincai-demo-2026"


@dataclass(frozen=True)
class Demo:
    usernames: dict[Role, str]
    joint_exam_id: int  # the latest joint exam of the teacher's first class
    school_class_id: int
    school_id: int
    other_class_id: int  # a class of the same grade the teacher does not teach
    own_student_id: int  # the demo student account's own student


@pytest.fixture(scope="module")
def demo(demo_settings: Settings) -> Iterator[Demo]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        accounts: dict[Role, UserAccount] = {}
        for account in session.scalars(select(UserAccount).order_by(UserAccount.id)):
            accounts.setdefault(account.role, account)
        teacher = accounts[Role.TEACHER]
        taught = select(TeachingAssignment.school_class_id).where(
            TeachingAssignment.teacher_id == teacher.teacher_id
        )
        class_id = session.scalars(taught.order_by(TeachingAssignment.school_class_id)).first()
        school_class = session.get(SchoolClass, class_id)
        assert school_class is not None
        joint = session.scalars(
            select(JointExam)
            .join(Assessment, Assessment.joint_exam_id == JointExam.id)
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .where(AssessmentClass.school_class_id == class_id)
            .order_by(JointExam.held_on.desc())
        ).first()
        assert joint is not None
        other = session.scalar(
            select(AssessmentClass.school_class_id)
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(
                Assessment.joint_exam_id == joint.id,
                AssessmentClass.school_class_id.not_in(taught),
            )
        )
        own = accounts[Role.STUDENT].student_id
        assert other is not None and own is not None
        found = Demo(
            {role: account.username for role, account in accounts.items()},
            joint.id,
            school_class.id,
            school_class.school_id,
            other,
            own,
        )
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


def _class_report(
    demo_settings: Settings, demo: Demo, kind: str = "class"
) -> joint_service.JointReport:
    scope = {
        "class": ReportScope("class", demo.school_id, demo.school_class_id),
        "school": ReportScope("school", demo.school_id),
        "district": ReportScope("district"),
    }[kind]
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        report = joint_service.joint_exam_report(
            session, actor=CLI, joint_exam_id=demo.joint_exam_id, surface="view", scope=scope
        )
        session.rollback()
    engine.dispose()
    return report


def test_the_demo_links_every_subject_of_a_grade_and_exam_to_one_joint_exam(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        joints = session.scalars(select(JointExam).order_by(JointExam.code)).all()
        subjects = {
            joint.code: session.scalar(
                select(func.count()).where(Assessment.joint_exam_id == joint.id)
            )
            for joint in joints
        }
        unlinked = session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.kind == "exam", Assessment.joint_exam_id.is_(None))
        )
    engine.dispose()
    assert len(joints) == 12  # 4 exams × grades 7–9
    assert subjects["2026A-J7-1"] == 3 and subjects["2026A-J8-2"] == 4
    assert subjects["2026A-J9-4"] == 5
    assert unlinked == 0
    assert {joint.name for joint in joints} >= {"七年级期中考试", "九年级期末考试"}


def test_totals_are_the_sums_of_the_subject_totals_and_incomplete_sittings_have_none(
    demo_settings: Settings, demo: Demo
) -> None:
    report = _class_report(demo_settings, demo)
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        sittings = hub_service.sitting_totals(
            session,
            assessment_ids=[subject.assessment_id for subject in report.subjects],
            student_ids=[line.student_id for line in report.students],
        )
    engine.dispose()
    by_student: dict[int, dict[int, float | None]] = {}
    for sitting in sittings:
        by_student.setdefault(sitting.student_id, {})[sitting.assessment_id] = sitting.total
    assert report.students
    for line in report.students:
        subject_totals = [
            by_student.get(line.student_id, {}).get(subject.assessment_id)
            for subject in report.subjects
        ]
        assert line.scores == subject_totals
        if None in subject_totals:
            assert line.total is None and line.missing and line.class_rank is None
        else:
            assert line.total == pytest.approx(sum(t for t in subject_totals if t is not None))
    complete = [line for line in report.students if line.total is not None]
    assert report.summary.n_participants == len(complete)
    assert complete[0].class_rank == 1


def test_teacher_is_refused_the_district_and_a_class_they_do_not_teach(
    demo_settings: Settings, demo: Demo, app: object
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        teacher = session.scalars(
            select(UserAccount).where(UserAccount.username == demo.usernames[Role.TEACHER])
        ).one()
        with pytest.raises(Forbidden):
            joint_service.joint_exam_report(
                session,
                actor=teacher,
                joint_exam_id=demo.joint_exam_id,
                surface="view",
                scope=ReportScope(),
            )
        session.rollback()
    engine.dispose()
    with _client(app, demo, Role.TEACHER) as client:
        other = client.get(
            f"/joint-exams/{demo.joint_exam_id}/report?scope=class:{demo.other_class_id}"
        )
        bad = client.get(f"/joint-exams/{demo.joint_exam_id}/report?scope=everything")
    assert other.status_code == 403
    assert bad.status_code == 422
    with _client(app, demo, Role.STUDENT) as client:
        assert client.get(f"/joint-exams/{demo.joint_exam_id}/report").status_code == 403


def test_teacher_sees_the_class_report_in_chinese_and_english_with_an_audit_row(
    demo_settings: Settings, demo: Demo, app: object
) -> None:
    expected = _class_report(demo_settings, demo)
    before = _audits(demo_settings, "joint_report_view")
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/joint-exams/{demo.joint_exam_id}/report")
        english = client.get(f"/joint-exams/{demo.joint_exam_id}/report?lang=en")
    assert page.status_code == 200 and english.status_code == 200
    assert expected.scope_title in page.text
    assert "学生总分" in page.text and "偏科" in page.text and "学科均衡" in page.text
    assert f"<b>{expected.summary.mean:.1f}</b>" in page.text
    first = expected.students[0]
    assert first.total is not None and f">{first.total:g}<" in page.text
    assert "Distribution of totals" in english.text and "学生总分" not in english.text
    assert "Subject balance" in english.text and "偏科学生" not in english.text
    assert _audits(demo_settings, "joint_report_view") == before + 2


def _pdf_text(content: bytes) -> str:
    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    )


@pytest.mark.parametrize("kind", ["class", "school", "district"])
def test_the_workbook_and_the_pdf_hold_the_pages_numbers_for_a_class_a_school_and_the_district(
    demo_settings: Settings, demo: Demo, app: object, kind: str
) -> None:
    expected = _class_report(demo_settings, demo, kind)
    query = {
        "class": f"scope=class:{demo.school_class_id}",
        "school": f"scope=school:{demo.school_id}",
        "district": "scope=district",
    }[kind]
    before = _audits(demo_settings, "joint_report_pdf")
    with _client(app, demo, Role.DISTRICT_ADMIN) as client:
        page = client.get(f"/joint-exams/{demo.joint_exam_id}/report?{query}")
        download = client.get(f"/joint-exams/{demo.joint_exam_id}/report.xlsx?{query}")
        printed = client.get(f"/joint-exams/{demo.joint_exam_id}/report.pdf?{query}")
    assert download.status_code == 200
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    assert f"/joint-exams/{demo.joint_exam_id}/report.pdf?{query}" in page.text
    workbook = load_workbook(io.BytesIO(download.content))
    sheet = workbook["学生总分"]
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sheet.freeze_panes == "A2"
    totals = {row[0]: row[header.index("总分")] for row in rows}
    assert len(rows) == len(expected.students)
    for line in expected.students[:50]:  # the page's first page of rows
        assert totals[line.student_number] == line.total
        if line.total is not None:
            assert f">{line.total:g}<" in page.text
    overview = workbook["总体"]
    assert overview.cell(2, 6).value == pytest.approx(expected.summary.mean)
    assert f"<b>{overview.cell(2, 6).value:.1f}</b>" in page.text
    assert overview.cell(2, 6).number_format == "0.0"

    # The PDF: the same 总分 mean and participant counts as the page, the same students' rows.
    text = _pdf_text(printed.content)
    summary = expected.summary
    assert f"总分平均分 {summary.mean:.1f}" in text
    assert f"<b>{summary.mean:.1f}</b>" in page.text
    assert f"完整参考 {summary.n_participants}" in text
    assert f"学生数 {expected.n_students}" in text
    assert f"<b>{summary.n_participants}</b>" in page.text
    listed = f"共 {len(expected.students)} 人"
    assert listed in text and listed in page.text
    assert f"{summary.max:g} / {summary.min:g}" in text
    first = expected.students[0]
    assert f"{first.student_number} {first.name}" in text  # the best 总分 leads both lists
    if kind == "class":
        for line in expected.students[:3]:
            assert line.total is not None and line.class_rank is not None
            ranks = f"{line.class_rank} {line.school_rank} {line.district_rank}"
            scores = " ".join(f"{score:g}" for score in line.scores if score is not None)
            assert f"{line.name} {line.total:g} {ranks} {scores}" in text
        assert expected.students[-1].student_number in text  # every student of the class
    else:
        shown = expected.students[49].student_number if len(expected.students) > 50 else None
        assert shown is None or shown in text
        if len(expected.students) > 50:
            assert expected.students[50].student_number not in text  # no name the page's
            assert "仅列出总分前 50 名" in text  # first page does not show
    for stats in expected.subject_stats:
        assert f"{stats.name} {stats.full_score:g} {stats.n_sat} {stats.n_missing} " in text
        assert f"{stats.mean:.1f}" in text
    assert _audits(demo_settings, "joint_report_pdf") == before + 1


def test_the_pdf_follows_the_language_and_is_refused_to_students_and_parents(
    demo_settings: Settings, demo: Demo, app: object
) -> None:
    expected = _class_report(demo_settings, demo)
    url = f"/joint-exams/{demo.joint_exam_id}/report.pdf?scope=class:{demo.school_class_id}"
    with _client(app, demo, Role.TEACHER) as client:
        english = client.get(f"{url}&lang=en")
    assert english.status_code == 200
    text = _pdf_text(english.content)
    assert "Mean total" in text and "总分平均分" not in text and "Page 1 of" in text
    assert f"{expected.summary.mean:.1f}" in text
    before = _audits(demo_settings, "joint_report_pdf")
    for role in (Role.STUDENT, Role.PARENT):
        with _client(app, demo, role) as client:
            assert client.get(url).status_code == 403
    assert _audits(demo_settings, "joint_report_pdf") == before


def test_district_admin_compares_schools_and_classes_on_the_balanced_index(
    demo: Demo, app: object
) -> None:
    with _client(app, demo, Role.DISTRICT_ADMIN) as client:
        page = client.get(f"/joint-exams/{demo.joint_exam_id}/report?scope=district")
        listing = client.get("/joint-exams")
    assert page.status_code == 200
    assert "学校对比（学科均衡）" in page.text and "班级对比（学科均衡）" in page.text
    assert "dataZoom" in page.text or page.text.count("data-chart=") >= 3
    assert f"/joint-exams/{demo.joint_exam_id}/report" in listing.text


def test_the_student_sees_bands_and_strengths_in_words_never_a_score(
    demo: Demo, app: object, demo_settings: Settings
) -> None:
    before = _audits(demo_settings, "joint_student_view")
    with _client(app, demo, Role.STUDENT) as client:
        own = client.get(f"/students/{demo.own_student_id}/joint-exams")
        profile = client.get(f"/students/{demo.own_student_id}")
        other = client.get(f"/students/{demo.own_student_id + 1}/joint-exams")
    assert own.status_code == 200
    assert "总评" in own.text and re.search(r'class="band band-[ABCD]"', own.text)
    assert "总分" not in own.text and "标准分" not in own.text and "名次" not in own.text
    assert not re.search(r"\d / \d", own.text) and not re.search(r"\d / \d", profile.text)
    assert "较均衡" in own.text or "薄弱学科" in own.text or "缺考" in own.text
    assert other.status_code in (403, 404)
    assert f"/students/{demo.own_student_id}/joint-exams" in profile.text
    assert _audits(demo_settings, "joint_student_view") > before


def test_home_pages_and_the_roster_link_to_joint_exam_reports(demo: Demo, app: object) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        home = client.get("/home")
        roster = client.get(f"/classes/{demo.school_class_id}")
        listing = client.get("/joint-exams")
    with _client(app, demo, Role.DISTRICT_ADMIN) as client:
        district = client.get("/home")
    assert "/joint-exams/" in home.text
    assert f"scope=class:{demo.school_class_id}" in roster.text
    assert "/joint-exams" in district.text
    assert f"/joint-exams/{demo.joint_exam_id}/report" in listing.text
    assert listing.text.count("/report") < 12  # not the other grades' joint exams


def _last_audited_students(demo_settings: Settings, action: str) -> set[int]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        event_id = session.scalar(
            select(func.max(AuditEvent.id)).where(AuditEvent.action == action)
        )
        students = set(
            session.scalars(
                select(AuditEventStudent.student_id).where(AuditEventStudent.event_id == event_id)
            )
        )
    engine.dispose()
    return students


def test_a_page_audits_the_students_it_shows_and_the_workbook_every_student(
    demo_settings: Settings, demo: Demo, app: object
) -> None:
    report = _class_report(demo_settings, demo, kind="district")
    second = joint_service.view_page(report, 2)
    assert second.n_pages > 2 and len(second.rows) == joint_service.VIEW_ROWS
    with _client(app, demo, Role.DISTRICT_ADMIN) as client:
        page = client.get(f"/joint-exams/{demo.joint_exam_id}/report?scope=district&page=2")
        shown = _last_audited_students(demo_settings, "joint_report_view")
        workbook = client.get(f"/joint-exams/{demo.joint_exam_id}/report.xlsx?scope=district")
        downloaded = _last_audited_students(demo_settings, "joint_report_xlsx")
    assert page.status_code == 200 and workbook.status_code == 200
    rows = {line.student_id for line in second.rows}
    lopsided = {line.student_id for line in second.lopsided}
    assert shown == rows | lopsided
    assert all(f"/students/{student_id}/joint-exams" in page.text for student_id in rows)
    top = report.students[0].student_id  # on page 1, not page 2
    assert top not in shown or top in lopsided
    assert downloaded == {line.student_id for line in report.students}
