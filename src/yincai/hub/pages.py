"""Server-rendered pages of the data hub: the landing page, each role's home, school, class and
student pages; every page shows only what the logged-in account's scope allows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.accounts.models import Role
from yincai.hub import directory, views
from yincai.web.deps import CurrentUser, DbSession, OptionalUser
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


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The home page of the account's role."""
    data: views.TeacherHome | views.SchoolHome | views.DistrictHome | views.StudentProfile
    match user.role:
        case Role.TEACHER:
            page, data = "hub/teacher_home.html", views.teacher_home(session, actor=user)
        case Role.SCHOOL_ADMIN:
            assert user.school_id is not None  # create_account requires it
            page = "hub/school.html"
            data = views.school_home(session, actor=user, school_id=user.school_id)
        case Role.DISTRICT_ADMIN:
            page, data = "hub/district_home.html", views.district_home(session, actor=user)
        case Role.STUDENT | Role.PARENT:
            assert user.student_id is not None  # create_account requires it
            page = "hub/student.html"
            data = views.student_profile(session, actor=user, student_id=user.student_id)
    session.commit()  # the audit row of a student view
    return templates.TemplateResponse(request, page, {"data": data})


@router.get("/schools/{school_id}", response_class=HTMLResponse)
def school(request: Request, school_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One school's classes and assessments."""
    data = views.school_home(session, actor=user, school_id=school_id)
    return templates.TemplateResponse(request, "hub/school.html", {"data": data})


@router.get("/classes/{school_class_id}", response_class=HTMLResponse)
def school_class(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A class's roster with the latest exam totals (teachers and admins)."""
    data = views.class_roster(session, actor=user, school_class_id=school_class_id)
    session.commit()
    return templates.TemplateResponse(request, "hub/class.html", {"data": data})


@router.get("/students/{student_id}", response_class=HTMLResponse)
def student(request: Request, student_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One student's profile and results as grade bands."""
    data = views.student_profile(session, actor=user, student_id=student_id)
    session.commit()
    return templates.TemplateResponse(request, "hub/student.html", {"data": data})
