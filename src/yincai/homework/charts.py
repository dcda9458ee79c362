"""ECharts options of the homework pages: pure functions from the service's views to option
dicts (labels are messages, rendered by the templates' ``localise`` filter)."""

from __future__ import annotations

from typing import Any

from yincai.homework.service import ClassRow, KpRow, WeekPoint
from yincai.i18n import _

Options = dict[str, Any]
COMPLETION_COLOUR, ACCURACY_COLOUR, LATE_COLOUR = "#2f6fb8", "#b83a2f", "#d9a441"
KP_CHART_POINTS = 15  # the weakest points drawn; the table lists them all
BAR_HEIGHT_PX = 22  # per class in the school chart, so 50+ classes stay readable (it scrolls)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def weekly_chart(weeks: list[WeekPoint]) -> Options:
    """Completion and accuracy by the week the work was set (Monday's date on the axis)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("完成率"), _("正确率"), _("迟交率")]},
        "grid": {"left": 45, "right": 15, "top": 35, "bottom": 30},
        "xAxis": {"type": "category", "data": [w.monday.strftime("%m-%d") for w in weeks]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": _("完成率"),
                "type": "bar",
                "data": [_percent(w.completion_rate) for w in weeks],
                "itemStyle": {"color": COMPLETION_COLOUR},
            },
            {
                "name": _("正确率"),
                "type": "line",
                "data": [_percent(w.accuracy) for w in weeks],
                "itemStyle": {"color": ACCURACY_COLOUR},
            },
            {
                "name": _("迟交率"),
                "type": "line",
                "data": [_percent(w.late / w.completed) if w.completed else None for w in weeks],
                "itemStyle": {"color": LATE_COLOUR},
                "lineStyle": {"type": "dashed"},
            },
        ],
    }


def kp_chart(kps: list[KpRow]) -> Options:
    """Accuracy of the weakest knowledge points, weakest on top."""
    shown = kps[:KP_CHART_POINTS][::-1]  # ECharts draws the first category at the bottom
    return {
        "tooltip": {},
        "grid": {"left": 170, "right": 30, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [kp.name for kp in shown]},
        "series": [
            {
                "name": _("正确率"),
                "type": "bar",
                "data": [_percent(kp.accuracy) for kp in shown],
                "itemStyle": {"color": ACCURACY_COLOUR},
            }
        ],
    }


def school_chart(classes: list[ClassRow]) -> Options:
    """Every class's completion and accuracy, in the table's order (first on top)."""
    shown = classes[::-1]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("完成率"), _("正确率")]},
        "grid": {"left": 110, "right": 30, "top": 30, "bottom": 30},
        "xAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [row.name for row in shown]},
        "series": [
            {
                "name": _("完成率"),
                "type": "bar",
                "data": [_percent(row.totals.completion_rate) for row in shown],
                "itemStyle": {"color": COMPLETION_COLOUR},
            },
            {
                "name": _("正确率"),
                "type": "bar",
                "data": [_percent(row.totals.accuracy) for row in shown],
                "itemStyle": {"color": ACCURACY_COLOUR},
            },
        ],
    }


def school_chart_height(n_classes: int) -> int:
    """Pixels for the school chart: two bars per class."""
    return max(240, 60 + BAR_HEIGHT_PX * 2 * n_classes)
