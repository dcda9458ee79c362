"""Roles: who an account is (district admin, school admin, teacher, student, parent), the check
that it holds a role, its scope written as ids, and the refusal that names an object out of scope.
What each role may see of the district's data is ``governance.scope``."""

from __future__ import annotations

from yincai.accounts.actors import Actor, SystemActor
from yincai.accounts.models import Role
from yincai.errors import Forbidden
from yincai.i18n import _


class OutOfScope(Forbidden):
    """Forbidden: one object lies outside the actor's scope, named by type and id for the audit
    row of the refusal (the message shown to the user stays the same)."""

    def __init__(self, message: str, *, object_type: str, object_id: int) -> None:
        super().__init__(message, code=f"{object_type}.out_of_scope")
        self.object_type = object_type
        self.object_id = object_id


STAFF_ROLES = (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.TEACHER)
ADMIN_ROLES = (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)


def scope_of(actor: Actor) -> str:
    """The actor's scope as ids only (written into audit rows), e.g. ``school:3``; the system's
    is its purpose."""
    if isinstance(actor, SystemActor):
        return actor.scope
    match actor.role:
        case Role.DISTRICT_ADMIN:
            return f"district:{actor.district_id}"
        case Role.SCHOOL_ADMIN:
            return f"school:{actor.school_id}"
        case Role.TEACHER:
            return f"teacher:{actor.teacher_id}"
        case Role.STUDENT:
            return f"student:{actor.student_id}"
        case Role.PARENT:
            return f"child:{actor.student_id}"


def require_role(actor: Actor, *roles: Role) -> None:
    """Forbidden unless the actor is active and holds one of ``roles`` (the system holds all)."""
    if isinstance(actor, SystemActor):
        return
    if not actor.is_active:
        raise Forbidden(_("账号已停用"), code="account.disabled")
    if actor.role not in roles:
        raise Forbidden(_("您的角色无权访问此内容"), code="role.forbidden")
