"""Recommendation pages: a student's weak points with the library's passages on each
(``/students/{id}/resources``), and a class's (``/classes/{id}/resources``). Scope checks and
audit rows are ``library.recommendations``'s; the pages parse, call it, commit and render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from yincai.library import recommendations
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
SubjectCode = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9_\-]*$")]


@router.get("/students/{student_id}/resources", response_class=HTMLResponse)
def student_resources(
    request: Request,
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
) -> Response:
    """A student's weak knowledge points in one subject, prerequisites first, each with the
    passages of the library to read and why."""
    view = recommendations.student_recommendations(
        session, actor=user, student_id=student_id, subject_code=subject or None
    )
    session.commit()
    return templates.TemplateResponse(request, "library/student_resources.html", {"view": view})


@router.get("/classes/{school_class_id}/resources", response_class=HTMLResponse)
def class_resources(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
) -> Response:
    """The knowledge points the most students of a class are weak on, with the passages."""
    view = recommendations.class_recommendations(
        session, actor=user, school_class_id=school_class_id, subject_code=subject or None
    )
    session.commit()
    return templates.TemplateResponse(request, "library/class_resources.html", {"view": view})
