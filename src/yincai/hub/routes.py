"""JSON API of the data hub, filtered to the caller's scope (session cookie; writes need the
``X-CSRF-Token`` header)."""

from __future__ import annotations

from fastapi import APIRouter

from yincai.hub import views
from yincai.hub.schemas import ClassRosterRead, SchoolCountRead, SchoolHomeRead, StudentProfileRead
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/hub", tags=["hub"])


@router.get("/schools")
def list_schools(session: DbSession, user: CurrentUser) -> list[SchoolCountRead]:
    """The schools in the caller's scope with their numbers of classes, students and teachers."""
    return [SchoolCountRead.model_validate(row) for row in views.school_counts(session, actor=user)]


@router.get("/schools/{school_id}")
def read_school(school_id: int, session: DbSession, user: CurrentUser) -> SchoolHomeRead:
    """One school's classes and the assessments they sat (admins)."""
    return SchoolHomeRead.model_validate(
        views.school_home(session, actor=user, school_id=school_id)
    )


@router.get("/classes/{school_class_id}/students")
def read_roster(school_class_id: int, session: DbSession, user: CurrentUser) -> ClassRosterRead:
    """A class's roster with the latest exam totals (teachers and admins; audited)."""
    roster = views.class_roster(session, actor=user, school_class_id=school_class_id)
    session.commit()
    return ClassRosterRead.model_validate(roster)


@router.get("/students/{student_id}")
def read_student(student_id: int, session: DbSession, user: CurrentUser) -> StudentProfileRead:
    """One student's assessments as grade bands (audited)."""
    profile = views.student_profile(session, actor=user, student_id=student_id)
    session.commit()
    return StudentProfileRead.model_validate(profile)
