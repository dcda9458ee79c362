"""The joint-exam computation on constructed arrays: totals, ranks, 偏科, balance, bands."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pytest

from yincai.analysis.charts import COMPARISON_VISIBLE_ROWS, comparison_height, joint_charts
from yincai.analysis.exam import ReportScope
from yincai.analysis.joint import (
    JointData,
    build_joint_report,
    joint_scores,
    total_bands,
)
from yincai.rules import LOPSIDED_SPREAD, Thresholds, joint_totals, subject_profile

SUBJECTS = (("CHN", "语文", 120.0), ("MATH", "数学", 120.0), ("ENG", "英语", 100.0))


def joint_data(
    scores: npt.ArrayLike,
    *,
    class_of_student: npt.ArrayLike,
    school_of_class: dict[int, int] | None = None,
) -> JointData:
    """A joint exam of three subjects; classes belong to school 1 unless told otherwise."""
    matrix = np.asarray(scores, dtype=np.float64)
    classes = np.asarray(class_of_student, dtype=np.int64)
    schools = school_of_class or {int(c): 1 for c in np.unique(classes)}
    ids = np.arange(1, matrix.shape[0] + 1, dtype=np.int64)
    return JointData(
        joint_exam_id=1,
        code="J7-1",
        name="七年级期中考试",
        held_on=date(2026, 11, 12),
        grade_level=7,
        district_id=1,
        assessment_ids=[11, 12, 13],
        subject_codes=[s[0] for s in SUBJECTS],
        subject_names=[s[1] for s in SUBJECTS],
        full_scores=np.array([s[2] for s in SUBJECTS]),
        student_ids=ids,
        student_numbers=[f"S{i:03d}" for i in ids.tolist()],
        student_names=[f"学生{i}" for i in ids.tolist()],
        class_of_student=classes,
        school_of_student=np.array([schools[int(c)] for c in classes], dtype=np.int64),
        class_names={c: f"{c}班" for c in schools},
        school_of_class=schools,
        school_names={s: f"学校{s}" for s in set(schools.values())},
        scores=matrix,
    )


def test_total_is_the_sum_of_the_subjects_and_missing_a_subject_gives_no_total() -> None:
    totals = joint_totals([[100, 90, 80], [100, np.nan, 80], [0, 0, 0]])
    assert totals[0] == 270
    assert np.isnan(totals[1])
    assert totals[2] == 0


def test_ranks_share_ties_within_class_school_and_district() -> None:
    data = joint_data(
        [[100, 100, 80], [90, 110, 80], [90, 90, 80], [np.nan, 100, 90], [50, 50, 50]],
        class_of_student=[1, 1, 1, 2, 2],
    )
    computed = joint_scores(data)
    assert computed.totals[:2].tolist() == [280, 280]
    assert computed.district_rank.tolist() == [1, 1, 3, 0, 4]
    assert computed.class_rank.tolist() == [1, 1, 3, 0, 1]
    report = build_joint_report(data, computed, ReportScope(), thresholds=Thresholds())
    lines = report.students
    assert [line.total for line in lines] == [280, 280, 260, 150, None]
    absent = lines[-1]
    assert absent.missing == ["语文"] and absent.district_rank is None
    assert report.n_complete == 4 and report.n_incomplete == 1
    assert report.summary.mean == pytest.approx((280 + 280 + 260 + 150) / 4)
    hidden = build_joint_report(
        data, computed, ReportScope(), thresholds=Thresholds(), show_ranks=False
    )
    assert all(line.district_rank is None for line in hidden.students)


def test_a_student_strong_in_chinese_and_weak_in_maths_is_flagged_with_maths_named() -> None:
    rng = np.random.default_rng(3)
    scores = np.clip(rng.normal([80, 80, 70], [12, 12, 10], size=(60, 3)), 0, 100)
    scores[0] = [110, 40, 70]  # far above in 语文, far below in 数学
    scores[1] = [80, 80, 70]  # about the mean everywhere
    data = joint_data(scores, class_of_student=[1] * 30 + [2] * 30)
    computed = joint_scores(data)
    assert computed.is_lopsided[0] and not computed.is_lopsided[1]
    report = build_joint_report(data, computed, ReportScope(), thresholds=Thresholds())
    flagged = {line.student_id: line for line in report.lopsided}
    assert flagged[1].weak_subject == "数学" and flagged[1].strong_subject == "语文"
    assert flagged[1].spread is not None and flagged[1].spread >= LOPSIDED_SPREAD
    assert 2 not in flagged
    # strengths are z minus the student's own mean z: they sum to zero
    assert sum(s for s in flagged[1].strengths if s is not None) == pytest.approx(0.0)


def test_subject_profile_needs_two_subjects_and_uses_the_one_spread_rule() -> None:
    half = LOPSIDED_SPREAD / 2
    profile = subject_profile([[half, -half], [half - 0.1, -half], [1.0, np.nan]])
    assert profile.is_lopsided.tolist() == [True, False, False]
    assert profile.weakest.tolist() == [1, 1, -1]
    assert np.isnan(profile.spread[2])


def test_balanced_index_is_not_dominated_by_the_subject_with_the_widest_spread() -> None:
    # Class 1 is far ahead in maths (wide spread of points), behind in the other two; class 2
    # a little ahead in both others. Raw 总分 favours class 1, the balanced index class 2.
    rng = np.random.default_rng(0)
    n = 40
    chn = np.concatenate([rng.normal(80, 3, n), rng.normal(84, 3, n)])
    maths = np.concatenate([rng.normal(100, 15, n), rng.normal(80, 15, n)])
    eng = np.concatenate([rng.normal(70, 3, n), rng.normal(74, 3, n)])
    data = joint_data(np.column_stack([chn, maths, eng]), class_of_student=[1] * n + [2] * n)
    report = build_joint_report(data, joint_scores(data), ReportScope(), thresholds=Thresholds())
    rows = {row.group_id: row for row in report.classes}
    assert rows[1].total_rank == 1 and rows[2].total_rank == 2
    assert rows[2].balanced_rank == 1 and rows[1].balanced_rank == 2
    assert report.classes[0].group_id == 2  # sorted by the balanced index
    assert rows[1].subject_z[1] is not None and rows[1].subject_z[1] > 0


def test_class_scope_compares_the_classes_of_its_school_and_its_subject_stats() -> None:
    data = joint_data(
        [[100, 100, 90], [60, 70, 50], [80, 80, 70], [90, 90, 80]],
        class_of_student=[1, 1, 2, 3],
        school_of_class={1: 1, 2: 1, 3: 2},
    )
    report = build_joint_report(
        data, joint_scores(data), ReportScope("class", 1, 1), thresholds=Thresholds()
    )
    assert {row.group_id for row in report.classes} == {1, 2}
    assert [row.is_current for row in report.classes if row.group_id == 1] == [True]
    assert report.schools == []
    maths = report.subject_stats[1]
    assert maths.n_sat == 2 and maths.mean == 85
    assert maths.rates.n_excellent == 0 and maths.rates.n_pass == 1  # cut-offs 102, 72
    assert report.context_title == "学校1"


def test_total_bands_cover_the_full_score_in_at_most_twenty_bands() -> None:
    bands = total_bands(np.array([0.0, 339.0, 340.0, 15.0]), 340.0)
    assert bands[0].upper - bands[0].lower == 20.0 and len(bands) == 17
    assert sum(band.count for band in bands) == 4
    assert bands[-1].count == 2  # 339 and the full score
    odd = total_bands(np.array([555.0]), 555.0)
    assert odd[-1].upper == 555.0 and len(odd) <= 20


def test_the_class_comparison_chart_is_sorted_and_scrolls_beyond_twenty_classes() -> None:
    rng = np.random.default_rng(1)
    n_classes, per_class = 55, 6
    classes = np.repeat(np.arange(1, n_classes + 1), per_class)
    scores = rng.normal(70, 10, size=(classes.size, 3)) + classes[:, None] * 0.3
    data = joint_data(scores, class_of_student=classes)
    report = build_joint_report(data, joint_scores(data), ReportScope(), thresholds=Thresholds())
    chart = joint_charts(report)["classes"]
    values = [point["value"] for point in chart["series"][0]["data"]]
    assert values == sorted(values)  # drawn bottom-up: the best class on top
    assert len(chart["yAxis"]["data"]) == n_classes
    assert chart["dataZoom"][0]["yAxisIndex"] == 0
    assert comparison_height(n_classes) == comparison_height(COMPARISON_VISIBLE_ROWS)
    few = build_joint_report(
        joint_data(scores[:60], class_of_student=classes[:60]),
        joint_scores(joint_data(scores[:60], class_of_student=classes[:60])),
        ReportScope(),
        thresholds=Thresholds(),
    )
    assert "dataZoom" not in joint_charts(few)["classes"]
