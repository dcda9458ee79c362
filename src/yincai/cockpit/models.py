"""Acknowledgements of early warnings: who looked at which warning, when, and what they noted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base


class WarningAcknowledgement(Base):
    """A leader's acknowledgement of one warning, named by its stable key (many per key: the
    latest is shown, the earlier ones stay as history)."""

    __tablename__ = "warning_acknowledgement"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    warning_key: Mapped[str] = mapped_column(String(64), index=True)
    acknowledged_by: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
