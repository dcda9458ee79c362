"""JSON API of the cockpit: indicators, early warnings and their acknowledgement."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yincai.cockpit import service
from yincai.cockpit.detection import WarningKind
from yincai.cockpit.schemas import (
    AcknowledgementCreate,
    AcknowledgementRead,
    CockpitRead,
    WarningRead,
)
from yincai.i18n import translate
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of

router = APIRouter(prefix="/api/cockpit", tags=["cockpit"])


@router.get("")
def cockpit(request: Request, session: DbSession, user: CurrentUser) -> CockpitRead:
    """KPIs, quality by school and knowledge point, equity and trends of the actor's scope."""
    data = service.cockpit(session, actor=user, cache=request.app.state.cockpit_cache)
    session.commit()
    return CockpitRead.model_validate(data)


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
    found = service.early_warnings(
        session,
        actor=user,
        kind=kind,
        is_sensitive=sensitive,
        cache=request.app.state.cockpit_cache,
    )
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
    request: Request, body: AcknowledgementCreate, session: DbSession, user: CurrentUser
) -> AcknowledgementRead:
    """Acknowledge one warning by its key, with an optional note."""
    row = service.acknowledge(
        session,
        actor=user,
        key=body.key,
        note=body.note,
        cache=request.app.state.cockpit_cache,
    )
    session.commit()
    return AcknowledgementRead.model_validate(row)
