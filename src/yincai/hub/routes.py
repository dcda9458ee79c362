"""JSON API of the data hub, filtered to the caller's scope (session cookie; writes need the
``X-CSRF-Token`` header)."""

from __future__ import annotations

from fastapi import APIRouter

from yincai.hub import views
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/hub", tags=["hub"])


@router.get("/schools")
def list_schools(session: DbSession, user: CurrentUser) -> list[views.SchoolCount]:
    """The schools in the caller's scope with their numbers of classes, students and teachers."""
    return views.school_counts(session, actor=user)


@router.get("/schools/{school_id}")
def read_school(school_id: int, session: DbSession, user: CurrentUser) -> views.SchoolHome:
    """One school's classes and the assessments they sat (admins)."""
    return views.school_home(session, actor=user, school_id=school_id)


@router.get("/classes/{school_class_id}/students")
def read_roster(school_class_id: int, session: DbSession, user: CurrentUser) -> views.ClassRoster:
    """A class's roster with the latest exam totals (teachers and admins; audited)."""
    roster = views.class_roster(session, actor=user, school_class_id=school_class_id)
    session.commit()
    return roster


@router.get("/students/{student_id}")
def read_student(student_id: int, session: DbSession, user: CurrentUser) -> views.StudentProfile:
    """One student's assessments as grade bands (audited)."""
    profile = views.student_profile(session, actor=user, student_id=student_id)
    session.commit()
    return profile
