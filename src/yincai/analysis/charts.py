"""ECharts options of the analysis pages: pure functions from a report to option dicts.

The exam page draws the score distribution, the comparison of its groups and a heatmap of the
knowledge points' score rates; the student page the own score-rate trend and mastery per point.
Colours and labels (messages, rendered by the templates' ``localise`` filter) live here, so
every chart of the capability reads them from one place.
"""

from __future__ import annotations

from typing import Any

from yincai import echarts
from yincai.analysis.exam import ExamReport, GroupRow
from yincai.analysis.joint import BalanceRow, JointReport
from yincai.analysis.student import StudentReport, TrendPoint
from yincai.i18n import _

Options = dict[str, Any]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def exam_charts(report: ExamReport) -> dict[str, Options]:
    """ECharts options of the exam page: distribution, group comparison, knowledge points."""
    charts: dict[str, Options] = {
        "distribution": {
            "tooltip": {},
            "grid": echarts.grid(top=20, left=20),
            "xAxis": {
                "type": "category",
                "data": [f"{band.lower:g}–{band.upper:g}" for band in report.distribution],
            },
            "yAxis": echarts.value_axis(_("人数"), gap=36),
            "series": [
                {
                    "type": "bar",
                    "data": [band.count for band in report.distribution],
                    "itemStyle": {"color": "#b83a2f"},
                }
            ],
        }
    }
    groups = report.classes if len(report.classes) > 1 else report.schools
    if groups:
        charts["groups"] = group_comparison(groups)
    knowledge = report.knowledge
    if knowledge.rows and knowledge.groups:
        cells = [
            [g, k, _percent(row.group_rates[g])]
            for k, row in enumerate(knowledge.rows)
            for g in range(len(knowledge.groups))
        ]
        charts["knowledge"] = {
            "yincaiHeight": max(460, 120 + 20 * len(knowledge.rows)),
            "tooltip": {"position": "top"},
            "grid": echarts.grid(top=10, bottom=70),
            "xAxis": echarts.category_axis(knowledge.groups, width=90, splitArea={"show": True})
            | {
                "axisLabel": echarts.category_label(
                    90, rotate=30 if len(knowledge.groups) > 6 else 0
                )
            },
            "yAxis": echarts.category_axis(
                [row.name for row in knowledge.rows], width=180, splitArea={"show": True}
            ),
            "visualMap": {
                "min": 0,
                "max": 100,
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "inRange": {"color": ["#fde8e6", "#fff4db", "#e3f6e8", "#2e8b57"]},
            },
            "series": [
                {
                    "name": _("得分率%"),
                    "type": "heatmap",
                    "data": cells,
                    "label": {"show": len(cells) <= 120},
                }
            ],
        }
        zoom = echarts.scrolling(len(knowledge.groups), axis="x")
        if zoom:  # a slider above the columns, clear of the colour scale below
            charts["knowledge"]["dataZoom"] = [zoom[0] | {"top": 4}, zoom[1]]
            charts["knowledge"]["grid"]["top"] = 40
    return charts


def group_comparison(groups: list[GroupRow]) -> Options:
    """Classes or schools ranked by mean score, one bar each (readable for 50+ groups: sorted,
    scrolling), with the pass and excellent rates as points on the top axis."""
    ranked = sorted(groups, key=lambda g: -1e9 if g.mean is None else -g.mean)
    return echarts.ranked_bars(
        [_group_label(g.school_name, g.name) for g in ranked],
        [
            {
                "name": _("平均分"),
                "type": "bar",
                "data": [g.mean for g in ranked],
                "itemStyle": {"color": "#3b6ea5"},
            },
            {
                "name": _("优秀率%"),
                "type": "scatter",
                "xAxisIndex": 1,
                "data": [_percent(g.excellent_rate) for g in ranked],
                "itemStyle": {"color": "#2e8b57"},
            },
            {
                "name": _("及格率%"),
                "type": "scatter",
                "xAxisIndex": 1,
                "data": [_percent(g.pass_rate) for g in ranked],
                "itemStyle": {"color": "#e0a030"},
            },
        ],
        value_name=_("平均分"),
        legend=[_("平均分"), _("优秀率%"), _("及格率%")],
        second_value_axis=echarts.value_axis("%", min=0, max=100, position="top"),
    )


def _group_label(school_name: str, name: str) -> str:
    """A class named before its school: where the axis cuts a long label, the class stays."""
    return name if not school_name or school_name == name else f"{name} · {school_name}"


def student_charts(report: StudentReport, trend: list[TrendPoint]) -> dict[str, Options]:
    """ECharts options of the student page: the own score-rate trend and mastery per point."""
    charts: dict[str, Options] = {}
    if trend:
        charts["trend"] = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 20, "top": 20, "bottom": 60},
            "xAxis": {"type": "category", "data": [f"{p.held_on}\n{p.name}" for p in trend]},
            "yAxis": {"type": "value", "min": 0, "max": 100, "name": _("得分率%")},
            "series": [
                {
                    "type": "line",
                    "data": [_percent(p.score_rate) for p in trend],
                    "itemStyle": {"color": "#b83a2f"},
                }
            ],
        }
    if report.mastery:
        ordered = sorted(report.mastery, key=lambda entry: entry.mastery)
        charts["mastery"] = {
            "tooltip": {"trigger": "axis"},
            "grid": echarts.grid(top=10, bottom=30),
            "xAxis": echarts.value_axis(_("掌握度%"), min=0, max=100),
            "yAxis": echarts.category_axis([entry.name for entry in ordered], width=180),
            "series": [
                {
                    "type": "bar",
                    "name": _("掌握度%"),
                    "data": [_percent(entry.mastery) for entry in ordered],
                    "itemStyle": {"color": "#3b6ea5"},
                }
            ],
        }
    return charts


# The class comparison of a joint exam shows this many rows at once; more scroll (dataZoom).
COMPARISON_VISIBLE_ROWS = 20
COMPARISON_ROW_PIXELS = 22


def _z(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def joint_charts(report: JointReport) -> dict[str, Options]:
    """ECharts options of the joint-exam page: 总分 distribution, subject balance of the scope
    against its context, and the subject-balanced comparison of classes (and schools)."""
    subjects = [subject.name for subject in report.subjects]
    charts: dict[str, Options] = {
        "distribution": {
            "tooltip": {},
            "grid": {"left": 40, "right": 10, "top": 20, "bottom": 50},
            "xAxis": {
                "type": "category",
                "data": [f"{band.lower:g}–{band.upper:g}" for band in report.distribution],
                "axisLabel": {"rotate": 30 if len(report.distribution) > 10 else 0},
            },
            "yAxis": {"type": "value", "name": _("人数")},
            "series": [
                {
                    "type": "bar",
                    "data": [band.count for band in report.distribution],
                    "itemStyle": {"color": "#b83a2f"},
                }
            ],
        },
        "balance": _balance(report, subjects),
    }
    if len(report.classes) > 1:
        charts["classes"] = _comparison(report.classes, by_school=False)
    if len(report.schools) > 1:
        charts["schools"] = _comparison(report.schools, by_school=True)
    return charts


def _balance(report: JointReport, subjects: list[str]) -> Options:
    """Mean z per subject: the scope's bars beside its context's line; the district (whose
    mean is 0 by construction) shows each school's bars instead."""
    if report.scope.kind == "district":
        series: list[Options] = [
            {"name": row.name, "type": "bar", "data": [_z(value) for value in row.subject_z]}
            for row in report.schools
        ]
    else:
        series = [
            {
                "name": report.scope_title,
                "type": "bar",
                "data": [_z(value) for value in report.scope_balance],
                "itemStyle": {"color": "#3b6ea5"},
            },
            {
                "name": report.context_title,
                "type": "line",
                "data": [_z(value) for value in report.context_balance],
                "itemStyle": {"color": "#b83a2f"},
            },
        ]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "data": [entry["name"] for entry in series]},
        "grid": {"left": 50, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": subjects},
        "yAxis": {"type": "value", "name": _("平均标准分")},
        "series": series,
    }


def comparison_height(n_rows: int) -> int:
    """Pixels of a comparison chart: one row each, up to ``COMPARISON_VISIBLE_ROWS``."""
    return 90 + COMPARISON_ROW_PIXELS * min(max(n_rows, 1), COMPARISON_VISIBLE_ROWS)


def _comparison(rows: list[BalanceRow], *, by_school: bool) -> Options:
    """Groups sorted by the balanced index (best at the top), the mean 总分 beside on its own
    axis; beyond ``COMPARISON_VISIBLE_ROWS`` rows a slider scrolls the list."""
    ordered = list(reversed(rows))  # ECharts draws a category axis bottom-up
    labels = [row.name if by_school else _group_label(row.school_name, row.name) for row in ordered]
    options: Options = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("均衡指数（平均标准分）"), _("总分平均分")]},
        "grid": {"left": 10, "right": 70, "top": 50, "bottom": 30, "containLabel": True},
        "xAxis": [
            {"type": "value", "name": _("标准分")},
            {"type": "value", "name": _("分"), "position": "top"},
        ],
        "yAxis": {"type": "category", "data": labels},
        "series": [
            {
                "name": _("均衡指数（平均标准分）"),
                "type": "bar",
                "data": [
                    {
                        "value": _z(row.balanced_index),
                        "itemStyle": {"color": "#b83a2f" if row.is_current else "#3b6ea5"},
                    }
                    for row in ordered
                ],
            },
            {
                "name": _("总分平均分"),
                "type": "scatter",
                "xAxisIndex": 1,
                "data": [
                    None if row.total_mean is None else round(row.total_mean, 1) for row in ordered
                ],
                "itemStyle": {"color": "#444"},
            },
        ],
    }
    if len(rows) > COMPARISON_VISIBLE_ROWS:
        start = 100 * (1 - COMPARISON_VISIBLE_ROWS / len(rows))
        options["dataZoom"] = [
            {"type": "slider", "yAxisIndex": 0, "start": start, "end": 100, "right": 10},
            {"type": "inside", "yAxisIndex": 0, "start": start, "end": 100},
        ]
    return options
