"""Who may do what in the classroom loop: class staff, the quiz's subject teachers, the student
themself (scope checks through ``governance.service``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import SchoolClass, TeachingAssignment
from yincai.errors import Forbidden
from yincai.governance import service as governance_service
from yincai.i18n import _

Actor = governance_service.Actor


def class_staff(session: Session, actor: Actor, school_class_id: int) -> SchoolClass:
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    return school_class


def require_class_staff(session: Session, *, actor: Actor, school_class_id: int) -> None:
    """Staff whose scope includes the class (the pages check it before parsing a form)."""
    class_staff(session, actor, school_class_id)


def teachable_subject_ids(session: Session, actor: Actor, school_class_id: int) -> list[int]:
    """Subjects whose quizzes the actor may push to the class: a teacher's own subjects there;
    for admins, every subject taught in the class."""
    query = select(TeachingAssignment.subject_id).where(
        TeachingAssignment.school_class_id == school_class_id
    )
    if isinstance(actor, UserAccount) and actor.role is Role.TEACHER:
        query = query.where(TeachingAssignment.teacher_id == actor.teacher_id)
    return sorted(set(session.scalars(query)))


def require_subject_teacher(
    session: Session, actor: Actor, school_class_id: int, subject_id: int
) -> None:
    if subject_id not in teachable_subject_ids(session, actor, school_class_id):
        raise Forbidden(
            _("只有在本班任教该学科的教师或管理员可以推送和跟进课堂测验"),
            code="classroom.not_subject_teacher",
        )


def is_self(actor: Actor, student_id: int) -> bool:
    return (
        isinstance(actor, UserAccount)
        and actor.role is Role.STUDENT
        and actor.student_id == student_id
    )
