"""Practice booklet downloads: a class's booklets for its teachers, a student's own booklet."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.hub.models import School, SchoolClass, Student
from yincai.i18n import _
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


@router.get("/classes/{school_class_id}/practice.pdf")
def class_booklet(school_class_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One personalised practice booklet per student of the class, answer key at the end."""
    governance_service.require_scope(session, actor=user, school_class_id=school_class_id)
    found = session.execute(
        select(School.code, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .where(SchoolClass.id == school_class_id)
    ).first()
    if found is None:
        raise NotFound(
            _("班级 {id} 不存在").format(id=school_class_id), code="school_class.not_found"
        )
    sets = service.class_practice(session, school_code=found[0], class_name=found[1], actor=user)
    if not sets:
        raise NotFound(_("该班级没有学生"), code="school_class.empty")
    governance_service.audit(
        session,
        actor=user,
        action="export_practice",
        object_type="class",
        object_id=school_class_id,
        student_ids=[practice.student_id for practice in sets],
    )
    session.commit()
    return _pdf(practice_booklet_pdf(sets), f"practice-class-{school_class_id}.pdf")


@router.get("/students/{student_id}/practice.pdf")
def student_booklet(student_id: int, session: DbSession, user: CurrentUser) -> Response:
    """One student's personalised practice booklet (for staff in scope, the student, the parent)."""
    governance_service.require_scope(session, actor=user, student_id=student_id)
    number = session.scalar(select(Student.student_number).where(Student.id == student_id))
    if number is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    practice = service.student_practice(session, student_number=number, actor=user)
    governance_service.audit(
        session, actor=user, action="export_practice", object_type="student", object_id=student_id
    )
    session.commit()
    return _pdf(practice_booklet_pdf([practice]), f"practice-student-{student_id}.pdf")
