"""Joint-exam (联考) pages: the list of a district's joint exams, the report of a scope (staff),
its XLSX and PDF, and a student's own results (the family reads words, not z-scores).

Scope checks, the default scope of each role and the audit happen in ``analysis.joint_service``;
charts come from ``analysis.charts``. The pages parse the request, call the service, render.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from yincai.analysis import joint_service
from yincai.analysis.charts import comparison_height, joint_charts
from yincai.analysis.exam import ReportScope
from yincai.analysis.joint_xlsx import joint_workbook_bytes
from yincai.analysis.page_support import XLSX_TYPE, download, kept_views, ranks_allowed
from yincai.governance import service as governance_service
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/joint-exams", response_class=HTMLResponse)
def joint_exam_list(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The district's joint exams, newest first (staff)."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    entries = joint_service.list_joint_exams(session, actor=user)
    return templates.TemplateResponse(request, "analysis/joint_list.html", {"entries": entries})


@router.get("/joint-exams/{joint_exam_id}/report", response_class=HTMLResponse)
def joint_exam_report_page(
    request: Request,
    joint_exam_id: int,
    session: DbSession,
    user: CurrentUser,
    scope: str | None = None,
    page: int = 1,
) -> Response:
    """The joint-exam report of the district, a school or a class (staff within their scope)."""
    report = joint_service.joint_exam_report(
        session,
        actor=user,
        joint_exam_id=joint_exam_id,
        surface="view",
        scope=joint_service.parse_scope(scope),
        show_ranks=ranks_allowed(request),
        kept_views=kept_views(request),
        page=page,
    )
    options = joint_service.joint_scope_options(
        session, actor=user, joint_exam_id=joint_exam_id, current=report.scope
    )
    session.commit()
    shown = joint_service.view_page(report, page)
    charts = joint_charts(report)
    return templates.TemplateResponse(
        request,
        "analysis/joint_report.html",
        {
            "report": report,
            "options": options,
            "charts": charts,
            "class_chart_height": comparison_height(len(report.classes)),
            "school_chart_height": comparison_height(len(report.schools)),
            "rows": shown.rows,
            "lopsided_rows": shown.lopsided,
            "page": shown.page,
            "n_pages": shown.n_pages,
            "scope_query": _scope_query(report.scope),
            "lang": language_of(request, request.app.state.settings.language),
        },
    )


def _scope_query(scope: ReportScope) -> str:
    if scope.kind == "class":
        return f"scope=class:{scope.school_class_id}"
    if scope.kind == "school":
        return f"scope=school:{scope.school_id}"
    return "scope=district"


def _download_report(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    joint_exam_id: int,
    scope: str | None,
    surface: joint_service.JointSurface,
) -> joint_service.JointReport:
    """The report for a download, audited as that surface (committed before the file leaves)."""
    report = joint_service.joint_exam_report(
        session,
        actor=user,
        joint_exam_id=joint_exam_id,
        surface=surface,
        scope=joint_service.parse_scope(scope),
        show_ranks=ranks_allowed(request),
    )
    session.commit()
    return report


@router.get("/joint-exams/{joint_exam_id}/report.xlsx")
def joint_exam_report_xlsx(
    request: Request,
    joint_exam_id: int,
    session: DbSession,
    user: CurrentUser,
    scope: str | None = None,
) -> Response:
    """The same report as a workbook (every student, unpaged)."""
    report = _download_report(request, session, user, joint_exam_id, scope, "xlsx")
    return download(joint_workbook_bytes(report), XLSX_TYPE, f"{report.code}-joint.xlsx")


@router.get("/joint-exams/{joint_exam_id}/report.pdf")
def joint_exam_report_pdf(
    request: Request,
    joint_exam_id: int,
    session: DbSession,
    user: CurrentUser,
    scope: str | None = None,
) -> Response:
    """The same report as a printable PDF, in the page's language."""
    from yincai.analysis.joint_pdf import joint_report_pdf  # WeasyPrint loads on demand

    report = _download_report(request, session, user, joint_exam_id, scope, "pdf")
    language = language_of(request, request.app.state.settings.language)
    pdf = joint_report_pdf(report, language=language)
    return download(pdf, "application/pdf", f"{report.code}-joint.pdf")


@router.get("/students/{student_id}/joint-exams", response_class=HTMLResponse)
def student_joint_exams(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's joint exams, each with 总分 and the subjects (the family copy in words)."""
    entries = joint_service.list_joint_exams(session, actor=user, student_id=student_id)
    results = [
        joint_service.student_joint_result(
            session, actor=user, student_id=student_id, joint_exam_id=entry.id
        )
        for entry in entries
    ]
    session.commit()
    return templates.TemplateResponse(
        request, "analysis/joint_student.html", {"results": results, "student_id": student_id}
    )
