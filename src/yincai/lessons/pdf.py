"""A lesson plan as a PDF (a few pages, made in the request like the 错题本): the same figures
table as the page and the DOCX (``plan.figure_rows``), each section with its state, maths drawn."""

from __future__ import annotations

from yincai.analysis.joint_pdf import page_counter_css
from yincai.i18n import SOURCE_LANGUAGE
from yincai.lessons.plan import LessonPlan, confirmed_time, figure_rows
from yincai.reports import pdf


def lesson_plan_pdf(plan: LessonPlan, *, language: str = SOURCE_LANGUAGE) -> bytes:
    """The plan's PDF, its labels in ``language``."""
    context = {
        "plan": plan,
        "lang": language,
        "rows": figure_rows(plan.figures),
        "confirmed_time": confirmed_time,
        "page_words": page_counter_css(language),
    }
    return pdf.render("lesson_plan.html", context)
