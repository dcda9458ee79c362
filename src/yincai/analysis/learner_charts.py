"""ECharts options of the between-exams views: the class's mastery heatmap and the growth curves
of standard scores. Pure functions from the views to option dicts (messages rendered by the
templates' ``localise`` filter), like ``analysis.charts``.
"""

from __future__ import annotations

from typing import Any

from yincai.analysis.growth import ClassSubjectGrowth, SubjectGrowth
from yincai.analysis.mastery_map import MasteryMap
from yincai.diagnosis.levels import BAND_WORDS, MasteryBand
from yincai.i18n import _
from yincai.rules import T_SCORE_MEAN

Options = dict[str, Any]

# One colour per band, the order of the heatmap's legend.
BAND_COLOURS = {
    MasteryBand.NEEDS_WORK: "#e8847a",
    MasteryBand.BASIC: "#f6d48b",
    MasteryBand.PROFICIENT: "#4f9d69",
    MasteryBand.NO_EVIDENCE: "#dddddd",
    MasteryBand.NOT_TAUGHT: "#f4f4f4",
}
BAND_ORDER = list(BAND_COLOURS)
ROW_PIXELS = 22  # one student's row
ROWS_SHOWN = 30  # more students than this scroll (dataZoom on the rows)
COLUMNS_SHOWN = 25  # more points than this scroll (dataZoom on the columns)
LABEL_WIDTH = 84  # pixels of a point's axis label before it is cut (the tooltip has it whole)
OWN_COLOUR = "#b83a2f"
CLASS_COLOUR = "#3b6ea5"


def mastery_heatmap(view: MasteryMap) -> Options:
    """Students (rows, weakest at the top) × points (columns); each cell coloured by its band,
    its tooltip the student, the point's full name, the band and the level."""
    n_rows, n_columns = len(view.rows), len(view.columns)
    cells = []
    for y, row in enumerate(view.rows):
        for x, (column, cell) in enumerate(zip(view.columns, row.cells, strict=True)):
            if cell.level is None:
                name = _("{student} · {kp}：{band}").format(
                    student=row.name, kp=column.name, band=BAND_WORDS[cell.band]
                )
            else:
                name = _("{student} · {kp}：{band}（掌握度 {level}）").format(
                    student=row.name,
                    kp=column.name,
                    band=BAND_WORDS[cell.band],
                    level=f"{cell.level:.0%}",
                )
            cells.append({"value": [x, y, BAND_ORDER.index(cell.band)], "name": name})
    zoom: list[Options] = []
    if n_columns > COLUMNS_SHOWN:
        end = round(100 * COLUMNS_SHOWN / n_columns)
        zoom += [
            {"type": "slider", "xAxisIndex": 0, "start": 0, "end": end, "bottom": 40},
            {"type": "inside", "xAxisIndex": 0, "start": 0, "end": end},
        ]
    if n_rows > ROWS_SHOWN:
        end = round(100 * ROWS_SHOWN / n_rows)
        zoom += [
            {"type": "slider", "yAxisIndex": 0, "start": 0, "end": end, "right": 0},
            {"type": "inside", "yAxisIndex": 0, "start": 0, "end": end, "zoomOnMouseWheel": False,
             "moveOnMouseWheel": True},
        ]  # fmt: skip
    return {
        "tooltip": {"position": "top", "formatter": "{b}"},
        "grid": {"left": 90, "right": 40, "top": 40, "bottom": 130},
        "xAxis": {
            "type": "category",
            "data": [column.name for column in view.columns],
            "axisLabel": {
                "rotate": 45,
                "interval": 0,
                "width": LABEL_WIDTH,
                "overflow": "truncate",
            },
            "splitArea": {"show": True},
        },
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [row.name for row in view.rows],
            "axisLabel": {"interval": 0},
        },
        "visualMap": {
            "type": "piecewise",
            "dimension": 2,
            "orient": "horizontal",
            "left": "center",
            "top": 0,
            "pieces": [
                {"value": i, "label": BAND_WORDS[band], "color": BAND_COLOURS[band]}
                for i, band in enumerate(BAND_ORDER)
            ],
        },
        "dataZoom": zoom,
        "series": [
            {
                "name": _("掌握情况"),
                "type": "heatmap",
                "data": cells,
                "itemStyle": {"borderColor": "#ffffff", "borderWidth": 1},
            }
        ],
    }


def heatmap_height(view: MasteryMap) -> int:
    """Pixels of the heatmap: a row per student up to ``ROWS_SHOWN``, the rest scroll."""
    return 190 + ROW_PIXELS * min(max(len(view.rows), 1), ROWS_SHOWN)


def _mean_line() -> Options:
    return {
        "silent": True,
        "symbol": "none",
        "label": {"formatter": _("全区平均")},
        "lineStyle": {"type": "dashed", "color": "#999999"},
        "data": [{"yAxis": T_SCORE_MEAN}],
    }


def student_growth_chart(curve: SubjectGrowth, *, shows_numbers: bool) -> Options:
    """The student's T-score per exam beside the class mean; for the family without numbers
    (no value axis labels, no tooltip): the words beside the chart say how it moved."""
    options: Options = {
        "legend": {"data": [_("本人"), _("班级平均")]},
        "grid": {"left": 45, "right": 20, "top": 35, "bottom": 60},
        "xAxis": {
            "type": "category",
            "data": [f"{p.held_on:%m-%d}\n{p.name}" for p in curve.points],
            "axisLabel": {"width": 110, "overflow": "truncate"},
        },
        "yAxis": {
            "type": "value",
            "scale": True,
            "name": _("标准分") if shows_numbers else "",
            "axisLabel": {"show": shows_numbers},
        },
        "series": [
            {
                "name": _("本人"),
                "type": "line",
                "data": [_rounded(p.t_score) for p in curve.points],
                "itemStyle": {"color": OWN_COLOUR},
                "connectNulls": True,
                "markLine": _mean_line(),
            },
            {
                "name": _("班级平均"),
                "type": "line",
                "data": [_rounded(p.class_mean_t) for p in curve.points],
                "itemStyle": {"color": CLASS_COLOUR},
                "lineStyle": {"type": "dotted"},
            },
        ],
    }
    if shows_numbers:
        options["tooltip"] = {"trigger": "axis"}
    return options


def class_growth_chart(curve: ClassSubjectGrowth) -> Options:
    """The class's mean T-score per exam of one subject (the district's mean is 50)."""
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 45, "right": 20, "top": 25, "bottom": 60},
        "xAxis": {
            "type": "category",
            "data": [f"{p.held_on:%m-%d}\n{p.name}" for p in curve.points],
            "axisLabel": {"width": 110, "overflow": "truncate"},
        },
        "yAxis": {"type": "value", "scale": True, "name": _("标准分")},
        "series": [
            {
                "name": _("班级平均标准分"),
                "type": "line",
                "data": [_rounded(p.mean_t) for p in curve.points],
                "itemStyle": {"color": CLASS_COLOUR},
                "connectNulls": True,
                "markLine": _mean_line(),
            }
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
