"""Generated documents: one row per document asked for at one data version, with its state and
progress while the job worker builds it, and the finished PDF. Only the job writes the PDF."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class DocumentKind(enum.StrEnum):
    CLASS_BOOKLET = "class_booklet"  # a personalised practice booklet per student of a class


class DocumentState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class GeneratedDocument(Base):
    """A document asked for (``kind`` with its class and ``options``), built from the data of
    ``version``; asking again at the same version finds this row (``request_key`` + ``version``).

    ``version`` names what it was built from: the hub's data version (``hub_version``, every import
    moves it on), the mastery run read (``mastery_run_id``), the consents in force and the day
    ("recent" practice counts back from today). ``content`` is the PDF (deferred: listing and
    progress never load it); ``message`` says in words why a failed build failed.
    """

    __tablename__ = "generated_document"
    __table_args__ = (UniqueConstraint("request_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(portable_enum(DocumentKind))
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    options: Mapped[str] = mapped_column(String(200))  # "n_items=10;subject=MATH"
    request_key: Mapped[str] = mapped_column(String(240))  # kind, class and options
    version: Mapped[str] = mapped_column(String(64))
    hub_version: Mapped[int] = mapped_column(Integer)
    mastery_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # runs are pruned
    requested_by: Mapped[int | None] = mapped_column(  # None: the operator's shell
        ForeignKey("user_account.id"), nullable=True
    )
    state: Mapped[DocumentState] = mapped_column(portable_enum(DocumentState))
    n_done: Mapped[int] = mapped_column(Integer, default=0)
    n_total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    filename: Mapped[str] = mapped_column(String(120))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    n_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the last progress
    finished_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )


class GeneratedDocumentStudent(Base):
    """A student a finished document names: whose erasure deletes it, whose export lists it, and
    whom the audit row of each download lists."""

    __tablename__ = "generated_document_student"
    document_id: Mapped[int] = mapped_column(
        ForeignKey("generated_document.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("student.id"), primary_key=True, autoincrement=False, index=True
    )
