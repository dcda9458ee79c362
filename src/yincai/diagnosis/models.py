"""Mastery estimates computed ahead of time: one run per subject and data version, and each
student's estimates of that run. Requests read these; only the refresh job writes them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class MasteryRun(Base):
    """One calibration of a subject's mastery model and the estimates of every student.

    ``data_version`` names the evidence it saw (the hub's data version and the consents in force);
    ``model`` is the calibrated model (``diagnosis.store`` writes and reads it); ``progress`` in
    [0, 1] is shown on the pages while the run is under way.
    """

    __tablename__ = "mastery_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    data_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[RunStatus] = mapped_column(portable_enum(RunStatus))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    n_students: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    fit_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    model: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)


class MasteryEstimateRow(Base):
    """A student's estimate of every point of the run's subject, in the run's point order:
    posterior mean and SD of each mastery logit and the responses behind it (float32 / int32)."""

    __tablename__ = "mastery_estimate"
    __table_args__ = (UniqueConstraint("run_id", "student_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("mastery_run.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    logit_mean: Mapped[bytes] = mapped_column(LargeBinary)
    logit_sd: Mapped[bytes] = mapped_column(LargeBinary)
    n_evidence: Mapped[bytes] = mapped_column(LargeBinary)
