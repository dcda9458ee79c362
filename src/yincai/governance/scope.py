"""Scopes: what each role may see, as checks on one object and as SQL filters for lists.

    district admin → the whole district          school admin → own school
    teacher        → the classes they teach (任课) and those classes' students
    student        → self                        parent       → own child

``require_scope`` guards one object (NotFound if it does not exist, Forbidden if it is out of
sight); the ``visible_*_ids`` selects filter lists, so a list never shows more than the checks
allow. The roles themselves, and the refusal ``OutOfScope``, are ``accounts.roles``. The system
(``accounts.actors.SystemActor``: the CLI, jobs, benchmarks) holds every role and sees everything;
its reads are still audited, as the system with its purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor, SystemActor
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.roles import ADMIN_ROLES, STAFF_ROLES, OutOfScope, require_role
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    School,
    SchoolClass,
    Student,
    TeachingAssignment,
)
from yincai.errors import Forbidden, NotFound
from yincai.i18n import Message, _

_Scoped = School | SchoolClass | Student | Assessment
_NOT_FOUND: dict[type[_Scoped], Message] = {
    School: _("学校 {id} 不存在"),
    SchoolClass: _("班级 {id} 不存在"),
    Student: _("学生 {id} 不存在"),
    Assessment: _("考试 {id} 不存在"),
}
_OUT_OF_SCOPE: dict[type[_Scoped], Message] = {
    School: _("学校 {id} 不在您的权限范围内"),
    SchoolClass: _("班级 {id} 不在您的权限范围内"),
    Student: _("学生 {id} 不在您的权限范围内"),
    Assessment: _("考试 {id} 不在您的权限范围内"),
}


def visible_school_ids(actor: Actor) -> Select[int]:
    """Schools whose school-wide data the actor may see (admins only)."""
    if isinstance(actor, SystemActor):
        return select(School.id)
    query = select(School.id).where(School.district_id == actor.district_id)
    match actor.role:
        case Role.DISTRICT_ADMIN:
            return query
        case Role.SCHOOL_ADMIN:
            return query.where(School.id == actor.school_id)
        case _:
            return query.where(false())


def visible_class_ids(actor: Actor) -> Select[int]:
    """Classes whose class-wide data (roster, results) the actor may see."""
    if isinstance(actor, SystemActor):
        return select(SchoolClass.id)
    match actor.role:
        case Role.DISTRICT_ADMIN | Role.SCHOOL_ADMIN:
            return select(SchoolClass.id).where(
                SchoolClass.school_id.in_(visible_school_ids(actor))
            )
        case Role.TEACHER:
            return select(TeachingAssignment.school_class_id).where(
                TeachingAssignment.teacher_id == actor.teacher_id
            )
        case _:
            return select(SchoolClass.id).where(false())


def visible_student_ids(actor: Actor) -> Select[int]:
    """Students whose personal data the actor may see."""
    if isinstance(actor, SystemActor):
        return select(Student.id)
    match actor.role:
        case Role.DISTRICT_ADMIN:
            return select(Student.id).where(Student.district_id == actor.district_id)
        case Role.SCHOOL_ADMIN | Role.TEACHER:
            return select(Student.id).where(Student.school_class_id.in_(visible_class_ids(actor)))
        case Role.STUDENT | Role.PARENT:
            return select(Student.id).where(
                Student.id == actor.student_id, Student.district_id == actor.district_id
            )


def visible_assessment_ids(actor: Actor) -> Select[int]:
    """Assessments sat by a class in sight (for students and parents: the own class's)."""
    if isinstance(actor, SystemActor):
        return select(Assessment.id)
    if actor.role is Role.DISTRICT_ADMIN:
        return select(Assessment.id).where(Assessment.district_id == actor.district_id)
    if actor.role in ADMIN_ROLES or actor.role is Role.TEACHER:
        classes = visible_class_ids(actor)
    else:
        classes = select(Student.school_class_id).where(Student.id.in_(visible_student_ids(actor)))
    return select(AssessmentClass.assessment_id).where(AssessmentClass.school_class_id.in_(classes))


def score_editor_class_ids(actor: Actor, subject_id: int) -> Select[int]:
    """Classes whose scores in ``subject_id`` the actor may import or edit: a teacher only where
    they teach that subject (a 语文 teacher never writes 数学 marks), admins in their scope."""
    if isinstance(actor, SystemActor):
        return select(SchoolClass.id)
    match actor.role:
        case Role.DISTRICT_ADMIN | Role.SCHOOL_ADMIN:
            return visible_class_ids(actor)
        case Role.TEACHER:
            return select(TeachingAssignment.school_class_id).where(
                TeachingAssignment.teacher_id == actor.teacher_id,
                TeachingAssignment.subject_id == subject_id,
            )
        case _:
            return select(SchoolClass.id).where(false())


def score_editable_assessment_ids(actor: Actor) -> Select[int]:
    """Assessments in scope with a class whose scores the actor may write (the choices of a
    score import): ``require_score_editor`` accepts each; for a teacher, a class of theirs sat
    it in the subject they teach there (or it names no classes yet and they teach its subject)."""
    visible = visible_assessment_ids(actor)
    if isinstance(actor, SystemActor) or actor.role is not Role.TEACHER:
        return visible
    sat_in_taught_class = (
        select(Assessment.id)
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .join(
            TeachingAssignment,
            and_(
                TeachingAssignment.school_class_id == AssessmentClass.school_class_id,
                TeachingAssignment.subject_id == Assessment.subject_id,
            ),
        )
        .where(TeachingAssignment.teacher_id == actor.teacher_id)
    )
    classless_in_taught_subject = select(Assessment.id).where(
        ~select(AssessmentClass.assessment_id)
        .where(AssessmentClass.assessment_id == Assessment.id)
        .exists(),
        Assessment.subject_id.in_(
            select(TeachingAssignment.subject_id).where(
                TeachingAssignment.teacher_id == actor.teacher_id
            )
        ),
    )
    return select(Assessment.id).where(
        Assessment.id.in_(visible),
        or_(
            Assessment.id.in_(sat_in_taught_class),
            Assessment.id.in_(classless_in_taught_subject),
        ),
    )


def require_score_editor(session: Session, *, actor: Actor, assessment_id: int) -> set[int]:
    """The classes whose scores of this assessment the actor may write (Forbidden if none):
    staff only, the assessment in scope, and for teachers a class of theirs in its subject."""
    require_role(actor, *STAFF_ROLES)
    require_scope(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get(Assessment, assessment_id)
    assert assessment is not None  # require_scope checked it exists
    writable = set(session.scalars(score_editor_class_ids(actor, assessment.subject_id)))
    sat = set(
        session.scalars(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == assessment_id
            )
        )
    )
    allowed = writable & sat if sat else writable
    if not allowed:
        raise Forbidden(
            _("只有任教该学科的教师或管理员可以导入或修改本次考试的成绩"),
            code="scores.not_editor",
        )
    return allowed


def require_scope(
    session: Session,
    *,
    actor: Actor,
    school_id: int | None = None,
    school_class_id: int | None = None,
    student_id: int | None = None,
    assessment_id: int | None = None,
) -> None:
    """NotFound if a given object does not exist, Forbidden if it lies outside the actor's scope."""
    if isinstance(actor, UserAccount) and not actor.is_active:
        raise Forbidden(_("账号已停用"), code="account.disabled")
    checks: list[tuple[int | None, type[_Scoped], Callable[[Actor], Select[int]]]] = [
        (school_id, School, visible_school_ids),
        (school_class_id, SchoolClass, visible_class_ids),
        (student_id, Student, visible_student_ids),
        (assessment_id, Assessment, visible_assessment_ids),
    ]
    for object_id, model, visible in checks:
        if object_id is None:
            continue
        object_type = str(model.__tablename__)
        if session.get(model, object_id) is None:
            raise NotFound(_NOT_FOUND[model].format(id=object_id), code=f"{object_type}.not_found")
        if isinstance(actor, SystemActor):
            continue
        in_scope = select(model.id).where(model.id == object_id, model.id.in_(visible(actor)))
        if session.scalar(in_scope) is None:
            raise OutOfScope(
                _OUT_OF_SCOPE[model].format(id=object_id),
                object_type=object_type,
                object_id=object_id,
            )


def require_students(session: Session, *, actor: Actor, student_ids: Iterable[int]) -> None:
    """``require_scope`` for many students in two queries: NotFound for the first that does not
    exist, Forbidden (OutOfScope) for the first outside the actor's scope."""
    if isinstance(actor, UserAccount) and not actor.is_active:
        raise Forbidden(_("账号已停用"), code="account.disabled")
    wanted = sorted(set(student_ids))
    if not wanted:
        return
    existing = set(session.scalars(select(Student.id).where(Student.id.in_(wanted))))
    if missing := [s for s in wanted if s not in existing]:
        raise NotFound(_NOT_FOUND[Student].format(id=missing[0]), code="student.not_found")
    if isinstance(actor, SystemActor):
        return
    seen = set(
        session.scalars(
            select(Student.id).where(
                Student.id.in_(wanted), Student.id.in_(visible_student_ids(actor))
            )
        )
    )
    if outside := [s for s in wanted if s not in seen]:
        raise OutOfScope(
            _OUT_OF_SCOPE[Student].format(id=outside[0]),
            object_type="student",
            object_id=outside[0],
        )
