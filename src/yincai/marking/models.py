"""Online marking (网络阅卷) tables: a session per assessment, a task per subjective item, the
answers (crops) to mark, the marks, arbitration records.

Handing out work is made safe by constraints, not by reading first: a mark row *is* the claim
of one answer by one marker, and two unique keys make a double hand-out impossible on SQLite and
PostgreSQL alike. ``live_slot`` is the slot the mark fills (1, 2 independent marks, 3 the third
marker of 2+1) and ``live_marker_id`` the marker, both NULL once the mark is voided (sent back
for re-marking): NULLs never collide, so voided marks stay as history. Seeded check answers take
one mark from every marker and leave ``live_slot`` NULL.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class MarkingMode(enum.StrEnum):
    SINGLE = "single"  # 单评
    DOUBLE = "double"  # 双评 1+1: two marks, the leader arbitrates a disagreement
    DOUBLE_THIRD = "double_third"  # 2+1: two marks, a third marker, then the leader


class SessionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the leader closed it: its scores are in the hub


class AnswerStatus(enum.StrEnum):
    MARKING = "marking"  # waiting for marks
    ARBITRATION = "arbitration"  # the marks disagree: the item leader decides
    PROBLEM = "problem"  # flagged blank / illegible / wrong region: the item leader decides
    DONE = "done"  # final score known


class MarkFlag(enum.StrEnum):
    BLANK = "blank"  # 空白
    ILLEGIBLE = "illegible"  # 字迹无法辨认
    WRONG_REGION = "wrong_region"  # 切割错误（答在区域外）


class MarkingSession(Base):
    """The marking of one assessment: its mode and status (one per assessment)."""

    __tablename__ = "marking_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), unique=True)
    mode: Mapped[MarkingMode] = mapped_column(portable_enum(MarkingMode))
    status: Mapped[SessionStatus] = mapped_column(portable_enum(SessionStatus))
    claim_timeout_s: Mapped[int] = mapped_column(Integer)  # a claim not submitted by then expires
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MarkingTask(Base):
    """The marking of one subjective item: tolerance, item leader (题组长), status."""

    __tablename__ = "marking_task"
    __table_args__ = (UniqueConstraint("marking_session_id", "assessment_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    marking_session_id: Mapped[int] = mapped_column(ForeignKey("marking_session.id"), index=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"))
    tolerance: Mapped[float] = mapped_column(Float)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    answer_key: Mapped[str | None] = mapped_column(Text, nullable=True)  # fill-in: machine help
    status: Mapped[TaskStatus] = mapped_column(portable_enum(TaskStatus))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id"), nullable=True
    )


class MarkingTaskMarker(Base):
    """A teacher assigned to mark one task."""

    __tablename__ = "marking_task_marker"
    marking_task_id: Mapped[int] = mapped_column(ForeignKey("marking_task.id"), primary_key=True)
    user_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class MarkingAnswer(Base):
    """One student's response to one subjective item (the crop), or a seeded check answer.

    The crop is ``image`` (PNG bytes) or a file under the data folder named by ``image_path``.
    Seeded check answers (``is_check``) have no student, a ``known_score``, and are shown to
    every marker like any other answer. ``machine_score`` is a proposal labelled as the
    machine's: it counts only through a person's mark.
    """

    __tablename__ = "marking_answer"
    __table_args__ = (
        Index("ix_marking_answer_task_status", "marking_task_id", "status", "queue_position"),
        UniqueConstraint("marking_task_id", "student_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    marking_task_id: Mapped[int] = mapped_column(ForeignKey("marking_task.id"))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("student.id"), nullable=True, index=True
    )
    queue_position: Mapped[int] = mapped_column(Integer)  # random order: checks hide among answers
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    image_path: Mapped[str | None] = mapped_column(String(255), nullable=True)
    recognised_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_check: Mapped[bool] = mapped_column(Boolean, default=False)
    known_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_required: Mapped[int] = mapped_column(Integer)  # independent marks needed now (1, 2 or 3)
    status: Mapped[AnswerStatus] = mapped_column(portable_enum(AnswerStatus))
    final_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    machine_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    machine_verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)


class MarkingMark(Base):
    """One marker's claim of an answer and, once submitted, their score (or flag)."""

    __tablename__ = "marking_mark"
    __table_args__ = (
        UniqueConstraint("marking_answer_id", "live_slot"),
        UniqueConstraint("marking_answer_id", "live_marker_id"),
        Index("ix_marking_mark_marker_submitted", "marker_id", "submitted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    marking_answer_id: Mapped[int] = mapped_column(ForeignKey("marking_answer.id"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    slot: Mapped[int] = mapped_column(Integer)  # 0 for a check answer
    live_slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    live_marker_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    flag: Mapped[MarkFlag | None] = mapped_column(portable_enum(MarkFlag), nullable=True)
    seconds_spent: Mapped[float | None] = mapped_column(Float, nullable=True)
    machine_score_shown: Mapped[float | None] = mapped_column(Float, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class MarkingArbitration(Base):
    """The item leader's decision on an answer the markers disagreed on or flagged."""

    __tablename__ = "marking_arbitration"
    id: Mapped[int] = mapped_column(primary_key=True)
    marking_answer_id: Mapped[int] = mapped_column(ForeignKey("marking_answer.id"), unique=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(16))  # "disagreement" or "problem"
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScanStatus(enum.StrEnum):
    QUEUED = "queued"
    READING = "reading"
    DONE = "done"
    FAILED = "failed"


class ScanBatch(Base):
    """Scanned answer sheets of one assessment, uploaded together and read by the job worker.

    The files lie under the data folder (``folder``, relative), never served as they are; the
    layout they were printed with is stored, so a batch is read as it was printed."""

    __tablename__ = "scan_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    status: Mapped[ScanStatus] = mapped_column(portable_enum(ScanStatus))
    n_done: Mapped[int] = mapped_column(Integer, default=0)  # files read
    n_total: Mapped[int] = mapped_column(Integer, default=0)
    layout_json: Mapped[str] = mapped_column(Text)
    folder: Mapped[str] = mapped_column(String(255))
    file_names: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, as uploaded
    problems: Mapped[str] = mapped_column(Text, default="[]")  # JSON: pages that made no sheet
    message: Mapped[str] = mapped_column(Text, default="")  # why reading failed
    n_pages: Mapped[int] = mapped_column(Integer, default=0)
    n_sheets: Mapped[int] = mapped_column(Integer, default=0)
    n_problems: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ScanSheet(Base):
    """One student's sheet read from a batch: the raw bubble values (kept, so a changed key is
    applied again without reading), the review entries with their resolution, its problems."""

    __tablename__ = "scan_sheet"
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_batch_id: Mapped[int] = mapped_column(ForeignKey("scan_batch.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), nullable=True)
    student_number: Mapped[str] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(Text)  # JSON: field label → value read
    review: Mapped[str] = mapped_column(Text)  # JSON: label → flags, read, confidence, resolved
    problems: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {code, reason}
    sources: Mapped[str] = mapped_column(Text)  # JSON: page number → file (and page)
    crops: Mapped[str] = mapped_column(Text, default="{}")  # JSON: item label → file (data dir)
