"""Server-rendered pages of the data hub: the landing page, each role's home, school, class and
student pages; every page shows only what the logged-in account's scope allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.accounts.models import Role
from yincai.hub import directory, views
from yincai.web.deps import CurrentUser, DbSession, OptionalUser
from yincai.web.paging import paginate
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, session: DbSession, user: OptionalUser) -> Response:
    """The login form and the district's schools: public facts, no personal data."""
    if user is not None:
        return RedirectResponse("/home", status_code=303)
    return templates.TemplateResponse(
        request,
        "hub/landing.html",
        {
            "counts": views.district_counts(session),
            "overview": directory.district_overview(session),
            "next": "/home",
        },
    )


def _exam_filters(query: Mapping[str, str]) -> tuple[int | None, str | None]:
    """The district home's exam filters: a blank or wrong grade is "any" (全部)."""
    grade = query.get("grade", "").strip()
    subject = query.get("subject", "").strip()
    level = int(grade) if grade.isdigit() and len(grade) < 3 else None
    return level, subject or None


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The home page of the account's role; long lists 50 rows a page (``?page=``)."""
    data: views.TeacherHome | views.SchoolHome | views.DistrictHome | views.StudentProfile
    query = request.query_params
    extra: dict[str, Any] = {}
    match user.role:
        case Role.TEACHER:
            page, data = "hub/teacher_home.html", views.teacher_home(session, actor=user)
            extra["sittings"] = paginate(data.recent, query)
        case Role.SCHOOL_ADMIN:
            assert user.school_id is not None  # create_account requires it
            page = "hub/school.html"
            data = views.school_home(session, actor=user, school_id=user.school_id)
            extra["sittings"] = paginate(data.assessments, query)
            extra["classes"] = paginate(data.classes, query, parameter="class_page")
        case Role.DISTRICT_ADMIN:
            grade_level, subject_code = _exam_filters(query)
            page = "hub/district_home.html"
            data = views.district_home(
                session, actor=user, grade_level=grade_level, subject_code=subject_code
            )
            extra |= {
                "exams": paginate(data.exams, query),
                "schools": paginate(data.schools, query, parameter="school_page"),
                "grade_level": grade_level,
                "subject_code": subject_code or "",
            }
        case Role.STUDENT | Role.PARENT:
            assert user.student_id is not None  # create_account requires it
            page = "hub/student.html"
            data = views.student_profile(session, actor=user, student_id=user.student_id)
    session.commit()  # the audit row of a student view
    return templates.TemplateResponse(request, page, {"data": data, **extra})


@router.get("/schools/{school_id}", response_class=HTMLResponse)
def school(request: Request, school_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One school's classes and assessments (50 a page)."""
    data = views.school_home(session, actor=user, school_id=school_id)
    return templates.TemplateResponse(
        request,
        "hub/school.html",
        {
            "data": data,
            "sittings": paginate(data.assessments, request.query_params),
            "classes": paginate(data.classes, request.query_params, parameter="class_page"),
        },
    )


@router.get("/classes/{school_class_id}", response_class=HTMLResponse)
def school_class(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A class's roster with its totals in every exam the class sat (teachers and admins)."""
    data = views.class_roster(session, actor=user, school_class_id=school_class_id)
    session.commit()
    return templates.TemplateResponse(
        request,
        "hub/class.html",
        {"data": data, "students": paginate(data.students, request.query_params)},
    )


@router.get("/students/{student_id}", response_class=HTMLResponse)
def student(request: Request, student_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One student's profile and results as grade bands."""
    data = views.student_profile(session, actor=user, student_id=student_id)
    session.commit()
    return templates.TemplateResponse(request, "hub/student.html", {"data": data})
