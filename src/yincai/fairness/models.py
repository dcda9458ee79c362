"""Fairness reports: one row per district and data version, with its state and progress while
the job worker computes it, and the finished report (aggregates only: no student appears)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class ReportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FairnessReport(Base):
    """A fairness report of a district computed from the data of ``version`` (the hub's data
    version, the consents in force and the smallest group shown); asking again at the same
    version finds this row. ``result`` is the report as JSON (groups' metrics and sizes);
    ``message`` says in words why a failed computation failed."""

    __tablename__ = "fairness_report"
    __table_args__ = (UniqueConstraint("district_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    hub_version: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[int | None] = mapped_column(  # None: the operator's shell
        ForeignKey("user_account.id"), nullable=True
    )
    state: Mapped[ReportState] = mapped_column(portable_enum(ReportState))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
