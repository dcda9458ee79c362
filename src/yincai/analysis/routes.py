"""The analysis JSON API: the same exam and student reports as the pages, for other tools.

Scope checks and the audit of every read happen in ``analysis.service``; the answers are the
schemas of ``analysis.schemas``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from yincai.analysis import service
from yincai.analysis.cache import ExamCache
from yincai.analysis.schemas import (
    ExamReportRead,
    FamilyStudentReportRead,
    StudentReportRead,
    TeacherStudentReportRead,
)
from yincai.analysis.student import TeacherStudentReport
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/analysis", tags=["analysis"])


def _cache(request: Request) -> ExamCache:
    cache: ExamCache = request.app.state.exam_cache
    return cache


@router.get("/assessments/{assessment_id}/report")
def exam_report(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
    show_ranks: bool = True,
) -> ExamReportRead:
    """The exam report of the district, a school or a class (staff within their scope)."""
    report = service.exam_report_by_id(
        session,
        actor=user,
        assessment_id=assessment_id,
        surface="api",
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=show_ranks,
        cache=_cache(request),
    )
    session.commit()
    return ExamReportRead.model_validate(report)


@router.get("/students/{student_id}/assessments/{assessment_id}")
def student_report(
    request: Request, student_id: int, assessment_id: int, session: DbSession, user: CurrentUser
) -> StudentReportRead:
    """A student's report on one exam: the teacher's copy for staff, the family copy else."""
    view = service.student_report_by_id(
        session,
        actor=user,
        student_id=student_id,
        assessment_id=assessment_id,
        surface="api",
        show_ranks=False,
        cache=_cache(request),
    )
    session.commit()
    if isinstance(view.report, TeacherStudentReport):
        return TeacherStudentReportRead.model_validate(view.report)
    return FamilyStudentReportRead.model_validate(view.report)
