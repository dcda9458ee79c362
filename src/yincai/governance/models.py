"""The audit trail of reads of students' data: rows, the students each view showed, and the hash
chain that seals them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from yincai.accounts import models as accounts  # noqa: F401  (audit_event → user_account)
from yincai.db import Base


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


class AccountSlips(Base):
    """A bulk account creation and its printable account slips (账号条): asked for by an admin
    for a school or the whole district, built by the job worker. The accounts and the slips PDF
    (``content``) are written in one transaction; the PDF is the only place the temporary
    passwords exist in plain text, and it is deleted ``expires_at`` or when an admin deletes it
    (the row stays, without its PDF, as the record of what was created)."""

    __tablename__ = "account_slips"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), nullable=True)
    requested_by: Mapped[int | None] = mapped_column(  # None: the operator's shell
        ForeignKey("user_account.id"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed, deleted
    login_url: Mapped[str] = mapped_column(String(200))
    n_done: Mapped[int] = mapped_column(Integer, default=0)
    n_total: Mapped[int] = mapped_column(Integer, default=0)
    n_accounts: Mapped[int] = mapped_column(Integer, default=0)  # accounts created
    message: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
