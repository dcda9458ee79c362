"""The heatmap reads with many students and points: rows and columns scroll, labels are cut,
the tooltip names the whole point; the family's growth chart has no numbers."""

from __future__ import annotations

from datetime import date

from yincai.analysis.growth import GrowthPoint, SubjectGrowth
from yincai.analysis.learner_charts import (
    BAND_ORDER,
    heatmap_height,
    mastery_heatmap,
    student_growth_chart,
)
from yincai.analysis.mastery_map import MapCell, MapColumn, MapRow, MasteryMap
from yincai.diagnosis.levels import MasteryBand
from yincai.i18n import Message


def _map(n_students: int, n_points: int) -> MasteryMap:
    columns = [
        MapColumn(k, f"K{k}", f"知识点名称很长的第 {k} 个知识点", True) for k in range(n_points)
    ]
    rows = [
        MapRow(
            s,
            f"S{s}",
            f"学生{s}",
            0.5,
            [MapCell(0.5, MasteryBand.BASIC)] * (n_points - 1)
            + [MapCell(None, MasteryBand.NOT_TAUGHT)],
        )
        for s in range(n_students)
    ]
    return MasteryMap(1, "七年级（1）班", "一中", "MATH", "数学", columns, rows, 0, False)


def test_a_big_class_scrolls_both_ways_with_full_names_in_the_tooltip() -> None:
    options = mastery_heatmap(_map(50, 42))
    data = options["series"][0]["data"]
    assert len(data) == 50 * 42
    assert {zoom.get("xAxisIndex") for zoom in options["dataZoom"]} >= {0}
    assert any("yAxisIndex" in zoom for zoom in options["dataZoom"])
    assert options["xAxis"]["axisLabel"]["overflow"] == "truncate"
    first = data[0]["name"]
    assert isinstance(first, Message) and "知识点名称很长的第 0 个知识点" in str(first)
    assert "50%" in str(first)
    assert data[41]["value"][2] == BAND_ORDER.index(MasteryBand.NOT_TAUGHT)
    assert "尚未学习" in str(data[41]["name"])
    assert heatmap_height(_map(50, 42)) == heatmap_height(_map(30, 42))  # the rest scrolls


def test_a_small_class_does_not_scroll() -> None:
    assert mastery_heatmap(_map(10, 8))["dataZoom"] == []


def test_the_family_growth_chart_shows_no_numbers() -> None:
    curve = SubjectGrowth(
        "MATH",
        "数学",
        [GrowthPoint(1, "E1", "期中", date(2026, 11, 1), 55.04, 51.0, None)],
        None,
        None,
    )
    family = student_growth_chart(curve, shows_numbers=False)
    teacher = student_growth_chart(curve, shows_numbers=True)
    assert family["yAxis"]["axisLabel"]["show"] is False and "tooltip" not in family
    assert teacher["series"][0]["data"] == [55.0] and "tooltip" in teacher
