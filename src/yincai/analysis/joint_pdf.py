"""The joint-exam (联考) report of a class, a school or the district as a PDF: the page's
figures as tables (summary, subjects, 总分 distribution, 偏科, the subject-balanced comparison,
the students), in the reader's language.

Figures go through the same filters as the page (``reports.formatting``); which students the PDF
names is ``joint_service.pdf_students``, the list its audit row names."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup

from yincai.analysis.joint import JointReport
from yincai.analysis.joint_service import pdf_students
from yincai.i18n import SOURCE_LANGUAGE, _, translate
from yincai.reports import pdf

PAGE_WORDS = _("第 {page} 页 / 共 {pages} 页")
_PAGE, _PAGES = "\x00page\x00", "\x00pages\x00"


def page_counter_css(language: str) -> Markup:
    """The CSS ``content`` of the page footer (第 1 页 / 共 3 页) in ``language``."""
    text = PAGE_WORDS.format(page=_PAGE, pages=_PAGES).render(language)
    quoted = '"' + text.replace("\\", "").replace('"', "") + '"'
    css = quoted.replace(_PAGE, '" counter(page) "').replace(_PAGES, '" counter(pages) "')
    return Markup(css)  # catalogue text, its quotes and backslashes removed


def weak_subject_counts(report: JointReport) -> list[tuple[str, int]]:
    """How many 偏科 students have each subject as their weakest, in the subjects' order."""
    counts = {subject.name: 0 for subject in report.subjects}
    for line in report.lopsided:
        if line.weak_subject in counts:
            counts[line.weak_subject] += 1
    return list(counts.items())


def joint_report_pdf(
    report: JointReport, *, language: str = SOURCE_LANGUAGE, organisation: str | None = None
) -> bytes:
    """The report's PDF in ``language`` (zh or en)."""
    students, lopsided = pdf_students(report)
    context = {
        "report": report,
        "lang": language,
        "organisation": organisation or translate(report.scope_title, language),
        "students": students,
        "lopsided": lopsided,
        "weak_counts": weak_subject_counts(report),
        "page_words": page_counter_css(language),
        "generated_on": datetime.now(UTC).date().isoformat(),
    }
    return pdf.render("joint_report.html", context)
