"""JSON API of the cockpit: indicators, early warnings and their acknowledgement."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from yincai.cockpit import service
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/api/cockpit", tags=["cockpit"])


class AcknowledgementCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=service.MAX_NOTE_LENGTH)


class AcknowledgementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    warning_key: str
    acknowledged_by: int
    acknowledged_at: datetime
    note: str


@router.get("")
def cockpit(session: DbSession, user: CurrentUser) -> service.Cockpit:
    """KPIs, quality by school and knowledge point, equity and trends of the actor's scope."""
    data = service.cockpit(session, actor=user)
    session.commit()
    return data


@router.get("/warnings")
def warnings(
    session: DbSession,
    user: CurrentUser,
    kind: WarningKind | None = None,
    sensitive: bool = False,
) -> list[EarlyWarning]:
    """Early warnings in the actor's scope (sensitive: miss fewer, accept more false alarms)."""
    found = service.early_warnings(session, actor=user, kind=kind, is_sensitive=sensitive)
    session.commit()
    return found


@router.post("/warnings/acknowledge")
def acknowledge(
    body: AcknowledgementCreate, session: DbSession, user: CurrentUser
) -> AcknowledgementRead:
    """Acknowledge one warning by its key, with an optional note."""
    row = service.acknowledge(session, actor=user, key=body.key, note=body.note)
    session.commit()
    return AcknowledgementRead.model_validate(row)
