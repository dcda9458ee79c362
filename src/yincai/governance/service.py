"""Accounts (argon2 passwords, roles bound to a scope) and their management.

Scope checks live in ``governance.scope``, the audit trail in ``governance.audit``, pseudonyms
in ``governance.privacy`` and small-cell suppression in ``governance.suppression``; all are
re-exported here, so other capabilities only import ``governance.service``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from yincai.accounts import passwords, two_factor
from yincai.accounts.actors import BENCHMARK, CLI, JOB, Actor, SystemActor
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import check_policy, hash_password, verify_password
from yincai.accounts.roles import ADMIN_ROLES, STAFF_ROLES, OutOfScope, require_role, scope_of
from yincai.accounts.sessions import (
    SessionPolicy,
    open_session,
    revoke_session,
    revoke_sessions,
    session_account,
)
from yincai.accounts.two_factor import (
    SecretBox,
    begin_enrolment,
    confirm_enrolment,
    is_enrolled,
    needs_enrolment,
    pending_secret,
    provisioning_uri,
    verify_code,
)
from yincai.domain.models import School, Student, Teacher
from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance.audit import (
    AuditPage,
    audit,
    count_purgeable_audit_events,
    list_audit_events,
    purge_audit_events,
    record_denial,
    seal_audit_events,
    students_shown,
    verify_audit_chain,
)
from yincai.governance.privacy import pseudonymise
from yincai.governance.scope import (
    require_scope,
    require_score_editor,
    require_students,
    score_editable_assessment_ids,
    score_editor_class_ids,
    visible_assessment_ids,
    visible_class_ids,
    visible_school_ids,
    visible_student_ids,
)
from yincai.governance.suppression import SuppressedTable, suppress_small_cells
from yincai.i18n import _

__all__ = [
    "ADMIN_ROLES",
    "BENCHMARK",
    "CLI",
    "JOB",
    "MIN_PASSWORD_LENGTH",
    "STAFF_ROLES",
    "Actor",
    "AuditPage",
    "OutOfScope",
    "SecretBox",
    "SessionPolicy",
    "SuppressedTable",
    "SystemActor",
    "add_account",
    "audit",
    "authenticate",
    "begin_enrolment",
    "change_password",
    "check_policy",
    "confirm_enrolment",
    "count_purgeable_audit_events",
    "create_account",
    "display_names",
    "hash_password",
    "is_enrolled",
    "list_accounts",
    "list_audit_events",
    "needs_enrolment",
    "open_session",
    "pending_secret",
    "provisioning_uri",
    "pseudonymise",
    "purge_audit_events",
    "record_denial",
    "record_login_refused",
    "require_role",
    "require_scope",
    "require_score_editor",
    "require_students",
    "reset_password",
    "reset_two_factor",
    "revoke_session",
    "revoke_sessions",
    "scope_of",
    "score_editable_assessment_ids",
    "score_editor_class_ids",
    "seal_audit_events",
    "session_account",
    "set_account_active",
    "set_password",
    "students_shown",
    "suppress_small_cells",
    "verify_audit_chain",
    "verify_code",
    "verify_password",
    "visible_assessment_ids",
    "visible_class_ids",
    "visible_school_ids",
    "visible_student_ids",
]

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
AUDIT_PAGE_SIZE = 50
_OBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # ids and tokens only, never names
LOGIN_SCOPE = "login"  # the scope of audit rows about login attempts
WRONG_LOGIN = _("用户名或密码错误")


def display_names(session: Session, user_account_ids: list[int | None]) -> dict[int, str]:
    """Display names of accounts by id (for histories that store only the id)."""
    wanted = sorted({i for i in user_account_ids if i is not None})
    return dict(
        session.execute(
            select(UserAccount.id, UserAccount.display_name).where(UserAccount.id.in_(wanted))
        ).all()
    )


ROLE_WORDS = {
    Role.DISTRICT_ADMIN: _("区管理员"),
    Role.SCHOOL_ADMIN: _("学校管理员"),
    Role.TEACHER: _("教师"),
    Role.STUDENT: _("学生"),
    Role.PARENT: _("家长"),
}
REQUIRED_LINK_WORDS = {"school_id": _("学校"), "teacher_id": _("教师"), "student_id": _("学生")}


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
    must_change_password: bool = False,
) -> UserAccount:
    """A new login whose scope follows its role (school admin → school, teacher → own classes,
    student → self, parent → own child); for the operator's CLI and the demo, no actor.
    ``must_change_password``: the password is temporary and must be changed at first login."""
    username = username.strip()
    if not username:
        raise Invalid(_("用户名不能为空"), code="account.username_required")
    if session.scalar(select(UserAccount.id).where(UserAccount.username == username)):
        raise Conflict(
            _("用户名 {username} 已存在").format(username=username), code="account.username_taken"
        )
    required = {
        Role.SCHOOL_ADMIN: ("school_id", school_id),
        Role.TEACHER: ("teacher_id", teacher_id),
        Role.STUDENT: ("student_id", student_id),
        Role.PARENT: ("student_id", student_id),
    }
    if role in required and required[role][1] is None:
        raise Invalid(
            _("{role}账号须关联{what}").format(
                role=ROLE_WORDS[role], what=REQUIRED_LINK_WORDS[required[role][0]]
            ),
            code="account.link_required",
        )
    account = UserAccount(
        username=username,
        password_hash=hash_password(password, username=username),
        role=role,
        display_name=display_name,
        district_id=district_id,
        school_id=school_id,
        teacher_id=teacher_id,
        student_id=student_id,
        is_active=True,
        created_at=datetime.now(UTC),
        must_change_password=must_change_password,
    )
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, *, username: str, password: str) -> UserAccount:
    """The active account with this username and password; Forbidden otherwise (one message).

    Every failure leaves an audit row with ids only (never the username typed). A hash made with
    older argon2 parameters is renewed; a password the policy now refuses must be changed.
    """
    account = session.scalar(select(UserAccount).where(UserAccount.username == username.strip()))
    is_valid = verify_password(
        account.password_hash if account else passwords.dummy_hash(), password
    )
    if account is None:
        _audit_login(session, None, "login_unknown_user")
        raise Forbidden(WRONG_LOGIN, code="login.wrong")
    if not is_valid or not account.is_active:
        action = "login_wrong_password" if not is_valid else "login_disabled_account"
        _audit_login(session, account, action)
        raise Forbidden(WRONG_LOGIN, code="login.wrong")
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.rehash(password)
    if passwords.policy_problems(password, username=account.username):
        account.must_change_password = True
    return account


def _audit_login(session: Session, account: UserAccount | None, action: str) -> None:
    # The row names the account tried (so the district's audit log lists it with it), or
    # "unknown": never the username typed, which may be a name or a mistyped password.
    audit(
        session,
        actor=account,
        action=action,
        object_type="user_account",
        object_id=account.id if account else "unknown",
        scope=LOGIN_SCOPE,
    )


def record_login_refused(session: Session, *, username: str, action: str) -> None:
    """Audit a login attempt refused before any check (``login_locked_out``) or at the second
    step (``login_wrong_totp``): the account's id when the username exists, never the name."""
    account = session.scalar(select(UserAccount).where(UserAccount.username == username.strip()))
    _audit_login(session, account, action)


def set_password(
    session: Session, *, account: UserAccount, password: str, is_temporary: bool = False
) -> UserAccount:
    """Store a new password the policy accepts and end every session of the account;
    ``is_temporary`` (given by someone else) asks for a change at the next login."""
    account.password_hash = hash_password(password, username=account.username)
    account.must_change_password = is_temporary
    revoke_sessions(session, account=account)
    return account


def change_password(
    session: Session, *, actor: UserAccount, old_password: str, new_password: str
) -> UserAccount:
    """Change one's own password after checking the current one; every session ends (the
    caller opens a new one for the browser that made the change)."""
    if not verify_password(actor.password_hash, old_password):
        raise Forbidden(_("当前密码不正确"), code="account.wrong_password")
    if new_password == old_password:
        raise Invalid(_("新密码不能与当前密码相同"), code="account.same_password")
    set_password(session, account=actor, password=new_password)
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
        raise NotFound(_("账号 {id} 不存在").format(id=user_account_id), code="account.not_found")
    account = session.scalar(
        select(UserAccount).where(
            UserAccount.id == user_account_id,
            *_managed_accounts(actor),
        )
    )
    if account is None:
        raise Forbidden(
            _("账号 {id} 不在您的管理范围内").format(id=user_account_id),
            code="account.out_of_scope",
        )
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
    must_change_password: bool = True,
) -> UserAccount:
    """An admin creates a login inside their scope; teachers are found by staff number,
    students and parents by the student's number. The admin knows the password, so by default
    it is temporary: the owner must change it at the first login."""
    require_role(actor, *ADMIN_ROLES)
    if actor.role is Role.SCHOOL_ADMIN and role in ADMIN_ROLES:
        raise Forbidden(_("学校管理员不能创建管理员账号"), code="account.admin_by_school_admin")
    teacher_id = student_id = None
    if role is Role.TEACHER:
        staff_number = (staff_number or "").strip()
        if not staff_number:
            raise Invalid(
                _("教师账号须填写工号（花名册中的教师工号）"), code="teacher.staff_number_required"
            )
        teacher = session.scalar(
            select(Teacher)
            .join(School, School.id == Teacher.school_id)
            .where(Teacher.staff_number == staff_number, School.district_id == actor.district_id)
        )
        if teacher is None:
            raise Invalid(
                _("找不到工号为 {staff_number} 的教师，请先在花名册中导入该教师").format(
                    staff_number=staff_number
                ),
                code="teacher.not_found",
            )
        teacher_id, school_id = teacher.id, teacher.school_id
    elif role in (Role.STUDENT, Role.PARENT):
        student_number = (student_number or "").strip()
        if not student_number:
            raise Invalid(
                _("学生和家长账号须填写学生的学号"), code="student.student_number_required"
            )
        student = session.scalar(
            select(Student).where(
                Student.student_number == student_number,
                Student.district_id == actor.district_id,
            )
        )
        if student is None:
            raise Invalid(
                _("找不到学号为 {student_number} 的学生").format(student_number=student_number),
                code="student.not_found",
            )
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
        must_change_password=must_change_password,
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
        raise Invalid(_("不能停用自己的账号"), code="account.disable_self")
    account.is_active = is_active
    if not is_active:
        revoke_sessions(session, account=account)
    action = "account_enable" if is_active else "account_disable"
    audit(session, actor=actor, action=action, object_type="user_account", object_id=account.id)
    return account


def reset_two_factor(
    session: Session, *, actor: UserAccount | None, user_account_id: int
) -> UserAccount:
    """Clear an account's authenticator (lost phone) and end its sessions: a district admin for
    another account, or the operator's CLI (no actor)."""
    if actor is None:
        account = session.get(UserAccount, user_account_id)
        if account is None:
            raise NotFound(
                _("账号 {id} 不存在").format(id=user_account_id), code="account.not_found"
            )
    else:
        account = _managed_account(session, actor=actor, user_account_id=user_account_id)
        two_factor.require_reset_right(actor, account)
    two_factor.clear(account)
    revoke_sessions(session, account=account)
    audit(
        session,
        actor=actor,
        action="two_factor_reset",
        object_type="user_account",
        object_id=account.id,
        scope=None if actor else "cli",
    )
    return account


def reset_password(
    session: Session, *, actor: UserAccount, user_account_id: int, new_password: str
) -> UserAccount:
    """An admin sets a temporary password for a managed account: its open sessions end and the
    owner must choose their own password at the next login."""
    account = _managed_account(session, actor=actor, user_account_id=user_account_id)
    set_password(session, account=account, password=new_password, is_temporary=True)
    audit(
        session,
        actor=actor,
        action="password_reset",
        object_type="user_account",
        object_id=account.id,
    )
    return account
