"""The classroom loop's tables (the quiz itself is an assessment of kind homework).

A preview quiz (课前测) is homework set to one class, due when the lesson starts: its items are
``assessment_item`` rows, its class the ``assessment_class`` row and each answer a
``learning_event`` linked to it (the evidence the diagnosis reads). What homework does not
carry lives here: that the assignment is a classroom quiz and who pushed it
(``classroom_quiz``), the answer each student gave with its verdict, for the option
distribution of the live page (``classroom_answer``), and the after-class practice chosen for
each student (``classroom_practice``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class Stage(enum.StrEnum):
    QUIZ = "quiz"  # the preview quiz (课前测)
    PRACTICE = "practice"  # the after-class practice (课后练习)


class Verdict(enum.StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    UNCERTAIN = "uncertain"  # a fill-in answer the equivalence rules cannot decide: no evidence


class ClassroomQuiz(Base):
    """A homework assignment that is a classroom quiz of one class."""

    __tablename__ = "classroom_quiz"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    school_class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"), index=True)
    pushed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    practice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ClassroomAnswer(Base):
    """One student's answer to one item of a quiz or of their after-class practice."""

    __tablename__ = "classroom_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "student_id", "stage", "item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    stage: Mapped[Stage] = mapped_column(portable_enum(Stage))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    answer: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[Verdict] = mapped_column(portable_enum(Verdict))
    learning_event_id: Mapped[int] = mapped_column(ForeignKey("learning_event.id"), unique=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClassroomPractice(Base):
    """An item of one student's after-class practice, chosen by the practice engine."""

    __tablename__ = "classroom_practice"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), primary_key=True, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    knowledge_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_point.id"), nullable=True
    )
