from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yincai.analysis.exam import ReportScope, build_exam_report
from yincai.analysis.progress import PreviousExam, value_added
from yincai.rules import Thresholds, standardise

from .builders import exam_data


def test_value_added_matches_an_ordinary_least_squares_fit() -> None:
    rng = np.random.default_rng(5)
    before = rng.normal(size=300)
    groups = rng.integers(0, 6, 300)
    after = 0.8 * before + rng.normal(scale=0.5, size=300)
    found = value_added(before, after, groups, 6)
    slope, intercept = np.polyfit(before, after, 1)
    assert found.slope == pytest.approx(slope)
    assert found.intercept == pytest.approx(intercept)
    residual = pd.Series(after - (intercept + slope * before))
    expected = residual.groupby(groups).agg(["count", "mean", "sem"])
    assert found.group_n.tolist() == expected["count"].tolist()
    assert found.group_value_added == pytest.approx(expected["mean"].to_numpy())
    assert found.group_se == pytest.approx(expected["sem"].to_numpy())


def test_a_class_made_to_improve_shows_positive_value_added() -> None:
    rng = np.random.default_rng(11)
    n = 240
    classes = np.repeat([1, 2, 3, 4], n // 4)
    ability = rng.normal(size=n)
    before_totals = np.clip(np.round(60 + 15 * ability + rng.normal(0, 4, n)), 0, 100)
    boost = np.where(classes == 2, 12.0, 0.0)  # class 2 was taught well between the exams
    now = np.clip(np.round(60 + 15 * ability + boost + rng.normal(0, 4, n)), 0, 100)
    data = exam_data(now[:, None], [100.0], class_of_student=classes)
    previous = PreviousExam(
        code="T0", name="上次", full_score=100, student_ids=data.student_ids, totals=before_totals
    )
    report = build_exam_report(data, ReportScope(), thresholds=Thresholds(), previous=previous)
    assert report.progress is not None
    by_class = {group.name: group.value_added for group in report.progress.classes}
    assert by_class["2班"] is not None and by_class["2班"] > 0.3
    assert all(value is not None and value < 0 for name, value in by_class.items() if name != "2班")
    assert report.progress.n_matched == n
    assert sum(m.class_name == "2班" for m in report.progress.risers) >= 3
    z_change = standardise(now) - standardise(before_totals)
    top = report.progress.risers[0]
    assert top.z_change == pytest.approx(z_change[data.student_numbers.index(top.student_number)])


def test_students_absent_from_either_exam_are_left_out_of_value_added() -> None:
    classes = np.repeat([1, 2], 10)
    now = np.arange(20, dtype=float)[:, None]
    absent = np.zeros(20, dtype=bool)
    absent[0] = True
    data = exam_data(now, [30.0], class_of_student=classes, is_absent=absent)
    before = np.arange(20, dtype=float)
    before[5] = np.nan
    previous = PreviousExam("T0", "上次", 30.0, data.student_ids[::-1].copy(), before[::-1].copy())
    report = build_exam_report(data, ReportScope(), thresholds=Thresholds(), previous=previous)
    assert report.progress is not None
    assert report.progress.n_matched == 18
    assert [group.n_matched for group in report.progress.classes] == [8, 10]
