"""JSON API of the cockpit: indicators, early warnings and their acknowledgement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from yincai.cockpit import service
from yincai.cockpit.detection import Severity, WarningKind
from yincai.i18n import translate
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.json_types import FiniteFloat, UtcDateTime

router = APIRouter(prefix="/api/cockpit", tags=["cockpit"])


class AcknowledgementCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=service.MAX_NOTE_LENGTH)


class AcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warning_key: str
    acknowledged_by: int
    acknowledged_at: UtcDateTime
    note: str


class WarningSubjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    school_id: int
    school_class_id: int | None
    student_id: int | None
    assessment_id: int | None


class WarningAcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    acknowledged_by: int
    acknowledged_at: UtcDateTime
    note: str


class WarningRead(BaseModel):
    """One early warning: its subject's ids, the reason in words and the numbers behind it."""

    model_config = ConfigDict(from_attributes=True)
    key: str
    kind: WarningKind
    severity: Severity
    subject: WarningSubjectRead
    title: str
    reason: str
    evidence: dict[str, FiniteFloat]
    link: str
    acknowledgement: WarningAcknowledgementRead | None


@router.get("")
def cockpit(session: DbSession, user: CurrentUser) -> service.Cockpit:
    """KPIs, quality by school and knowledge point, equity and trends of the actor's scope."""
    data = service.cockpit(session, actor=user)
    session.commit()
    return data


@router.get("/warnings")
def warnings(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kind: WarningKind | None = None,
    sensitive: bool = False,
) -> list[WarningRead]:
    """Early warnings in the actor's scope (sensitive: miss fewer, accept more false alarms);
    the reasons in the request's language (``?lang=``, cookie, setting)."""
    found = service.early_warnings(session, actor=user, kind=kind, is_sensitive=sensitive)
    session.commit()
    language = language_of(request, request.app.state.settings.language)
    return [
        WarningRead.model_validate(warning).model_copy(
            update={"reason": translate(warning.reason, language)}
        )
        for warning in found
    ]


@router.post("/warnings/acknowledge")
def acknowledge(
    body: AcknowledgementCreate, session: DbSession, user: CurrentUser
) -> AcknowledgementRead:
    """Acknowledge one warning by its key, with an optional note."""
    row = service.acknowledge(session, actor=user, key=body.key, note=body.note)
    session.commit()
    return AcknowledgementRead.model_validate(row)
