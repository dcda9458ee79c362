"""Cockpit pages for district and school leaders: KPI tiles and charts, and the early-warning
list with an acknowledge action."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.accounts.models import Role
from yincai.cockpit import service
from yincai.cockpit.cache import CockpitCache
from yincai.cockpit.charts import cockpit_charts
from yincai.cockpit.detection import KIND_NAMES, Severity, WarningKind
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.paging import paginate
from yincai.web.templating import templates

router = APIRouter(prefix="/cockpit", include_in_schema=False)
E = TypeVar("E", bound=Enum)


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


def _warning_filters(query: Mapping[str, str]) -> tuple[service.WarningFilters, list[str]]:
    """Read the filter form leniently: a blank field is "any" (全部); a wrong value is named on
    the page and ignored, never a raw 422."""
    problems: list[str] = []

    def choice(name: str, kinds: type[E], label: str) -> E | None:
        text = query.get(name, "").strip()
        if not text:
            return None
        try:
            return kinds(text)
        except ValueError:
            problems.append(_("{label}无效").format(label=label))
            return None

    def number(name: str, label: str) -> int | None:
        text = query.get(name, "").strip()
        if not text:
            return None
        if text.isdigit() and len(text) < 10:
            return int(text)
        problems.append(_("{label}无效").format(label=label))
        return None

    acknowledged_text = query.get("acknowledged", "").strip()
    acknowledged = {"": None, "yes": True, "no": False}.get(acknowledged_text)
    if acknowledged_text not in ("", "yes", "no"):
        problems.append(_("{label}无效").format(label=_("处理状态")))
    filters = service.WarningFilters(
        kind=choice("kind", WarningKind, _("类别")),
        severity=choice("severity", Severity, _("等级")),
        school_id=number("school_id", _("学校")),
        school_class_id=number("school_class_id", _("班级")),
        acknowledged=acknowledged,
    )
    return filters, problems


@router.get("/warnings", response_class=HTMLResponse)
def warnings(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The early warnings in scope, each with its reason, evidence link and acknowledgement;
    filtered by kind, severity, school, class and acknowledgement, 50 a page."""
    query = request.query_params
    filters, problems = _warning_filters(query)
    sensitive = query.get("sensitive", "").strip().lower() in ("true", "1", "on", "yes")
    found = service.early_warnings(
        session,
        actor=user,
        kind=filters.kind,
        is_sensitive=sensitive,
        cache=cockpit_cache(request),
    )
    schools, classes = service.warning_places(session, actor=user)
    session.commit()
    shown = service.filter_warnings(found, filters)
    return templates.TemplateResponse(
        request,
        "cockpit/warnings.html",
        {
            "page": paginate(shown, query),
            "filters": filters,
            "problems": problems,
            "sensitive": sensitive,
            "warning_kind_names": KIND_NAMES,
            "kinds": list(WarningKind),
            "severities": list(Severity),
            "schools": schools,
            "classes": classes,
            "can_acknowledge": user.role in (Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN),
        },
        status_code=422 if problems else 200,
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
