"""The research export page: district admins pick assessments and download the ZIP.

The export runs in the request's thread, bounded so that it cannot hold the server: at most
``MAX_PAGE_ASSESSMENTS`` assessments per download and one export at a time per server process
(a second request meanwhile is told to wait). Larger exports are for ``yincai export research``.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from yincai.errors import Conflict, Invalid
from yincai.governance.privacy import pseudonym_key
from yincai.governance.research import exportable_assessments, research_export
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/governance/exports", include_in_schema=False)

MAX_PAGE_ASSESSMENTS = 12  # all 12 exams of the 6,500-student demo district: ≈ 4 s
_running = threading.Lock()


def _page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    *,
    error: str | None = None,
    chosen: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "governance/research_export.html",
        {
            "assessments": exportable_assessments(session, actor=user),
            "chosen": set(chosen or []),
            "max_assessments": MAX_PAGE_ASSESSMENTS,
            "min_size": request.app.state.settings.export_min_group,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/research", response_class=HTMLResponse)
def research_form(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The form of the pseudonymised research export (district admins)."""
    return _page(request, session, user)


@router.post("/research")
def research_download(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    assessment: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Build the export of the chosen assessments and send it as a ZIP."""
    codes = list(dict.fromkeys(assessment or []))
    exportable_assessments(session, actor=user)  # district admins only, before any work
    if not codes or len(codes) > MAX_PAGE_ASSESSMENTS:
        message = _("请选择 1 至 {n} 次考试；更多请用命令 yincai export research").format(
            n=MAX_PAGE_ASSESSMENTS
        )
        return _page(request, session, user, error=message, chosen=codes, status_code=422)
    if not _running.acquire(blocking=False):
        raise Conflict(_("另一个研究导出正在生成，请稍后再试"), code="export.busy")
    try:
        settings = request.app.state.settings
        try:
            export = research_export(
                session,
                actor=user,
                key=pseudonym_key(settings),
                min_size=settings.export_min_group,
                assessment_codes=codes,
            )
        except Invalid as exc:
            session.rollback()
            return _page(request, session, user, error=exc.message, chosen=codes, status_code=422)
        session.commit()
    finally:
        _running.release()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        export.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="research-export-{stamp}.zip"',
            "Cache-Control": "no-store",
        },
    )
