"""The sections of an exam report a teacher prints after every exam, one page each (same scope
choice as the report): 成绩单 with 小题分 (paged, sortable), 分数线 / 临界生 / 分数段, 试卷讲评 and
the classes and teachers side by side. The workbook and the PDF of the report carry them too.

Pages parse the query, call ``service.exam_details_by_id`` (scope check, audit) and render.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from yincai.analysis import service
from yincai.analysis.lines import form_rows
from yincai.analysis.page_support import exam_cache, ranks_allowed, scope_query
from yincai.errors import Invalid
from yincai.i18n import _
from yincai.rules import item_type_label
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)

Section = Literal["transcript", "lines", "review", "classes"]
SECTIONS: tuple[Section, ...] = ("transcript", "lines", "review", "classes")
MAX_PAGE = 100_000


def parse_page(text: str | None) -> int:
    """A page number from the query: a whole number from 1 (a clear 422 otherwise)."""
    if text is None or not text.strip():
        return 1
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise Invalid(
            _("页码“{value}”无效：应为正整数").format(value=text.strip()[:20]),
            code="report.invalid_page",
        )
    return int(text)


def details_request(
    margin: str | None,
    line_name: list[str],
    line_score: list[str],
    page: str | None = None,
    order: str | None = None,
) -> service.DetailsRequest:
    return service.DetailsRequest(
        margin=margin,
        line_names=tuple(line_name),
        line_scores=tuple(line_score),
        page=parse_page(page),
        order=order or "total",
    )


def _section_page(
    request: Request,
    section: Section,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None,
    school_class_id: int | None,
    asked: service.DetailsRequest,
) -> Response:
    view = service.exam_details_by_id(
        session,
        actor=user,
        assessment_id=assessment_id,
        surface=section,
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=ranks_allowed(request),
        request=asked,
        cache=exam_cache(request),
    )
    options = service.scope_options(
        session, actor=user, assessment_id=assessment_id, current=view.report.scope
    )
    session.commit()
    scope = scope_query(view.report.scope)
    form_query = "&".join(
        part
        for part in request.url.query.split("&")
        if part.split("=")[0] in ("margin", "line_name", "line_score")
    )
    return templates.TemplateResponse(
        request,
        f"analysis/{section}.html",
        {
            "view": view,
            "report": view.report,
            "details": view.details,
            "section": section,
            "assessment_id": assessment_id,
            "options": options,
            "scope_query": scope,
            "query": "&".join(part for part in (scope, form_query) if part),
            "item_type_label": item_type_label,
            "line_rows": form_rows(asked.line_names, asked.line_scores),
        },
    )


@router.get("/assessments/{assessment_id}/report/transcript", response_class=HTMLResponse)
def exam_transcript_page(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
    page: str | None = None,
    order: str | None = None,
) -> Response:
    """成绩单 with 小题分 of a scope, 50 students a page, by total or student number."""
    asked = details_request(None, [], [], page, order)
    return _section_page(
        request, "transcript", assessment_id, session, user, school_id, school_class_id, asked
    )


@router.get("/assessments/{assessment_id}/report/lines", response_class=HTMLResponse)
def exam_lines_page(
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
    """Custom score lines, 低分率, 临界生 and the 10-point 分数段统计表 of a scope."""
    asked = details_request(margin, line_name or [], line_score or [])
    return _section_page(
        request, "lines", assessment_id, session, user, school_id, school_class_id, asked
    )


@router.get("/assessments/{assessment_id}/report/review", response_class=HTMLResponse)
def exam_review_page(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """试卷讲评: option and score distributions per item, typical wrong answers, and in a class
    the students behind each answer."""
    asked = details_request(None, [], [])
    return _section_page(
        request, "review", assessment_id, session, user, school_id, school_class_id, asked
    )


@router.get("/assessments/{assessment_id}/report/classes", response_class=HTMLResponse)
def exam_classes_page(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """The classes of the school side by side, and by teacher of the subject."""
    asked = details_request(None, [], [])
    return _section_page(
        request, "classes", assessment_id, session, user, school_id, school_class_id, asked
    )
