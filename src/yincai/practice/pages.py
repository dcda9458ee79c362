"""A student's own practice booklet, built in the request (one booklet lays out in well under a
second); a class's booklets are a long document, built by the job worker (``yincai.documents``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from yincai.practice import service
from yincai.practice.booklet_adapter import practice_booklet_pdf
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
    practice = service.student_practice_by_id(session, actor=user, student_id=student_id)
    session.commit()
    return _pdf(practice_booklet_pdf([practice]), f"practice-student-{student_id}.pdf")
