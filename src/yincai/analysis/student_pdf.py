"""One student's exam report as a PDF. The family copy (the default audience) carries no rank:
the template only draws ranks for a teacher's copy that has them (DESIGN: no public ranking)."""

from __future__ import annotations

from datetime import UTC, datetime

from yincai.analysis.student import StudentReport, TeacherStudentReport
from yincai.reports import pdf


def student_report_pdf(report: StudentReport) -> bytes:
    """The report card: total, band, progress, items, knowledge points, mistakes book."""
    is_teacher_copy = report.audience == "teacher"
    ranks = report.ranks if is_teacher_copy and isinstance(report, TeacherStudentReport) else None
    context = {
        "report": report,
        "is_teacher_copy": is_teacher_copy,
        "ranks": ranks,
        "generated_on": datetime.now(UTC).date().isoformat(),
    }
    return pdf.render("student_report.html", context)
