"""Accounts (argon2 passwords, roles bound to a scope), their management, and the audit trail.

Scope checks live in ``governance.scope``, pseudonyms in ``governance.privacy`` and small-cell
suppression in ``governance.suppression``; all are re-exported here, so other capabilities only
import ``governance.service``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance.models import AuditEvent, Role, UserAccount
from yincai.governance.privacy import pseudonymise
from yincai.governance.scope import (
    ADMIN_ROLES,
    STAFF_ROLES,
    require_role,
    require_scope,
    scope_of,
    visible_assessment_ids,
    visible_class_ids,
    visible_school_ids,
    visible_student_ids,
)
from yincai.governance.suppression import SuppressedTable, suppress_small_cells
from yincai.hub.models import Student, Teacher

__all__ = [
    "ADMIN_ROLES",
    "STAFF_ROLES",
    "AuditPage",
    "SuppressedTable",
    "add_account",
    "audit",
    "authenticate",
    "change_password",
    "create_account",
    "hash_password",
    "list_accounts",
    "list_audit_events",
    "pseudonymise",
    "require_role",
    "require_scope",
    "reset_password",
    "scope_of",
    "set_account_active",
    "suppress_small_cells",
    "verify_password",
    "visible_assessment_ids",
    "visible_class_ids",
    "visible_school_ids",
    "visible_student_ids",
]

MIN_PASSWORD_LENGTH = 8
AUDIT_PAGE_SIZE = 50
_OBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # ids and tokens only, never names
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong name costs as long as a wrong
    password (no telling which usernames exist)."""
    return _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位 / password needs {MIN_PASSWORD_LENGTH}+ chars"
        )
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    district_id: int,
    school_id: int | None = None,
    teacher_id: int | None = None,
    student_id: int | None = None,
) -> UserAccount:
    """A new login whose scope follows its role (school admin → school, teacher → own classes,
    student → self, parent → own child); for the operator's CLI and the demo, no actor."""
    username = username.strip()
    if not username:
        raise Invalid("用户名不能为空 / username is required")
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise Conflict(f"用户名 {username} 已存在 / username {username} is taken")
    required = {
        Role.SCHOOL_ADMIN: ("school_id", school_id),
        Role.TEACHER: ("teacher_id", teacher_id),
        Role.STUDENT: ("student_id", student_id),
        Role.PARENT: ("student_id", student_id),
    }
    if role in required and required[role][1] is None:
        raise Invalid(f"a {role.value} account needs {required[role][0]}")
    account = UserAccount(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        district_id=district_id,
        school_id=school_id,
        teacher_id=teacher_id,
        student_id=student_id,
        is_active=True,
        created_at=datetime.now(UTC),
    )
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, *, username: str, password: str) -> UserAccount:
    """The active account with this username and password; Forbidden otherwise (one message)."""
    account = session.scalar(select(UserAccount).where(UserAccount.username == username.strip()))
    is_valid = verify_password(account.password_hash if account else _dummy_hash(), password)
    if account is None or not is_valid or not account.is_active:
        raise Forbidden("用户名或密码错误 / wrong username or password")
    audit(session, actor=account, action="login", object_type="user_account", object_id=account.id)
    return account


def change_password(
    session: Session, *, actor: UserAccount, old_password: str, new_password: str
) -> UserAccount:
    """Change one's own password after checking the current one."""
    if not verify_password(actor.password_hash, old_password):
        raise Forbidden("当前密码不正确 / the current password is wrong")
    if new_password == old_password:
        raise Invalid("新密码不能与当前密码相同 / the new password must differ")
    actor.password_hash = hash_password(new_password)
    audit(
        session,
        actor=actor,
        action="password_change",
        object_type="user_account",
        object_id=actor.id,
    )
    return actor


def _managed_accounts(actor: UserAccount) -> list[ColumnElement[bool]]:
    """SQL conditions for the accounts an admin manages: district → all, school → own school's
    teachers, students and parents (never other admins)."""
    require_role(actor, *ADMIN_ROLES)
    conditions = [UserAccount.district_id == actor.district_id]
    if actor.role is Role.SCHOOL_ADMIN:
        conditions += [
            UserAccount.school_id == actor.school_id,
            UserAccount.role.in_([Role.TEACHER, Role.STUDENT, Role.PARENT]),
        ]
    return conditions


def list_accounts(session: Session, *, actor: UserAccount) -> list[UserAccount]:
    """The accounts the admin manages, by role then username."""
    return list(
        session.scalars(
            select(UserAccount)
            .where(*_managed_accounts(actor))
            .order_by(UserAccount.role, UserAccount.username)
        )
    )


def _managed_account(session: Session, *, actor: UserAccount, user_account_id: int) -> UserAccount:
    if session.get(UserAccount, user_account_id) is None:
        raise NotFound(f"账号 {user_account_id} 不存在 / account does not exist")
    account = session.scalar(
        select(UserAccount).where(
            UserAccount.id == user_account_id,
            *_managed_accounts(actor),
        )
    )
    if account is None:
        raise Forbidden(f"账号 {user_account_id} 不在您的管理范围内 / is outside your scope")
    return account


def add_account(
    session: Session,
    *,
    actor: UserAccount,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    school_id: int | None = None,
    staff_number: str | None = None,
    student_number: str | None = None,
) -> UserAccount:
    """An admin creates a login inside their scope; teachers are found by staff number,
    students and parents by the student's number."""
    require_role(actor, *ADMIN_ROLES)
    if actor.role is Role.SCHOOL_ADMIN and role in ADMIN_ROLES:
        raise Forbidden("学校管理员不能创建管理员账号 / school admins cannot create admins")
    teacher_id = student_id = None
    if role is Role.TEACHER:
        teacher = session.scalar(
            select(Teacher).where(Teacher.staff_number == (staff_number or "").strip())
        )
        if teacher is None:
            raise Invalid(f"找不到工号 {staff_number} / no teacher with this staff number")
        teacher_id, school_id = teacher.id, teacher.school_id
    elif role in (Role.STUDENT, Role.PARENT):
        student = session.scalar(
            select(Student).where(
                Student.student_number == (student_number or "").strip(),
                Student.district_id == actor.district_id,
            )
        )
        if student is None:
            raise Invalid(f"找不到学号 {student_number} / no student with this number")
        student_id, school_id = student.id, student.school_class.school_id
    elif role is Role.DISTRICT_ADMIN:
        school_id = None
    if school_id is not None:
        require_scope(session, actor=actor, school_id=school_id)
    account = create_account(
        session,
        username=username,
        password=password,
        role=role,
        display_name=display_name.strip() or username,
        district_id=actor.district_id,
        school_id=school_id,
        teacher_id=teacher_id,
        student_id=student_id,
    )
    audit(
        session,
        actor=actor,
        action="account_create",
        object_type="user_account",
        object_id=account.id,
    )
    return account


def set_account_active(
    session: Session, *, actor: UserAccount, user_account_id: int, is_active: bool
) -> UserAccount:
    """Disable or re-enable a managed account (never one's own)."""
    account = _managed_account(session, actor=actor, user_account_id=user_account_id)
    if account.id == actor.id:
        raise Invalid("不能停用自己的账号 / you cannot disable your own account")
    account.is_active = is_active
    action = "account_enable" if is_active else "account_disable"
    audit(session, actor=actor, action=action, object_type="user_account", object_id=account.id)
    return account


def reset_password(
    session: Session, *, actor: UserAccount, user_account_id: int, new_password: str
) -> UserAccount:
    """An admin sets a new password for a managed account (its open sessions end)."""
    account = _managed_account(session, actor=actor, user_account_id=user_account_id)
    account.password_hash = hash_password(new_password)
    audit(
        session,
        actor=actor,
        action="password_reset",
        object_type="user_account",
        object_id=account.id,
    )
    return account


def audit(
    session: Session,
    *,
    actor: UserAccount | None,
    action: str,
    object_type: str,
    object_id: int | str,
    scope: str | None = None,
) -> AuditEvent:
    """Record who did what to which object within which scope; ids only, never names."""
    object_id = str(object_id)
    if not _OBJECT_ID.fullmatch(object_id):
        raise ValueError(f"audit object_id must be an id or token, got {object_id!r}")
    event = AuditEvent(
        at=datetime.now(UTC),
        user_account_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope=scope if scope is not None else (scope_of(actor) if actor else "system"),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    n_events: int
    page: int
    n_pages: int
    actions: list[str]


def list_audit_events(
    session: Session,
    *,
    actor: UserAccount,
    user_account_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """The district's audit trail, newest first, filtered and paginated (district admins only)."""
    require_role(actor, Role.DISTRICT_ADMIN)
    in_district = select(UserAccount.id).where(UserAccount.district_id == actor.district_id)
    conditions: list[ColumnElement[bool]] = [AuditEvent.user_account_id.in_(in_district)]
    if user_account_id is not None:
        conditions.append(AuditEvent.user_account_id == user_account_id)
    if action:
        conditions.append(AuditEvent.action == action)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    n_events = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    n_pages = max(1, math.ceil(n_events / per_page))
    page = min(max(1, page), n_pages)
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    actions = session.scalars(
        select(AuditEvent.action).where(conditions[0]).distinct().order_by(AuditEvent.action)
    ).all()
    return AuditPage(list(events), n_events, page, n_pages, list(actions))
