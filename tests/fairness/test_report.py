"""The report's rows are ``science.fairness`` on the same arrays; small groups are hidden and take
no part in the gap; a gap above the target is put into words."""

from __future__ import annotations

import numpy as np

from yincai.fairness.outcomes import Outcomes
from yincai.fairness.report import GAP_WORDS, section_rows
from yincai.science import fairness


def _outcomes(seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    n_students, per_student = 90, 6
    student = np.repeat(np.arange(n_students), per_student)
    setting = np.array(["urban"] * 50 + ["township"] * 35 + ["rural"] * 5)[student]
    gender = np.array(["male", "female"] * (n_students // 2))[student]
    truth = rng.uniform(size=student.size)
    bias = np.where(setting == "township", -0.08, 0.0)  # township rated too low
    predicted = np.clip(truth + bias + rng.normal(0, 0.1, student.size), 0, 1)
    return Outcomes(student, truth, predicted, {"setting": setting, "gender": gender})


def test_each_value_is_science_fairness_on_the_same_arrays() -> None:
    data = _outcomes()
    rows = section_rows("mastery", data, ("setting", "gender"), min_group=1)
    by_key = {(r["metric"], r["dimension"]): r for r in rows}
    for metric, expected_of in (
        ("auc", fairness.group_auc),
        ("calibration_error", fairness.group_calibration_error),
        ("mean_error", fairness.group_mean_error),
    ):
        for dim in ("setting", "gender"):
            expected = expected_of(data.truth, data.predicted, data.groups[dim])
            row = by_key[(metric, dim)]
            shown = {g["label"]: g["value"] for g in row["groups"]}
            assert shown == {k: round(v, 4) for k, v in expected.items()}
            assert row["max_gap"] == round(fairness.max_gap(expected), 4)
    mean_error = by_key[("mean_error", "setting")]
    assert mean_error["low"] == "township" and mean_error["meets_target"] is False
    sizes = {g["label"]: g["n"] for g in mean_error["groups"]}
    assert sizes == {"urban": 50, "township": 35, "rural": 5}  # students, not answers
    assert "{low}" in GAP_WORDS[("mastery", "mean_error")].msgid


def test_groups_below_the_smallest_size_are_hidden_and_left_out_of_the_gap() -> None:
    data = _outcomes()
    rows = section_rows("mastery", data, ("setting",), min_group=10)
    row = next(r for r in rows if r["metric"] == "mean_error")
    assert [g["label"] for g in row["groups"]] == ["urban", "township"]
    assert row["hidden"] == ["rural"]
    inside = data.groups["setting"] != "rural"
    expected = fairness.group_mean_error(
        data.truth[inside], data.predicted[inside], data.groups["setting"][inside]
    )
    assert row["max_gap"] == round(fairness.max_gap(expected), 4)


def test_a_warning_metric_counts_only_the_students_it_is_a_share_of() -> None:
    student = np.arange(40)
    group = np.array(["urban"] * 20 + ["rural"] * 20)
    fell = np.zeros(40)
    fell[:12] = 1  # 12 urban students fell, no rural one
    warned = np.zeros(40)
    warned[:6] = 1
    data = Outcomes(student, fell, warned, {"setting": group})
    rows = section_rows("decline", data, ("setting",), min_group=5)
    recall = next(r for r in rows if r["metric"] == "recall")
    assert [(g["label"], g["value"], g["n"]) for g in recall["groups"]] == [("urban", 0.5, 12)]
    assert recall["hidden"] == ["rural"] and recall["max_gap"] is None
    false_alarms = next(r for r in rows if r["metric"] == "false_positive_rate")
    assert {g["label"]: g["n"] for g in false_alarms["groups"]} == {"urban": 8, "rural": 20}
