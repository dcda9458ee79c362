"""The assistant's tables: conversations and their messages.

A conversation belongs to the account that asked; when that account is a student's, it also
names the student (``student_id``), so that the student's teachers may read it, subject access
exports it, erasure deletes it and the retention purge removes it
``assistant_retention_days`` after its last message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base


class AssistantConversation(Base):
    __tablename__ = "assistant_conversation"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("student.id"), nullable=True, index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AssistantMessage(Base):
    """One question or one answer.

    ``kind`` of an answer: ``model`` (a language model's text, labelled AI 生成), ``extractive``
    (sentences quoted from the library), ``maths`` (a worked solution from sympy, checked),
    ``hints`` (student mode: hints and guiding questions
    for an item of open homework or an open exam), ``not_covered``. ``details`` holds the
    citations, the checked maths solution and notes, as shown.
    """

    __tablename__ = "assistant_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_conversation.id"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))  # user | assistant
    kind: Mapped[str] = mapped_column(String(20))  # question | model | extractive | hints | …
    text: Mapped[str] = mapped_column(Text)
    is_ai_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
