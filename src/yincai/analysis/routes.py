"""The analysis JSON API: the same exam and student reports as the pages, for other tools.

Scope checks happen in ``analysis.service``; every read is audited like the pages' views.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder

from yincai.analysis import pages, service
from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.hub.models import Assessment, Student
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/analysis", tags=["analysis"])


@router.get("/assessments/{assessment_id}/report")
def exam_report(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
    show_ranks: bool = True,
) -> dict[str, Any]:
    """The exam report of the district, a school or a class (staff within their scope)."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("考试 {id} 不存在").format(id=assessment_id), code="assessment.not_found")
    scope = pages.report_scope(session, user, assessment, school_id, school_class_id)
    report = service.exam_report(
        session,
        actor=user,
        assessment_code=assessment.code,
        scope=scope,
        show_ranks=show_ranks,
        cache=pages.exam_cache(request),
    )
    numbers = pages.named_students(report)
    pages.audit_exam(session, user, report, "exam_report_api", assessment, numbers)
    return dict(jsonable_encoder(dataclasses.asdict(report)))


@router.get("/students/{student_id}/assessments/{assessment_id}")
def student_report(
    request: Request, student_id: int, assessment_id: int, session: DbSession, user: CurrentUser
) -> dict[str, Any]:
    """A student's report on one exam: the teacher's copy for staff, the family copy else."""
    student = session.get(Student, student_id)
    assessment = session.get(Assessment, assessment_id)
    if student is None or assessment is None:
        raise NotFound(_("学生或考试不存在"), code="not_found")
    governance_service.require_scope(
        session, actor=user, student_id=student_id, assessment_id=assessment_id
    )
    is_staff = user.role in governance_service.STAFF_ROLES
    report = service.student_report(
        session,
        actor=user,
        student_number=student.student_number,
        assessment_code=assessment.code,
        audience="teacher" if is_staff else "family",
        show_ranks=False,
        cache=pages.exam_cache(request),
    )
    governance_service.audit(
        session, actor=user, action=f"student_report_api_{report.audience}",
        object_type="student", object_id=student_id,
    )  # fmt: skip
    session.commit()
    return dict(jsonable_encoder(dataclasses.asdict(report)))
