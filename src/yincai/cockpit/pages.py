"""Cockpit pages for district and school leaders: KPI tiles and charts, and the early-warning
list with an acknowledge action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.cockpit import service
from yincai.cockpit.cache import CockpitCache
from yincai.cockpit.charts import cockpit_charts
from yincai.cockpit.detection import KIND_NAMES, WarningKind
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/cockpit", include_in_schema=False)


def cockpit_cache(request: Request) -> CockpitCache:
    """The app's analysed districts, kept between requests."""
    cache: CockpitCache = request.app.state.cockpit_cache
    return cache


@router.get("", response_class=HTMLResponse)
def cockpit(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The district (or school) cockpit: KPIs, quality, equity and trends."""
    data = service.cockpit(session, actor=user, cache=cockpit_cache(request))
    session.commit()
    return templates.TemplateResponse(
        request,
        "cockpit/index.html",
        {"data": data, "charts": cockpit_charts(data), "warning_kind_names": KIND_NAMES},
    )


@router.get("/warnings", response_class=HTMLResponse)
def warnings(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kind: WarningKind | None = None,
    sensitive: bool = False,
) -> Response:
    """The early warnings in scope, each with its reason, evidence link and acknowledgement."""
    found = service.early_warnings(
        session, actor=user, kind=kind, is_sensitive=sensitive, cache=cockpit_cache(request)
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "cockpit/warnings.html",
        {
            "warnings": found,
            "kind": kind.value if kind else "",
            "sensitive": sensitive,
            "warning_kind_names": KIND_NAMES,
            "kinds": list(WarningKind),
        },
    )


@router.post("/warnings/acknowledge")
def acknowledge(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    key: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=service.MAX_NOTE_LENGTH)] = "",
) -> RedirectResponse:
    """Acknowledge a warning with an optional note."""
    service.acknowledge(session, actor=user, key=key, note=note, cache=cockpit_cache(request))
    session.commit()
    return RedirectResponse("/cockpit/warnings", status_code=303)
