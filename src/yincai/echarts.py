"""Shared layout of the ECharts options every capability draws, so charts stay readable at any size.

A chart of groups (classes, schools, knowledge points) must read as well for 50+ rows as for 5:
long names are truncated on the axis (the tooltip shows them whole), labels are never clipped
(``containLabel``), axis titles sit beside the axis instead of over the labels, and a long ranking
is drawn as horizontal bars, sorted, one row per group, scrolling past ``VISIBLE_ROWS``.
"""

from __future__ import annotations

from typing import Any

Options = dict[str, Any]

ROW_HEIGHT_PX = 22  # one horizontal bar with its label
VISIBLE_ROWS = 25  # rows drawn at once; more scroll (a slider beside the bars, or the wheel)
MIN_HEIGHT_PX = 220
LABEL_WIDTH_PX = 140  # a category label longer than this is cut with "…"


def grid(*, top: int = 30, right: int = 30, bottom: int = 20, left: int = 10) -> Options:
    """A grid whose margins include the axis labels, so none is cut at the chart's edge."""
    return {"left": left, "right": right, "top": top, "bottom": bottom, "containLabel": True}


def category_label(width: int = LABEL_WIDTH_PX, *, rotate: int = 0) -> Options:
    """Every label shown (no skipping), cut to ``width`` pixels with an ellipsis."""
    return {"interval": 0, "width": width, "overflow": "truncate", "rotate": rotate}


def category_axis(labels: list[str], *, width: int = LABEL_WIDTH_PX, **extra: Any) -> Options:
    """A category axis of ``labels``, each shown and cut to ``width`` pixels."""
    axis: Options = {"type": "category", "data": labels, "axisLabel": category_label(width)}
    axis.update(extra)
    return axis


def value_axis(name: str = "", *, gap: int = 26, **extra: Any) -> Options:
    """A value axis whose title is centred along it, clear of the tick labels."""
    axis: Options = {"type": "value", "name": name, "nameLocation": "middle", "nameGap": gap}
    axis.update(extra)
    return axis


def ranked_height(n_rows: int) -> int:
    """The height (px) of a horizontal ranking: one row each, up to ``VISIBLE_ROWS``."""
    return max(MIN_HEIGHT_PX, 70 + ROW_HEIGHT_PX * min(n_rows, VISIBLE_ROWS))


def scrolling(n_rows: int, *, axis: str = "y") -> list[Options]:
    """dataZoom components that show the first ``VISIBLE_ROWS`` categories and scroll the rest
    (none when everything fits)."""
    if n_rows <= VISIBLE_ROWS:
        return []
    index = {"yAxisIndex": 0} if axis == "y" else {"xAxisIndex": 0}
    window = {"startValue": 0, "endValue": VISIBLE_ROWS - 1}
    slider = {"type": "slider", **index, **window, "width" if axis == "y" else "height": 14}
    if axis == "y":
        slider["right"] = 4
    return [slider, {"type": "inside", **index, **window, "zoomOnMouseWheel": False}]


def ranked_bars(
    labels: list[str],
    series: list[Options],
    *,
    value_name: str = "",
    legend: list[Any] | None = None,
    value_axis_extra: Options | None = None,
    second_value_axis: Options | None = None,
) -> Options:
    """Horizontal bars, one row per label in the given order (best first at the top), readable
    for any number of rows; the element takes the height of ``ranked_height`` (charts.js reads
    ``yincaiHeight``)."""
    options: Options = {
        "yincaiHeight": ranked_height(len(labels)),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": grid(
            top=(36 if legend else 24) + (30 if second_value_axis else 0),
            right=40 if len(labels) > VISIBLE_ROWS else 24,
        ),
        "xAxis": value_axis(value_name, **(value_axis_extra or {}))
        if second_value_axis is None
        else [value_axis(value_name, **(value_axis_extra or {})), second_value_axis],
        "yAxis": category_axis(labels, inverse=True),
        "series": series,
    }
    if legend:
        options["legend"] = {"top": 0, "data": legend}
    zoom = scrolling(len(labels))
    if zoom:
        options["dataZoom"] = zoom
    return options
