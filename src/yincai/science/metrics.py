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
