"""Report pages: the exam report of a scope (staff) and a student's report on one exam (the
teacher's copy for staff, the family copy for the student and their parent), with XLSX and PDF
downloads of exactly what the page shows.

Scope checks, the default scope of each role and the audit of every view and download happen in
``analysis.service``; the charts' ECharts options come from ``analysis.charts``. The pages parse
the request, call the service and render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from yincai.analysis import service
from yincai.analysis.charts import exam_charts, student_charts
from yincai.analysis.detail_pages import details_request
from yincai.analysis.detail_pages import router as details_router
from yincai.analysis.page_support import (
    XLSX_TYPE,
    download,
    exam_cache,
    ranks_allowed,
    scope_query,
)
from yincai.analysis.service import Copy
from yincai.analysis.student import StudentReport, TeacherStudentReport
from yincai.analysis.xlsx import exam_workbook_bytes
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.i18n import _
from yincai.reports.maths import page_text_html
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.fragments import FragmentCache
from yincai.web.i18n import language_of
from yincai.web.templating import templates

__all__ = ["Copy", "exam_cache", "ranks_allowed", "router"]

router = APIRouter(include_in_schema=False)

router.include_router(details_router)


@router.get("/assessments/{assessment_id}/report", response_class=HTMLResponse)
def exam_report_page(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """The exam report of the district, a school or a class (staff within their scope)."""
    report = service.exam_report_by_id(
        session,
        actor=user,
        assessment_id=assessment_id,
        surface="view",
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=ranks_allowed(request),
        cache=exam_cache(request),
    )
    options = service.scope_options(
        session, actor=user, assessment_id=assessment_id, current=report.scope
    )
    links = service.linked_students(session, actor=user, assessment_id=assessment_id, report=report)
    session.commit()
    query = request.url.query
    language = language_of(request, request.app.state.settings.language)

    def render_body() -> str:
        return templates.get_template("analysis/_exam_body.html").render(
            report=report,
            assessment_id=assessment_id,
            links=links,
            charts=exam_charts(report),
            lang=language,
        )

    fragments: FragmentCache = request.app.state.fragments
    body = fragments.get(report, ("exam", language, tuple(sorted(links.items()))), render_body)
    return templates.TemplateResponse(
        request,
        "analysis/exam.html",
        {
            "report": report,
            "assessment_id": assessment_id,
            "options": options,
            "body": body,
            "query": query,
            "scope_query": scope_query(report.scope),
            "ranks_query": _without(query, "ranks"),
        },
    )


def _without(query: str, name: str) -> str:
    return "&".join(part for part in query.split("&") if part and not part.startswith(f"{name}="))


@router.get("/assessments/{assessment_id}/report.xlsx")
def exam_report_xlsx(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
    margin: str | None = None,
    line_name: Annotated[list[str] | None, Query()] = None,
    line_score: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The same report as a workbook, with the 成绩单 (every student, 小题分), lines, 临界生,
    分数段, 试卷讲评 and the side-by-side comparison."""
    view = service.exam_details_by_id(
        session,
        actor=user,
        assessment_id=assessment_id,
        surface="xlsx",
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=ranks_allowed(request),
        request=details_request(margin, line_name or [], line_score or []),
        cache=exam_cache(request),
    )
    session.commit()
    content = exam_workbook_bytes(view.report, view.details)
    return download(content, XLSX_TYPE, f"{view.report.code}-report.xlsx")


@router.get("/assessments/{assessment_id}/report.pdf")
def exam_report_pdf(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
    margin: str | None = None,
    line_name: Annotated[list[str] | None, Query()] = None,
    line_score: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The same report as a printable PDF, with 分数段, 临界生 and 试卷讲评."""
    from yincai.analysis.exam_pdf import exam_report_pdf as render  # WeasyPrint loads on demand

    view = service.exam_details_by_id(
        session,
        actor=user,
        assessment_id=assessment_id,
        surface="pdf",
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=ranks_allowed(request),
        request=details_request(margin, line_name or [], line_score or []),
        cache=exam_cache(request),
    )
    session.commit()
    content = render(view.report, details=view.details)
    return download(content, "application/pdf", f"{view.report.code}-report.pdf")


def weak_point_reasons(report: StudentReport) -> list[tuple[str, str]]:
    """Each weak point with why it is weak: its mastery, the evidence and this exam's rate."""
    if not report.weak_points or not report.mastery:
        return []
    by_name = {entry.name: entry for entry in report.mastery}
    rates = {kp.name: kp.score_rate for kp in report.knowledge}
    reasons: list[tuple[str, str]] = []
    for name in report.weak_points:
        entry = by_name[name]
        band = entry.band_word
        if report.audience == "teacher":
            reason = _(
                "{band}：掌握度约 {mastery}（{percent}% 可信区间 {low}–{high}），依据 {n} 次作答"
            ).format(
                band=band,
                mastery=f"{entry.mastery:.0%}",
                percent=levels.CREDIBLE_PERCENT,
                low=f"{entry.level_low:.0%}",
                high=f"{entry.level_high:.0%}",
                n=entry.n_evidence,
            )
        else:
            reason = _("{band}（依据 {n} 次作答）").format(band=band, n=entry.n_evidence)
        if rates.get(name) is not None:
            reason = _("{reason}；本次考试得分率 {rate}").format(
                reason=reason, rate=f"{rates[name]:.0%}"
            )
        reasons.append((name, reason))
    return reasons


@router.get("/students/{student_id}/assessments/{assessment_id}", response_class=HTMLResponse)
def student_report_page(
    request: Request,
    student_id: int,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    copy: str | None = None,
) -> Response:
    """One student's report on one exam: the teacher's copy for staff, the family copy else."""
    view = service.student_report_by_id(
        session,
        actor=user,
        student_id=student_id,
        assessment_id=assessment_id,
        surface="view",
        copy=copy,
        show_ranks=ranks_allowed(request),
        cache=exam_cache(request),
    )
    mastery_state = diagnosis_service.refresh_if_stale(
        session,
        subject_code=view.subject_code,
        request_refresh=request.app.state.jobs.request_mastery_refresh,
    )
    session.commit()
    report = view.report
    return templates.TemplateResponse(
        request,
        "analysis/student.html",
        {
            "report": report,
            "student_id": student_id,
            "assessment_id": assessment_id,
            "ranks": report.ranks if isinstance(report, TeacherStudentReport) else None,
            "is_staff": service.is_staff(user),
            "charts": student_charts(report, view.trend),
            "reasons": weak_point_reasons(report),
            "maths": page_text_html,
            "mastery_state": mastery_state,
        },
    )


@router.get("/students/{student_id}/assessments/{assessment_id}/report.pdf")
def student_report_pdf(
    request: Request,
    student_id: int,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    copy: str | None = None,
) -> Response:
    """The student's report as PDF (students and parents: always the family copy)."""
    from yincai.analysis.student_pdf import student_report_pdf as render

    view = service.student_report_by_id(
        session,
        actor=user,
        student_id=student_id,
        assessment_id=assessment_id,
        surface="pdf",
        copy=copy,
        show_ranks=ranks_allowed(request),
        cache=exam_cache(request),
    )
    session.commit()
    report = view.report
    filename = f"{view.assessment_code}-{view.student_number}-{report.audience}.pdf"
    return download(render(report), "application/pdf", filename)
