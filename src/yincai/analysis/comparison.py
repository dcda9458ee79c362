"""Comparison of groups (classes, schools) with the whole they belong to.

Each group is compared with the rest of the whole (the whole minus the group), so that the two
samples are independent: Cohen's d with the pooled SD, Hedges' g (small-sample corrected) and
Welch's t-test. The mean difference is reported against the whole itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from yincai.science.base import FloatArray, IntArray

SIGNIFICANCE_LEVEL = 0.05


@dataclass(frozen=True)
class GroupStatistics:
    """Arrays (n_groups,) for groups coded 0 .. n_groups - 1; NaN where undefined."""

    n: IntArray
    mean: FloatArray
    sd: FloatArray
    mean_difference: FloatArray
    cohens_d: FloatArray
    hedges_g: FloatArray
    t_statistic: FloatArray
    degrees_of_freedom: FloatArray
    p_value: FloatArray
    is_significant: npt.NDArray[np.bool_]


def _divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def compare_groups(
    values: npt.ArrayLike,
    groups: npt.ArrayLike,
    n_groups: int,
    *,
    significance_level: float = SIGNIFICANCE_LEVEL,
) -> GroupStatistics:
    """Each group against the rest of ``values``.

    Parameters
    ----------
    values : (n,) totals of the whole, no NaN.
    groups : (n,) group code 0 .. n_groups - 1 of each value.
    n_groups : number of groups (a group without values gets NaN statistics).
    significance_level : Welch's two-sided p-value below this is significant.
    """
    x = np.asarray(values, dtype=np.float64)
    codes = np.asarray(groups, dtype=np.int64)
    if x.ndim != 1 or codes.shape != x.shape:
        raise ValueError(
            f"values and groups must be 1-D of one length, got {x.shape}, {codes.shape}"
        )
    if codes.size and (codes.min() < 0 or codes.max() >= n_groups):
        raise ValueError(f"groups must lie in 0 .. {n_groups - 1}")
    n_group = np.bincount(codes, minlength=n_groups).astype(np.float64)
    centre = x.mean() if x.size else 0.0
    shifted = x - centre  # sums of squares about the overall mean stay well conditioned
    sum_group: FloatArray = np.bincount(codes, weights=shifted, minlength=n_groups).astype(float)
    square_group: FloatArray = np.bincount(codes, weights=shifted**2, minlength=n_groups).astype(
        float
    )
    n_rest = x.size - n_group
    sum_rest = shifted.sum() - sum_group
    square_rest = (shifted**2).sum() - square_group
    mean_group = _divide(sum_group, n_group)
    mean_rest = _divide(sum_rest, n_rest)
    ss_group = np.maximum(square_group - _divide(sum_group**2, n_group), 0.0)
    ss_rest = np.maximum(square_rest - _divide(sum_rest**2, n_rest), 0.0)
    var_group = _divide(ss_group, n_group - 1)
    var_rest = _divide(ss_rest, n_rest - 1)
    difference = mean_group - mean_rest
    pooled = np.sqrt(_divide(ss_group + ss_rest, n_group + n_rest - 2))
    d = _divide(difference, pooled)
    correction = 1.0 - 3.0 / (4.0 * (n_group + n_rest) - 9.0)  # Hedges (1981), J
    share_group = _divide(var_group, n_group)
    share_rest = _divide(var_rest, n_rest)
    standard_error = np.sqrt(share_group + share_rest)
    t = _divide(difference, standard_error)
    df = _divide(
        (share_group + share_rest) ** 2,
        _divide(share_group**2, n_group - 1) + _divide(share_rest**2, n_rest - 1),
    )
    defined = np.isfinite(t) & np.isfinite(df)
    p = np.full(n_groups, np.nan)
    p[defined] = 2.0 * stats.t.sf(np.abs(t[defined]), df[defined])
    return GroupStatistics(
        n=n_group.astype(np.int64),
        mean=mean_group + centre,
        sd=np.sqrt(var_group),
        mean_difference=mean_group,
        cohens_d=d,
        hedges_g=d * correction,
        t_statistic=t,
        degrees_of_freedom=df,
        p_value=p,
        is_significant=defined & (p < significance_level),
    )
