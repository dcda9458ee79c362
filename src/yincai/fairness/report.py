"""The fairness report's rows: each metric within each group of students and the largest gap
between groups, computed by ``science.fairness`` (the one place of every formula) on the
observed outcomes of ``fairness.outcomes``; and the words that say what a gap above the target
means.

Small groups are not shown: a group counts fewer than ``min_group`` students (the export's
smallest cell, ``Settings.export_min_group``) among those a metric is a share of — every student
for the mastery metrics and the warnings' mean error, those whose results fell for the recall,
those warned for the precision, the others for the false-positive rate — is left out of its row
and of the row's gap, and named as hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from yincai.fairness.outcomes import FloatArray, Outcomes
from yincai.i18n import Message, _
from yincai.science import fairness
from yincai.science.fairness import TARGET_GAP
from yincai.science.metrics import roc_auc

Metric = Callable[[FloatArray, FloatArray], float]


@dataclass(frozen=True)
class Case:
    """One metric of one section: how it is computed and whose students size a group."""

    metric: str
    compute: Metric
    counted: str  # "all", "positive" (truth 1), "flagged" (predicted 1), "negative" (truth 0)


MASTERY = (
    Case("auc", roc_auc, "all"),
    Case("calibration_error", fairness.calibration_error, "all"),
    Case("mean_error", fairness.mean_error, "all"),
)
WARNINGS = (
    Case("recall", fairness.recall, "positive"),
    Case("precision", fairness.precision, "flagged"),
    Case("false_positive_rate", fairness.false_positive_rate, "negative"),
    Case("mean_error", fairness.mean_error, "all"),
)
SCORE = (Case("auc", roc_auc, "positive"),)
SECTIONS: dict[str, tuple[Case, ...]] = {
    "mastery": MASTERY,
    "decline": WARNINGS,
    "decline_score": SCORE,
    "absence": WARNINGS,
}
GROUP_ORDER = {
    "setting": ("urban", "township", "rural"),
    "stage": ("primary", "junior", "nine_year", "senior"),
    "gender": ("male", "female"),
    "activities": ("many", "others"),
}

# What a gap above the target means, per section and metric: {low} and {high} are the groups
# with the lowest and the highest value, {gap} the difference.
GAP_WORDS: dict[tuple[str, str], Message] = {
    ("mastery", "auc"): _("掌握度对{low}学生答题对错的区分能力（AUC）比{high}学生低 {gap}"),
    ("mastery", "calibration_error"): _(
        "{high}学生的预测答对率偏离实际更多：校准误差比{low}学生大 {gap}"
    ),
    ("mastery", "mean_error"): _(
        "与{high}学生相比，{low}学生的掌握度被低估 {gap}（预测答对率减实际得分率）"
    ),
    ("decline", "recall"): _("{low}学生中成绩下滑者被预警的比例比{high}学生低 {gap}"),
    ("decline", "precision"): _("对{low}学生的下滑预警中，成绩确实下滑的比例比{high}学生低 {gap}"),
    ("decline", "false_positive_rate"): _(
        "{high}学生中成绩没有下滑却被预警的比例比{low}学生高 {gap}"
    ),
    ("decline", "mean_error"): _("{high}学生被预警的比例减实际下滑比例，比{low}学生高 {gap}"),
    ("decline_score", "auc"): _("下滑综合信号对{low}学生的排序能力（AUC）比{high}学生低 {gap}"),
    ("absence", "recall"): _("{low}学生中缺考者事先被预警的比例比{high}学生低 {gap}"),
    ("absence", "precision"): _("对{low}学生的缺考预警中，确实缺考的比例比{high}学生低 {gap}"),
    ("absence", "false_positive_rate"): _("{high}学生中没有缺考却被预警的比例比{low}学生高 {gap}"),
    ("absence", "mean_error"): _("{high}学生被预警缺考的比例减实际缺考比例，比{low}学生高 {gap}"),
}


def section_rows(
    section: str, outcomes: Outcomes, dimensions: tuple[str, ...], *, min_group: int
) -> list[dict[str, Any]]:
    """One row per metric of ``section`` and dimension: the groups shown with their value and
    size, the groups hidden, the largest gap among those shown and whether it meets the target."""
    rows = []
    for case in SECTIONS[section]:
        counted = _counted(case.counted, outcomes)
        for dim in dimensions:
            labels = outcomes.groups[dim]
            present = [g for g in GROUP_ORDER[dim] if (labels == g).any()]
            sizes = {g: _n_students(outcomes, counted & (labels == g)) for g in present}
            shown = [g for g in present if sizes[g] >= min_group]
            values = fairness.by_group(
                case.compute, outcomes.truth, outcomes.predicted, labels, shown
            )
            rows.append(_row(section, case.metric, dim, values, sizes, outcomes, labels, shown))
    return rows


def _row(
    section: str,
    metric: str,
    dim: str,
    values: dict[str, float],
    sizes: dict[str, int],
    outcomes: Outcomes,
    labels: Any,
    shown: list[str],
) -> dict[str, Any]:
    gap = fairness.max_gap(values)
    pair = fairness.widest_pair(values)
    return {
        "section": section,
        "metric": metric,
        "dimension": dim,
        "groups": [
            {
                "label": g,
                "value": _number(values.get(g, float("nan"))),
                "n": sizes[g],
                "n_rows": int((labels == g).sum()),
            }
            for g in shown
        ],
        "hidden": [g for g in sizes if g not in shown],
        "max_gap": _number(gap),
        "low": pair[0] if pair else None,
        "high": pair[1] if pair else None,
        "meets_target": bool(gap <= TARGET_GAP) if np.isfinite(gap) else None,
        "n_students": _n_students(outcomes, np.ones(outcomes.truth.size, dtype=bool)),
    }


def _counted(kind: str, outcomes: Outcomes) -> Any:
    positive = outcomes.truth >= 0.5
    if kind == "positive":
        return positive
    if kind == "negative":
        return ~positive
    if kind == "flagged":
        return outcomes.predicted >= 0.5
    return np.ones(outcomes.truth.size, dtype=bool)


def _n_students(outcomes: Outcomes, mask: Any) -> int:
    return int(np.unique(outcomes.student_id[mask]).size)


def _number(value: float) -> float | None:
    return round(float(value), 4) if np.isfinite(value) else None
