"""Cockpit pages for district and school leaders: KPI tiles and charts, and the early-warning
list with an acknowledge action."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.cockpit import service
from yincai.cockpit.detection import KIND_NAMES, WarningKind
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/cockpit", include_in_schema=False)

SETTING_COLOURS = {"urban": "#3b6fb6", "township": "#e0a030", "rural": "#3c9a5f"}


def _line(
    labels: list[str], series: dict[str, list[float | None]], *, percent: bool
) -> dict[str, Any]:
    axis: dict[str, Any] = {"type": "value", "scale": True}
    if percent:
        axis["axisLabel"] = {"formatter": "{value}"}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 40},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": axis,
        "series": [
            {"name": name, "type": "line", "data": values, "connectNulls": True}
            for name, values in series.items()
        ],
    }


def _percent(values: list[float | None]) -> list[float | None]:
    return [None if v is None else round(100 * v, 1) for v in values]


def _charts(data: service.Cockpit) -> dict[str, dict[str, Any]]:
    labels = [point.label for point in data.trends]
    charts = {
        "trend": _line(
            labels,
            {
                _("得分率 %"): _percent([p.score_rate for p in data.trends]),
                _("及格率 %"): _percent([p.pass_rate for p in data.trends]),
                _("参考率 %"): _percent([p.participation for p in data.trends]),
            },
            percent=True,
        ),
        "schools": {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 140, "right": 20, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "name": _("平均标准分")},
            "yAxis": {"type": "category", "data": [s.name for s in data.schools]},
            "series": [
                {
                    "type": "bar",
                    "data": [
                        {
                            "value": s.mean_z,
                            "itemStyle": {"color": SETTING_COLOURS.get(s.setting, "#888")},
                        }
                        for s in data.schools
                    ],
                }
            ],
        },
        "kps": {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "grid": {"left": 160, "right": 20, "top": 30, "bottom": 30},
            "xAxis": {"type": "value", "max": 100, "name": "%"},
            "yAxis": {"type": "category", "data": [k.name for k in data.weakest_kps]},
            "series": [
                {
                    "name": name,
                    "type": "bar",
                    "data": _percent([getattr(k, key) for k in data.weakest_kps]),
                }
                for key, name in (
                    ("score_rate", _("合计")),
                    ("urban", _("城区")),
                    ("rural", _("农村")),
                )
            ],
        },
    }
    if data.equity is not None:
        charts["equity"] = _line(
            labels,
            {
                _("城乡差距"): [p.urban_rural_gap for p in data.trends],
                _("校际方差占比"): [p.icc for p in data.trends],
                _("校均分标准差"): [p.school_sd for p in data.trends],
            },
            percent=False,
        )
    return charts


@router.get("", response_class=HTMLResponse)
def cockpit(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The district (or school) cockpit: KPIs, quality, equity and trends."""
    data = service.cockpit(session, actor=user)
    session.commit()  # the audit row
    return templates.TemplateResponse(
        request,
        "cockpit/index.html",
        {"data": data, "charts": _charts(data), "warning_kind_names": KIND_NAMES},
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
    found = service.early_warnings(session, actor=user, kind=kind, is_sensitive=sensitive)
    session.commit()  # the audit row
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
    session: DbSession,
    user: CurrentUser,
    key: Annotated[str, Form(max_length=64)],
    note: Annotated[str, Form(max_length=service.MAX_NOTE_LENGTH)] = "",
) -> RedirectResponse:
    """Acknowledge a warning with an optional note."""
    service.acknowledge(session, actor=user, key=key, note=note)
    session.commit()
    return RedirectResponse("/cockpit/warnings", status_code=303)
