"""The growth-archive page ``/students/{id}/growth-archive`` (综合素质评价 · 成长档案): the five
dimensions' counts, the records newest first (50 a page) and, for a teacher of the class, a form
that adds one (POST, CSRF-checked by the middleware; bad input answers 422 with the reason).

Scope checks, validation and audit rows are ``growth.service``'s; the page parses, calls it,
commits and renders.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from yincai.domain.models import Dimension
from yincai.governance.pages import local_zone
from yincai.growth import service
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.paging import Page, page_number
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
FORM_CHARS = 20 * service.MAX_EVIDENCE_CHARS  # past this the request is refused before parsing


class NewRecord(BaseModel):
    """The form's fields as typed (checked by the service, which says what is wrong)."""

    model_config = ConfigDict(extra="ignore")  # the form also carries its CSRF token
    dimension: Annotated[str, Field(max_length=40)] = ""
    recorded_on: Annotated[str, Field(max_length=40)] = ""
    evidence: Annotated[str, Field(max_length=FORM_CHARS)] = ""


@router.get("/students/{student_id}/growth-archive", response_class=HTMLResponse)
def growth_archive_page(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The student's growth archive (staff in scope, the student, their parent)."""
    archive = service.growth_archive(
        session,
        actor=user,
        student_id=student_id,
        page=page_number(request.query_params),
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "growth/archive.html",
        {
            "archive": archive,
            "records": Page.of(
                archive.records,
                number=archive.page,
                total=archive.n_records,
                size=service.RECORDS_PER_PAGE,
            ),
            "dimensions": list(Dimension),
            "words": service.DIMENSION_WORDS,
            "academic": Dimension.ACADEMIC,
            "today": _today(request).isoformat(),
            "max_chars": service.MAX_EVIDENCE_CHARS,
            "added": request.query_params.get("added") == "1",
        },
    )


@router.post("/students/{student_id}/growth-archive")
def add_growth_record(
    request: Request,
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    form: Annotated[NewRecord, Form()],
) -> Response:
    """Add one record (a teacher of the student's class), then show the archive again."""
    service.add_record(
        session,
        actor=user,
        student_id=student_id,
        dimension=form.dimension,
        recorded_on=form.recorded_on,
        evidence=form.evidence,
        today=_today(request),
    )
    session.commit()
    return RedirectResponse(f"/students/{student_id}/growth-archive?added=1", status_code=303)


def _today(request: Request) -> date:
    """Today in the district's time zone (a record may not lie after it)."""
    return datetime.now(local_zone(request.app.state.settings.timezone)).date()
