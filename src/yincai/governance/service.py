"""Accounts: argon2-hashed passwords, roles bound to a scope."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.errors import Conflict, Invalid
from yincai.governance.models import Role, UserAccount

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


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
    student → self, parent → own child)."""
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
