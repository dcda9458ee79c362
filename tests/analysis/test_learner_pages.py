"""The between-exams pages on the demo district: the heatmap and its workbook, growth curves and
the 错题本 for each role, scope refusals as Chinese 403 pages, audit rows, and English pages
without Chinese interface text."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.analysis.test_pages import Demo, _audits, _client, app, demo
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.analysis import learner
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    District,
    Grade,
    KnowledgePoint,
    School,
    SchoolClass,
    Student,
    Subject,
)

__all__ = ["app", "demo"]  # the report pages' fixtures, shared

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
HIDDEN = re.compile(
    r'<(script|style|title)\b.*?</\1>|<a [^>]*lang="zh-CN".*?</a>|<[^>]+>', re.DOTALL
)


def _service_map(demo_settings: Settings, demo: Demo, subject: str) -> learner.MasteryMap:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        view = learner.class_mastery_map(
            session, actor=CLI, school_class_id=demo.school_class_id, subject_code=subject
        )
        session.rollback()
    engine.dispose()
    return view


def _subject(client: TestClient, demo: Demo) -> str:
    page = client.get(f"/classes/{demo.school_class_id}/mastery")
    found = re.search(r'<option value="(\w+)" selected>', page.text)
    assert page.status_code == 200 and found
    return found.group(1)


def test_teacher_sees_the_heatmap_of_the_stored_levels_and_its_workbook(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    before = _audits(demo_settings, "class_mastery_view")
    with _client(app, demo, Role.TEACHER) as client:
        subject = _subject(client, demo)
        page = client.get(f"/classes/{demo.school_class_id}/mastery?subject={subject}")
        everything = client.get(f"/classes/{demo.school_class_id}/mastery?subject={subject}&all=1")
        xlsx = client.get(f"/classes/{demo.school_class_id}/mastery.xlsx?subject={subject}")
        roster = client.get(f"/classes/{demo.school_class_id}")
    assert _audits(demo_settings, "class_mastery_view") == before + 3
    view = _service_map(demo_settings, demo, subject)
    assert page.status_code == 200 and "data-chart='" in page.text
    chart = json.loads(unescape(re.search(r"data-chart='([^']*)'", page.text).group(1)))  # type: ignore[union-attr]
    assert chart["series"][0]["type"] == "heatmap"
    assert len(chart["series"][0]["data"]) == len(view.rows) * len(view.columns)
    assert chart["yAxis"]["data"] == [row.name for row in view.rows]
    assert chart["xAxis"]["axisLabel"]["overflow"] == "truncate"
    assert chart["tooltip"]["formatter"] == "{b}"
    assert view.columns[0].name in chart["series"][0]["data"][0]["name"]  # the full name
    assert page.text.count("<tr><td>") >= len(view.rows)
    if view.n_not_taught:
        assert "尚未学习" in everything.text
    assert f"/classes/{demo.school_class_id}/mastery" in roster.text
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["掌握度"]
    assert sheet.max_row == len(view.rows) + 1
    assert sheet.max_column == 3 + len(view.columns)
    for r, row in enumerate(view.rows, start=2):
        for k, cell in enumerate(row.cells):
            written = sheet.cell(row=r, column=4 + k)
            if cell.level is not None:
                assert written.value == pytest.approx(cell.level) and written.number_format == "0%"
            else:
                assert written.value == str(cell.word)


def test_teacher_of_another_class_and_students_are_refused(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    with _client(app, demo, Role.TEACHER) as client:
        other = client.get(f"/classes/{demo.other_class_id}/mastery")
        other_xlsx = client.get(f"/classes/{demo.other_class_id}/mastery.xlsx?subject=MATH")
        other_growth = client.get(f"/classes/{demo.other_class_id}/growth")
    assert other.status_code == 403 and "不在您的权限范围内" in other.text
    assert not re.search(r"\bForbidden\b|\bclass\b", HIDDEN.sub(" ", other.text))
    assert other_xlsx.status_code == 403 and other_growth.status_code == 403
    for role in (Role.STUDENT, Role.PARENT):
        with _client(app, demo, role) as client:
            own_class = client.get(f"/classes/{demo.school_class_id}/mastery?subject=MATH")
            growth = client.get(f"/classes/{demo.school_class_id}/growth")
        assert own_class.status_code == 403 and growth.status_code == 403


def _classmate(demo_settings: Settings, demo: Demo) -> int:
    """A student of the own student's class who is someone else."""
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        own = session.get(Student, demo.own_student_id)
        assert own is not None
        other = session.scalar(
            select(Student.id)
            .where(Student.school_class_id == own.school_class_id, Student.id != own.id)
            .order_by(Student.id)
        )
    engine.dispose()
    assert other is not None
    return int(other)


def test_a_student_sees_their_own_growth_and_mistakes_but_nobody_elses(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    classmate = _classmate(demo_settings, demo)
    before = _audits(demo_settings, "student_growth_view")
    for role in (Role.STUDENT, Role.PARENT):
        with _client(app, demo, role) as client:
            growth = client.get(f"/students/{demo.own_student_id}/growth")
            mistakes = client.get(f"/students/{demo.own_student_id}/mistakes")
            profile = client.get("/home")
            others = [
                client.get(f"/students/{classmate}/{path}")
                for path in ("growth", "mistakes", "mistakes.pdf")
            ]
        assert growth.status_code == 200 and mistakes.status_code == 200
        assert re.search(r"进步|稳定|退步", growth.text)
        assert "标准分</th>" not in growth.text  # words, not numbers
        found = re.search(r"data-chart='([^']*)'", growth.text)
        assert found
        chart = json.loads(unescape(found.group(1)))
        assert chart["yAxis"]["axisLabel"]["show"] is False and "tooltip" not in chart
        assert f"/students/{demo.own_student_id}/mistakes" in profile.text
        assert [response.status_code for response in others] == [403, 403, 403]
        assert "不在您的权限范围内" in others[0].text and "举一反三" not in others[1].text
    assert _audits(demo_settings, "student_growth_view") == before + 2


def test_teacher_reads_the_t_scores_of_the_service(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        view = learner.student_growth(session, actor=CLI, student_id=demo.student_id)
        session.rollback()
    engine.dispose()
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/students/{demo.student_id}/growth")
        class_page = client.get(f"/classes/{demo.school_class_id}/growth")
    assert page.status_code == 200 and class_page.status_code == 200
    points = [p for curve in view.curves for p in curve.points if p.t_score is not None]
    assert points
    for point in points:
        assert f'<td class="num">{point.t_score:.1f}</td>' in page.text
    assert class_page.text.count("data-chart='") >= 1


def test_mistake_book_page_and_pdf_for_a_teacher_are_audited(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    before = _audits(demo_settings, "mistake_book_view")
    before_pdf = _audits(demo_settings, "mistake_book_pdf")
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/students/{demo.student_id}/mistakes?subject=MATH")
        second = client.get(f"/students/{demo.student_id}/mistakes?subject=MATH&page=2")
        pdf = client.get(f"/students/{demo.student_id}/mistakes.pdf?subject=MATH")
        unknown = client.get(f"/students/{demo.student_id}/mistakes?subject=NOPE")
    assert page.status_code == 200 and second.status_code == 200
    assert page.text.count('class="mistake"') <= 20
    assert "正确答案" in page.text and "举一反三" in page.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert unknown.status_code == 404
    assert _audits(demo_settings, "mistake_book_view") == before + 2
    assert _audits(demo_settings, "mistake_book_pdf") == before_pdf + 1


def _data_words(demo_settings: Settings) -> list[str]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        words = [*session.scalars(select(UserAccount.display_name))]
        for model in (
            Assessment,
            District,
            Grade,
            School,
            SchoolClass,
            Student,
            Subject,
            KnowledgePoint,
        ):
            words += session.scalars(select(model.name))  # type: ignore[attr-defined]
    engine.dispose()
    words += [word[:7] + "…" for word in words]  # the table's short column heads
    return sorted(set(words), key=len, reverse=True)


def _interface_cjk(html: str, data_words: list[str]) -> list[str]:
    charts = " ".join(
        json.dumps(json.loads(unescape(chart)), ensure_ascii=False)
        for chart in re.findall(r"data-chart='([^']*)'", html)
    )
    text = HIDDEN.sub(" ", html) + "\n" + charts
    for word in data_words:
        text = text.replace(word, " ")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def test_english_pages_show_no_chinese_interface_text(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    words = _data_words(demo_settings)
    with _client(app, demo, Role.TEACHER) as client:
        pages = {
            path: client.get(f"{path}?lang=en")
            for path in (
                f"/classes/{demo.school_class_id}/mastery",
                f"/classes/{demo.school_class_id}/growth",
                f"/students/{demo.student_id}/growth",
            )
        }
        mistakes = client.get(f"/students/{demo.student_id}/mistakes?lang=en")
        chinese = client.get(f"/classes/{demo.school_class_id}/mastery")
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert _interface_cjk(page.text, words) == [], path
    visible = HIDDEN.sub(" ", mistakes.text)
    assert "Similar items" in visible and "Filter" in visible
    for text in ("举一反三", "筛选", "全部学科", "看答案", "错题本"):
        assert text not in visible
    assert "Mastery heatmap" in pages[f"/classes/{demo.school_class_id}/mastery"].text
    assert "Mastery heatmap" not in chinese.text and "Download" not in chinese.text


def test_the_roster_links_and_the_audit_counts_stay_per_view(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        n_students = session.scalar(
            select(func.count())
            .select_from(Student)
            .where(Student.school_class_id == demo.school_class_id)
        )
    engine.dispose()
    before = _audits(demo_settings, "class_growth_view")
    with _client(app, demo, Role.TEACHER) as client:
        roster = client.get(f"/classes/{demo.school_class_id}")
        client.get(f"/classes/{demo.school_class_id}/growth")
    assert f"/classes/{demo.school_class_id}/growth" in roster.text
    assert _audits(demo_settings, "class_growth_view") == before + 1
    assert n_students
