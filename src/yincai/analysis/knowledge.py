"""Knowledge-point score rates (知识点得分率) by group, weighted by the items' tags.

A group's rate on knowledge point k is sum_i w_ik * (points scored on item i) divided by
sum_i w_ik * (full score of item i) * (answers to item i), over the group's answered cells: an
item counts toward a point in proportion to its tag weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.analysis.totals import optional
from yincai.science.base import FloatArray


@dataclass(frozen=True)
class KpRow:
    """One knowledge point: its rate in the scope, in the reference, and in each group."""

    code: str
    name: str
    n_items: int
    score_rate: float | None
    reference_score_rate: float | None
    group_rates: list[float | None]


@dataclass(frozen=True)
class KpTable:
    """Knowledge-point rates; ``groups`` names the columns of every row's ``group_rates``."""

    groups: list[str]
    rows: list[KpRow]


def kp_score_rates(
    scores: FloatArray,
    full_scores: FloatArray,
    weights: FloatArray,
    groups: npt.ArrayLike,
    n_groups: int,
) -> FloatArray:
    """Weighted score rates (n_groups, n_kps).

    Parameters
    ----------
    scores : (n_students, n_items) NaN where not answered.
    full_scores : (n_items,).
    weights : (n_items, n_kps) tag weights, 0 where untagged.
    groups : (n_students,) group code 0 .. n_groups - 1.
    """
    codes = np.asarray(groups, dtype=np.int64)
    if scores.shape[0] != codes.size or weights.shape[0] != scores.shape[1]:
        raise ValueError(
            f"scores {scores.shape}, groups {codes.shape} and weights {weights.shape} disagree"
        )
    answered = ~np.isnan(scores)
    membership = np.zeros((n_groups, codes.size))
    membership[codes, np.arange(codes.size)] = 1.0
    points = membership @ np.where(answered, scores, 0.0)  # (n_groups, n_items)
    possible = (membership @ answered.astype(np.float64)) * full_scores
    numerator = points @ weights
    denominator = possible @ weights
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def kp_table(
    scores: FloatArray,
    full_scores: FloatArray,
    weights: FloatArray,
    *,
    codes: list[str],
    names: list[str],
    groups: npt.ArrayLike,
    group_names: list[str],
    reference: FloatArray | None = None,
) -> KpTable:
    """The scope's rates (all rows together), each group's, and a reference row (n_kps,)."""
    n_rows = scores.shape[0]
    overall = kp_score_rates(scores, full_scores, weights, np.zeros(n_rows, dtype=np.int64), 1)[0]
    by_group = kp_score_rates(scores, full_scores, weights, groups, len(group_names))
    base = reference if reference is not None else np.full(len(codes), np.nan)
    n_items = (weights > 0).sum(axis=0)
    return KpTable(
        groups=group_names,
        rows=[
            KpRow(
                code=codes[k],
                name=names[k],
                n_items=int(n_items[k]),
                score_rate=optional(overall[k]),
                reference_score_rate=optional(base[k]),
                group_rates=[optional(value) for value in by_group[:, k]],
            )
            for k in range(len(codes))
        ],
    )
