"""Fairness of an estimator across groups of people: the same metric computed in each group
(AUC, calibration error, mean error, detection rates) and the largest gap between groups.

Every function takes flat arrays aligned row by row with ``groups`` (one label per row); groups
with no row are left out, and a metric that is undefined in a group (AUC without both classes,
precision without a positive prediction) is NaN there and takes no part in the gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from yincai.science.metrics import roc_auc

N_BINS = 10
TARGET_GAP = 0.02  # the goal: no metric differs by more than this between groups

Metric = Callable[[npt.NDArray[np.float64], npt.NDArray[np.float64]], float]


def calibration_error(
    truth: npt.ArrayLike, predicted: npt.ArrayLike, n_bins: int = N_BINS
) -> float:
    """Expected calibration error: Σ_bins share × |mean predicted − mean truth| over ``n_bins``
    equal-width bins of the predicted probability; ``truth`` is 0/1 or a true probability."""
    y = np.asarray(truth, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"truth and predicted must be equal-length 1-D, got {y.shape}, {p.shape}")
    if p.size == 0:
        return float("nan")
    bins = np.minimum((np.clip(p, 0.0, 1.0) * n_bins).astype(np.int64), n_bins - 1)
    total = 0.0
    for b in np.unique(bins).tolist():
        inside = bins == b
        total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return float(total)


def mean_error(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """Mean of predicted − truth: positive where the estimator overrates a group."""
    y = np.asarray(truth, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    return float(np.mean(p - y)) if p.size else float("nan")


def recall(truth: npt.ArrayLike, flagged: npt.ArrayLike) -> float:
    """Share of the true cases that are flagged (NaN without a true case)."""
    y, f = _flags(truth, flagged)
    return float(f[y].mean()) if y.any() else float("nan")


def precision(truth: npt.ArrayLike, flagged: npt.ArrayLike) -> float:
    """Share of the flagged that are true cases (NaN when nothing is flagged)."""
    y, f = _flags(truth, flagged)
    return float(y[f].mean()) if f.any() else float("nan")


def false_positive_rate(truth: npt.ArrayLike, flagged: npt.ArrayLike) -> float:
    """Share of the non-cases that are flagged (NaN without a non-case)."""
    y, f = _flags(truth, flagged)
    return float(f[~y].mean()) if (~y).any() else float("nan")


def by_group(
    metric: Metric,
    truth: npt.ArrayLike,
    predicted: npt.ArrayLike,
    groups: npt.ArrayLike,
    order: Sequence[str] | None = None,
) -> dict[str, float]:
    """``metric(truth, predicted)`` within each group, in ``order`` (default: sorted labels);
    groups of ``order`` with no row are left out."""
    y = np.asarray(truth, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    g = np.asarray(groups).astype(str)
    if not (y.shape == p.shape == g.shape) or y.ndim != 1:
        raise ValueError(f"truth, predicted, groups must be aligned 1-D: {y.shape} {p.shape}")
    labels = sorted(set(g.tolist())) if order is None else list(order)
    out: dict[str, float] = {}
    for label in labels:
        inside = g == label
        if inside.any():
            out[label] = float(metric(y[inside], p[inside]))
    return out


def group_auc(
    truth: npt.ArrayLike,
    predicted: npt.ArrayLike,
    groups: npt.ArrayLike,
    order: Sequence[str] | None = None,
) -> dict[str, float]:
    """AUC of ``predicted`` against the 0/1 ``truth`` within each group."""
    return by_group(roc_auc, truth, predicted, groups, order)


def group_calibration_error(
    truth: npt.ArrayLike,
    predicted: npt.ArrayLike,
    groups: npt.ArrayLike,
    order: Sequence[str] | None = None,
) -> dict[str, float]:
    """Expected calibration error within each group."""
    return by_group(calibration_error, truth, predicted, groups, order)


def group_mean_error(
    truth: npt.ArrayLike,
    predicted: npt.ArrayLike,
    groups: npt.ArrayLike,
    order: Sequence[str] | None = None,
) -> dict[str, float]:
    """Mean of predicted − truth within each group."""
    return by_group(mean_error, truth, predicted, groups, order)


def max_gap(values: Mapping[str, float]) -> float:
    """Largest difference between two groups' values (max − min over the finite ones); NaN
    with fewer than two finite values."""
    finite = [v for v in values.values() if np.isfinite(v)]
    return float(max(finite) - min(finite)) if len(finite) >= 2 else float("nan")


def widest_pair(values: Mapping[str, float]) -> tuple[str, str] | None:
    """The (lowest, highest) groups whose difference is the gap; None without two values."""
    finite = {k: v for k, v in values.items() if np.isfinite(v)}
    if len(finite) < 2:
        return None
    return min(finite, key=finite.__getitem__), max(finite, key=finite.__getitem__)


def _flags(
    truth: npt.ArrayLike, flagged: npt.ArrayLike
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    y = np.asarray(truth, dtype=np.float64) >= 0.5
    f = np.asarray(flagged, dtype=np.float64) >= 0.5
    if y.shape != f.shape:
        raise ValueError(f"truth and flagged must be aligned, got {y.shape}, {f.shape}")
    return y, f
