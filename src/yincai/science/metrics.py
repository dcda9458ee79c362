"""Prediction metrics used by the benchmarks and the validation: AUC, accuracy, RMSE."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata


def roc_auc(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """Area under the ROC curve by the rank-sum (Mann–Whitney) formula; ties count one half.

    ``truth`` is 0/1 (or scores, where ≥ 0.5 counts as positive); NaN if one class is absent.
    """
    y = np.asarray(truth, dtype=np.float64) >= 0.5
    p = np.asarray(predicted, dtype=np.float64)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"truth and predicted must be equal-length 1-D, got {y.shape}, {p.shape}")
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(p)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def accuracy(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """Share of cells where (predicted ≥ 0.5) equals (truth ≥ 0.5)."""
    y = np.asarray(truth, dtype=np.float64) >= 0.5
    p = np.asarray(predicted, dtype=np.float64) >= 0.5
    return float((y == p).mean())


def rmse(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
    """Root mean squared error between the observed score (0–1) and the prediction."""
    y = np.asarray(truth, dtype=np.float64)
    p = np.asarray(predicted, dtype=np.float64)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def within_row_spearman(
    truth: npt.ArrayLike, predicted: npt.ArrayLike, mask: npt.ArrayLike
) -> float:
    """Mean over rows (students) of the Spearman correlation of ``predicted`` with ``truth`` over
    the row's masked cells (its own knowledge points): how well one student's points are ranked.
    Rows with fewer than three cells, or constant in either, are left out; NaN if none is left."""
    y, p, m = (np.asarray(a) for a in (truth, predicted, mask))
    values = []
    for row in range(y.shape[0]):
        cells = m[row].astype(bool)
        if cells.sum() < 3:
            continue
        ranks_y, ranks_p = rankdata(y[row, cells]), rankdata(p[row, cells])
        if ranks_y.std() == 0 or ranks_p.std() == 0:
            continue
        values.append(float(np.corrcoef(ranks_y, ranks_p)[0, 1]))
    return float(np.mean(values)) if values else float("nan")


def within_row_auc(truth: npt.ArrayLike, predicted: npt.ArrayLike, mask: npt.ArrayLike) -> float:
    """Mean over rows of the AUC of ``predicted`` for ``truth ≥ 0.5`` over the row's masked cells;
    rows with only one class are left out (a constant prediction scores 0.5)."""
    y, p, m = (np.asarray(a) for a in (truth, predicted, mask))
    values = [
        roc_auc(y[row, cells], p[row, cells])
        for row in range(y.shape[0])
        if (cells := m[row].astype(bool)).any()
    ]
    finite = [v for v in values if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")
