"""ECharts options of the cockpit page: pure functions from the cockpit's numbers to option dicts.

Trends of score, pass and participation rates, schools by mean standing (coloured by setting),
the weakest knowledge points by setting, and the equity measures over time (district view).
"""

from __future__ import annotations

from typing import Any

from yincai.cockpit.service import Cockpit
from yincai.i18n import _

Options = dict[str, Any]

SETTING_COLOURS = {"urban": "#3b6fb6", "township": "#e0a030", "rural": "#3c9a5f"}


def _line(labels: list[str], series: dict[str, list[float | None]], *, percent: bool) -> Options:
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


def cockpit_charts(data: Cockpit) -> dict[str, Options]:
    """The cockpit page's charts: trend, schools, kps and (district view) equity."""
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
