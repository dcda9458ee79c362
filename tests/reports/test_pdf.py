"""PDFs: valid files whose text (Chinese included) can be read back; no rank in a family copy;
every practice item in its student's booklet and the answer key at the end."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from yincai.accounts.actors import CLI
from yincai.analysis import service as analysis_service
from yincai.analysis.exam_pdf import exam_report_pdf
from yincai.analysis.student_pdf import student_report_pdf
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Assessment, School, SchoolClass, Sitting, Student
from yincai.reports.booklet_pdf import BookletItem, BookletStudent, booklet_pdf

RANK_WORDS = ("排名", "名次")


def _pages(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def exam_and_student(demo_settings: Settings) -> tuple[str, str, str, str]:
    """An exam code, a school and class that sat it, and one of its students who was present."""
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        code, school, class_name, number = session.execute(
            select(Assessment.code, School.code, SchoolClass.name, Student.student_number)
            .join(Sitting, Sitting.assessment_id == Assessment.id)
            .join(Student, Student.id == Sitting.student_id)
            .join(SchoolClass, SchoolClass.id == Student.school_class_id)
            .join(School, School.id == SchoolClass.school_id)
            .where(Sitting.is_absent.is_(False))
            .order_by(Assessment.held_on.desc(), Student.student_number)
            .limit(1)
        ).one()
    engine.dispose()
    return code, school, class_name, number


def test_class_exam_report_pdf_carries_its_chinese_title_and_class(
    demo_settings: Settings, exam_and_student: tuple[str, str, str, str]
) -> None:
    code, school, class_name, _ = exam_and_student
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        scope = analysis_service.resolve_scope(session, school_code=school, class_name=class_name)
        report = analysis_service.exam_report(
            session, actor=CLI, surface="cli", assessment_code=code, scope=scope
        )
    engine.dispose()
    pages = _pages(exam_report_pdf(report))
    assert 2 <= len(pages) <= 20
    assert f"{report.name} 成绩分析报告" in pages[0]
    assert class_name in pages[0]
    assert "第 1 页 / 共" in pages[0]
    assert any("小题分析" in page for page in pages)
    assert any("一分一段表" in page for page in pages)


def test_exam_report_without_ranks_leaves_out_the_score_band_table(
    demo_settings: Settings, exam_and_student: tuple[str, str, str, str]
) -> None:
    code, _, _, _ = exam_and_student
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        report = analysis_service.exam_report(
            session, actor=CLI, surface="cli", assessment_code=code, show_ranks=False
        )
    engine.dispose()
    text = "".join(_pages(exam_report_pdf(report)))
    assert "一分一段表" not in text
    assert not any(word in text for word in RANK_WORDS)


def test_family_student_pdf_names_the_student_and_shows_no_rank(
    demo_settings: Settings, exam_and_student: tuple[str, str, str, str]
) -> None:
    code, _, _, number = exam_and_student
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        family = analysis_service.student_report(
            session,
            actor=CLI,
            surface="cli",
            student_number=number,
            assessment_code=code,
            include_mastery=False,
        )
        teacher = analysis_service.student_report(
            session,
            actor=CLI,
            surface="cli",
            student_number=number,
            assessment_code=code,
            audience="teacher",
            show_ranks=True,
            include_mastery=False,
        )
    engine.dispose()
    pages = _pages(student_report_pdf(family))
    text = "".join(pages)
    assert 1 <= len(pages) <= 6
    assert family.name in pages[0] and "成绩报告单" in pages[0]
    assert "家长版" in pages[0]
    assert not any(word in text for word in RANK_WORDS)
    assert "名次" in "".join(_pages(student_report_pdf(teacher)))


def _booklet_students() -> list[BookletStudent]:
    stems = [
        (
            "single_choice",
            "计算 $\\frac{1}{2}+\\frac{1}{3}$ 的结果是（　　）",
            ["$\\frac{5}{6}$", "$\\frac{2}{5}$", "$1$", "$\\frac{1}{6}$"],
            "A",
        ),
        ("fill_in", "若 $\\angle A=40^{\\circ}$，则它的余角是______。", [], "$50^{\\circ}$"),
        ("short_answer", "解方程：$x^{2}-2x=0$。", [], "$x_1=0$，$x_2=2$"),
    ]
    students = []
    for number, name in enumerate(["王小明", "李思雨", "赵一诺"]):
        items = [
            BookletItem(
                label=f"Q{number}{index}",
                item_type=item_type,
                stem=f"【{name}第{index + 1}题】{stem}",
                options=options,
                answer=answer,
                full_score=3.0,
                reason="薄弱知识点：有理数",
            )
            for index, (item_type, stem, options, answer) in enumerate(stems)
        ]
        students.append(
            BookletStudent(
                name=name,
                student_number=f"2026{number:04d}",
                class_name="七年级（1）班",
                items=items,
            )
        )
    return students


def test_booklet_holds_every_item_of_each_student_and_the_answer_key_last() -> None:
    students = _booklet_students()
    pages = _pages(booklet_pdf(students, class_name="七年级（1）班", school_name="示范区第一中学"))
    key_start = next(index for index, page in enumerate(pages) if "参考答案" in page)
    booklet_text = "".join(pages[:key_start])
    key_text = "".join(pages[key_start:])
    for student in students:
        for index in range(len(student.items)):
            assert f"【{student.name}第{index + 1}题】" in booklet_text
        assert f"{student.name}（{student.student_number}）" in key_text
    assert key_start >= len(students)  # each booklet starts on its own page
    assert "参考答案" not in booklet_text
