"""A student's own practice booklet, built in the request (one booklet lays out in well under a
second); a class's booklets are a long document, built by the job worker (``yincai.documents``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.hub.models import Student
from yincai.practice import service
from yincai.reports.booklet_adapter import practice_booklet_pdf
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(include_in_schema=False)


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/students/{student_id}/practice.pdf")
def student_booklet(student_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One student's personalised practice booklet (for staff in scope, the student, the parent)."""
    governance_service.require_scope(session, actor=user, student_id=student_id)
    number = session.scalar(select(Student.student_number).where(Student.id == student_id))
    if number is None:
        raise NotFound(f"学生 {student_id} 不存在 / student {student_id} does not exist")
    practice = service.student_practice(session, student_number=number, actor=user)
    governance_service.audit(
        session, actor=user, action="export_practice", object_type="student", object_id=student_id
    )
    session.commit()
    return _pdf(practice_booklet_pdf([practice]), f"practice-student-{student_id}.pdf")
