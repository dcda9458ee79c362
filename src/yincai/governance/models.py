"""User accounts bound to a role and a scope, and the audit trail of reads of students' data
(rows, the students each view showed, and the hash chain that seals them)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class Role(enum.StrEnum):
    DISTRICT_ADMIN = "district_admin"
    SCHOOL_ADMIN = "school_admin"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"


class UserAccount(Base):
    """A login whose scope follows its role: district, school, own classes, self or child."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(portable_enum(Role))
    display_name: Mapped[str] = mapped_column(String(50))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teacher.id"), nullable=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set for a temporary password (given by an admin or in bulk): nothing opens until changed.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # TOTP two-factor: the authenticator's secret (encrypted), when it was confirmed (None while
    # enrolment is pending) and the last time step used (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditEvent(Base):
    """Who read or exported what, when, within which scope (kept ≥ 6 months, 等保 level 3)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(100))
    path: Mapped[str | None] = mapped_column(String(200), nullable=True)  # route template


class AuditEventStudent(Base):
    """A student shown by one audited view or download: answers "who saw student X, when?".

    Ids only, and no foreign key to ``student``: the record of a view outlives the student's
    own row (deletion or anonymisation must not erase who looked).
    """

    __tablename__ = "audit_event_student"
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)


class AuditSeal(Base):
    """An audit row's place in the hash chain: ``hash`` = HMAC(key, previous hash, the row and
    its students). Written at commit under the chain's lock (``governance.chain``)."""

    __tablename__ = "audit_seal"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_event.id"), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainState(Base):
    """The one row (id 1) that anchors the chain: where it starts after a purge (``base``) and
    where it ends (``head``, so removing the newest rows shows), signed by ``mac``. Its row lock
    serialises sealing; ``purge_before`` is set only inside a purge's transaction."""

    __tablename__ = "audit_chain_state"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    base_seq: Mapped[int] = mapped_column(Integer)
    base_hash: Mapped[str] = mapped_column(String(64))
    head_seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    purge_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LoginFailure(Base):
    """A failed login, kept for the throttling window; shared by every server process.

    ``key`` is a keyed hash of the username and client address, never the username itself.
    """

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginSession(Base):
    """A login in one browser: the cookie holds a random id, this row only its SHA-256.

    Revoked on logout, password change or reset and account disable; expires after an idle
    timeout (``last_seen_at``, written at most once a minute) and an absolute lifetime.
    """

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
