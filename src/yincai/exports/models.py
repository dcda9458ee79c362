"""OneRoster exports asked for: one row per district, options and data version, with its state and
progress while the job worker builds it; the finished ZIP is a file in the data folder."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class ExportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OneRosterExportRequest(Base):
    """A district's OneRoster export with its options, built from the data of ``version`` (the
    hub's data version ``hub_version`` and the school year); asking again with the same options
    at the same version finds this row.

    ``file_path`` is the finished ZIP, relative to the data folder (it lists every student of the
    district, so it is deleted with the row, and when any student is erased); ``message`` says in
    words why a failed build failed.
    """

    __tablename__ = "oneroster_export_request"
    __table_args__ = (UniqueConstraint("district_id", "with_names", "with_results", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    with_names: Mapped[bool] = mapped_column(Boolean)
    with_results: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[str] = mapped_column(String(64))
    hub_version: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[int | None] = mapped_column(  # None: the operator's shell
        ForeignKey("user_account.id"), nullable=True
    )
    state: Mapped[ExportState] = mapped_column(portable_enum(ExportState))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    file_path: Mapped[str | None] = mapped_column(String(200), nullable=True)
    file_name: Mapped[str] = mapped_column(String(120), default="")
    n_bytes: Mapped[int] = mapped_column(Integer, default=0)
    n_students: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the last progress
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
