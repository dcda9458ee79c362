"""Saved lesson plans: one row per plan a teacher saved, its sections and figures as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base


class LessonPlanRow(Base):
    """A lesson plan of a class on one knowledge point.

    ``content`` is the plan as ``lessons.plan.LessonPlan.to_json`` writes it: the class's figures
    as they were when the draft was made (a later import does not change a saved plan), the bank
    items it names and each section's text with its state (drafted by the machine or confirmed
    by a person). It holds class totals only, never a student's name or number.
    """

    __tablename__ = "lesson_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    knowledge_point_id: Mapped[int] = mapped_column(ForeignKey("knowledge_point.id"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
