"""ECharts options of the cockpit page: pure functions from the cockpit's numbers to option dicts.

Trends of score, pass and participation rates, schools by mean standing (coloured by setting),
the weakest knowledge points by setting, and the equity measures over time (district view).
"""

from __future__ import annotations

from typing import Any

from yincai import echarts
from yincai.cockpit.service import Cockpit
from yincai.i18n import _
from yincai.web.templating import SETTING_NAMES

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


def _descending(value: float | None) -> float:
    return float("inf") if value is None else -value


def _quality_ranking(
    names: list[str], mean_z: list[float | None], settings: list[str] | None
) -> Options:
    """Schools (or classes) ranked by mean standing, one bar each; schools coloured by setting
    with a legend (one series per setting, stacked so every row keeps one bar)."""
    order = sorted(range(len(names)), key=lambda k: _descending(mean_z[k]))
    labels = [names[k] for k in order]
    series: list[Options]
    legend: list[Any] | None
    if settings is None:
        series = [{"name": _("平均标准分"), "type": "bar", "data": [mean_z[k] for k in order]}]
        legend = None
    else:
        present = [s for s in SETTING_COLOURS if s in settings]
        series = [
            {
                "name": SETTING_NAMES[setting],
                "type": "bar",
                "stack": "standing",
                "itemStyle": {"color": SETTING_COLOURS[setting]},
                "data": [mean_z[k] if settings[k] == setting else None for k in order],
            }
            for setting in present
        ]
        legend = [SETTING_NAMES[s] for s in present]
    return echarts.ranked_bars(labels, series, value_name=_("平均标准分"), legend=legend)


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
        "schools": _quality_ranking(
            [s.name for s in data.schools],
            [s.mean_z for s in data.schools],
            [s.setting for s in data.schools],
        ),
        "kps": echarts.ranked_bars(
            [k.name for k in data.weakest_kps],
            [
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
            value_name=_("得分率 %"),
            legend=[_("合计"), _("城区"), _("农村")],
            value_axis_extra={"max": 100},
        ),
    }
    if data.classes:
        charts["classes"] = _quality_ranking(
            [c.name for c in data.classes], [c.mean_z for c in data.classes], None
        )
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
