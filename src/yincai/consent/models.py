"""Guardian consent: who agreed, when, to which use of a student's data, and whether withdrawn."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base, portable_enum


class ConsentPurpose(enum.StrEnum):
    """What the data is used for; each purpose is consented to on its own."""

    DIAGNOSIS = "diagnosis"  # mastery diagnosis and the personalised practice built on it


class ConsentMethod(enum.StrEnum):
    PARENT_ACCOUNT = "parent_account"  # the parent clicked it in their own account
    PAPER_FORM = "paper_form"  # staff recorded a signed paper form (or the operator imported it)


class GuardianConsent(Base):
    """A guardian's consent to one purpose for one student (PIPL: needed under 14).

    ``given_by_user_account_id`` is the parent's account, or the staff account that recorded a
    paper form (None: recorded by the operator, e.g. the demo's collected forms). A withdrawn
    consent stays as history; a new row is written when consent is given again.
    """

    __tablename__ = "guardian_consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(portable_enum(ConsentPurpose))
    method: Mapped[ConsentMethod] = mapped_column(portable_enum(ConsentMethod))
    given_by_user_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by_user_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), nullable=True
    )
