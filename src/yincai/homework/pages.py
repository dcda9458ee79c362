"""Homework pages: a class's homework (``/classes/{id}/homework``, with its XLSX), one student's
(``/students/{id}/homework``) and a school's classes side by side (``/schools/{id}/homework``).

Scope checks and the audit of every read happen in ``homework.service``; the charts' options come
from ``homework.charts``. The pages parse the request, call the service and render.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from yincai.homework import charts, service
from yincai.homework.service import SchoolSort
from yincai.homework.xlsx import class_workbook_bytes
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SubjectCode = Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_-]*$")]


@router.get("/classes/{school_class_id}/homework", response_class=HTMLResponse)
def class_homework_page(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """A class's homework in one subject: completion, late and missing work, accuracy."""
    report = service.class_homework(
        session, actor=user, school_class_id=school_class_id, subject_code=subject, page=page
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "homework/class.html",
        {
            "report": report,
            "charts": {
                "weekly": charts.weekly_chart(report.weeks),
                "kps": charts.kp_chart(report.kps),
            },
        },
    )


@router.get("/classes/{school_class_id}/homework.xlsx")
def class_homework_xlsx(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
) -> Response:
    """The class's homework table as a workbook (every student)."""
    report = service.class_homework(
        session,
        actor=user,
        school_class_id=school_class_id,
        subject_code=subject,
        page=None,
        surface="xlsx",
    )
    session.commit()
    language = language_of(request, request.app.state.settings.language)
    code = report.subject.code if report.subject else "none"
    name = quote(f"homework-{school_class_id}-{code}.xlsx")
    return Response(
        class_workbook_bytes(report, language),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/students/{student_id}/homework", response_class=HTMLResponse)
def student_homework_page(
    request: Request,
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
) -> Response:
    """One student's homework: handed in, late and missing work, accuracy by knowledge point."""
    report = service.student_homework(
        session, actor=user, student_id=student_id, subject_code=subject
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "homework/student.html",
        {"report": report, "charts": {"kps": charts.kp_chart(report.kps)}},
    )


@router.get("/schools/{school_id}/homework", response_class=HTMLResponse)
def school_homework_page(
    request: Request,
    school_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = None,
    sort: SchoolSort = "completion",
) -> Response:
    """A school's classes side by side: homework completion and accuracy in one subject."""
    report = service.school_homework(
        session, actor=user, school_id=school_id, subject_code=subject, sort=sort
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "homework/school.html",
        {
            "report": report,
            "chart": charts.school_chart(report.classes),
            "chart_height": charts.school_chart_height(len(report.classes)),
        },
    )
