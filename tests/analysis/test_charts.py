"""The analysis charts are pure functions of a report: same numbers as the report, in percent."""

from __future__ import annotations

import numpy as np

from yincai.analysis.charts import exam_charts, student_charts
from yincai.analysis.exam import ReportScope, build_exam_report
from yincai.analysis.student import KpMastery, TrendPoint, build_student_report
from yincai.rules import Thresholds

from .builders import exam_data


def _data():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    full = np.array([4.0, 6.0, 10.0])
    return exam_data(
        np.round(rng.random((24, 3)) * full),
        full,
        class_of_student=np.repeat([1, 2, 3], 8),
        kp_weights=[[1, 0], [0, 1], [0.5, 0.5]],
    )


def test_the_exam_charts_draw_the_reports_own_numbers() -> None:
    report = build_exam_report(_data(), ReportScope(), thresholds=Thresholds())
    charts = exam_charts(report)
    assert set(charts) == {"distribution", "groups", "knowledge"}
    bars = charts["distribution"]["series"][0]["data"]
    assert bars == [band.count for band in report.distribution]
    assert sum(bars) == report.summary.n_participants
    means, excellent, passing = charts["groups"]["series"]
    ranked = sorted(report.classes, key=lambda g: -(g.mean or 0.0))  # best class first
    assert means["data"] == [group.mean for group in ranked]
    assert excellent["xAxisIndex"] == passing["xAxisIndex"] == 1  # rates on the % axis
    assert passing["data"] == [
        None if g.pass_rate is None else round(100 * g.pass_rate, 1) for g in ranked
    ]
    cells = charts["knowledge"]["series"][0]["data"]
    assert len(cells) == len(report.knowledge.rows) * len(report.knowledge.groups)
    assert all(0 <= cell[2] <= 100 for cell in cells if cell[2] is not None)


def test_the_student_charts_sort_mastery_weakest_first_and_skip_what_is_missing() -> None:
    mastery = [
        KpMastery("K1", "方程", 0.8, 0.3, 0.7, 0.9, 5, "熟练"),
        KpMastery("K2", "函数", 0.35, 0.5, 0.2, 0.5, 4, "需要巩固"),
    ]
    report = build_student_report(_data(), 0, audience="family", mastery=mastery)
    trend = [TrendPoint("2026-03-01", "月考", 0.625), TrendPoint("2026-04-01", "期中", None)]
    charts = student_charts(report, trend)
    assert charts["trend"]["series"][0]["data"] == [62.5, None]
    assert charts["mastery"]["yAxis"]["data"] == ["函数", "方程"]
    assert charts["mastery"]["series"][0]["data"] == [35.0, 80.0]
    assert student_charts(build_student_report(_data(), 0, audience="family"), []) == {}


def test_a_comparison_of_fifty_five_classes_is_sorted_scrolls_and_cuts_no_label() -> None:
    rng = np.random.default_rng(8)
    full = np.array([10.0, 10.0])
    n_classes = 55
    data = exam_data(
        np.round(rng.random((n_classes * 6, 2)) * full),
        full,
        class_of_student=np.repeat(np.arange(1, n_classes + 1), 6),
        kp_weights=[[1], [1]],
    )
    report = build_exam_report(data, ReportScope(), thresholds=Thresholds())
    groups = exam_charts(report)["groups"]
    means = groups["series"][0]["data"]
    assert len(means) == n_classes
    assert means == sorted(means, reverse=True)
    assert groups["yAxis"]["type"] == "category" and groups["yAxis"]["inverse"] is True
    assert groups["yAxis"]["axisLabel"]["interval"] == 0  # no class label skipped
    assert groups["yAxis"]["axisLabel"]["overflow"] == "truncate"
    assert groups["grid"]["containLabel"] is True  # labels inside the chart, never clipped
    slider, _wheel = groups["dataZoom"]
    assert slider["endValue"] - slider["startValue"] + 1 < n_classes  # the rest scrolls
    assert 300 <= groups["yincaiHeight"] <= 800
