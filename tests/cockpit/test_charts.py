"""The cockpit charts are pure functions of the cockpit's numbers."""

from __future__ import annotations

from yincai.cockpit import indicators
from yincai.cockpit.charts import SETTING_COLOURS, cockpit_charts
from yincai.cockpit.service import Cockpit


def _cockpit(*, with_equity: bool) -> Cockpit:
    trends = [
        indicators.TrendPoint(1, "第1次", 0.98, 0.61, 0.7, 0.2, 0.1, 0.3),
        indicators.TrendPoint(2, "第2次", 0.97, None, 0.72, 0.25, 0.12, 0.31),
    ]
    schools = [
        indicators.SchoolQuality(1, "S1", "城区一中", "urban", 300, 0.7, 0.8, 0.2, 0.3, 0.1),
        indicators.SchoolQuality(2, "S2", "乡村中学", "rural", 100, 0.5, 0.6, 0.1, -0.4, None),
    ]
    kps = [indicators.KpQuality(9, "K9", "一次函数", 0.42, 0.5, None, 0.3)]
    equity = indicators.Equity(0.25, 0.2, 0.12, 0.31, 0.7) if with_equity else None
    kpis = indicators.Kpis(2, 10, 400, 2, "第2次", 0.97, 0.72, 0.6, 0.2)
    classes = [
        indicators.ClassQuality(5, "七年级(1)班", 7, 40, 0.6, 0.7, 0.1, -0.2, 0.0),
        indicators.ClassQuality(6, "七年级(2)班", 7, 42, 0.7, 0.8, 0.2, 0.4, 0.1),
    ]
    scope = "district" if with_equity else "school"
    return Cockpit(
        scope, "某区", kpis, schools, [] if with_equity else classes, kps, equity, trends
    )


def test_the_charts_show_rates_in_percent_and_colour_schools_by_setting() -> None:
    charts = cockpit_charts(_cockpit(with_equity=True))
    assert set(charts) == {"trend", "schools", "kps", "equity"}
    score, passing, participation = charts["trend"]["series"]
    assert score["data"] == [61.0, None] and passing["data"] == [70.0, 72.0]
    assert participation["data"] == [98.0, 97.0]
    urban, rural = charts["schools"]["series"]  # one series per setting, named in the legend
    assert charts["schools"]["legend"]["data"] == [urban["name"], rural["name"]]
    assert urban["data"] == [0.3, None] and rural["data"] == [None, -0.4]  # best school first
    assert rural["itemStyle"]["color"] == SETTING_COLOURS["rural"]
    assert urban["stack"] == rural["stack"]  # one bar per row
    assert charts["kps"]["series"][0]["data"] == [42.0]
    assert charts["equity"]["series"][0]["data"] == [0.2, 0.25]  # gaps stay in standard units


def test_a_school_view_compares_its_classes_best_first_and_has_no_equity_chart() -> None:
    charts = cockpit_charts(_cockpit(with_equity=False))
    assert "equity" not in charts
    assert charts["classes"]["yAxis"]["data"] == ["七年级(2)班", "七年级(1)班"]
    assert charts["classes"]["series"][0]["data"] == [0.4, -0.2]
