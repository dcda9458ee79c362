"""Forgetting: a point's mastery drifts down between the responses that show it and now.

A response seen ``age`` weeks ago tells about the mastery logit then; today's logit is lower by
``rate × age`` (a linear drift, fine over one school year). The rate is learnt from the data
itself: within each (student, knowledge point) pair, how a response's score, above or below its
item's mean, changes with its age; the slope, in score units per week, is turned into logits by
each item's own slope ``a p (1 - p)``. Comparing responses *within* a pair removes ability and
aptitude, and comparing them with their item's mean removes item difficulty.

A student's estimate of a point then moves by ``rate × (mean day of the pair's evidence − mean day
of all evidence) / 7``: points last seen long ago rank lower than points just practised at the
same score, as they do in class, while the population's level stays where the calibration put it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from yincai.science.base import FloatArray, IntArray

MAX_RATE = 0.2  # logits per week: beyond this the estimate is noise, not forgetting
MIN_PAIRS = 20  # pairs with responses of different ages needed to estimate a rate


def forgetting_rate(
    students: IntArray,
    items: IntArray,
    scores: FloatArray,
    ages: FloatArray,
    q_weights: FloatArray,
    discrimination: FloatArray,
) -> float:
    """Logits of mastery lost per week, in [0, MAX_RATE].

    Parameters
    ----------
    students, items : IntArray, shape (n_responses,)
    scores : FloatArray, shape (n_responses,)
        Score ÷ full score.
    ages : FloatArray, shape (n_responses,)
        Weeks between each response and now.
    q_weights : FloatArray, shape (n_items, n_kps)
        Each response counts for the point its item weighs most.
    discrimination : FloatArray, shape (n_items,)
    """
    if scores.size == 0:
        return 0.0
    n_items, n_kps = q_weights.shape
    counts = np.bincount(items, minlength=n_items).astype(np.float64)
    item_mean = np.bincount(items, weights=scores, minlength=n_items) / np.maximum(counts, 1.0)
    residual = scores - item_mean[items]
    pair = students.astype(np.int64) * n_kps + q_weights[items].argmax(axis=1)
    _, inverse = np.unique(pair, return_inverse=True)
    n_in_pair = np.bincount(inverse).astype(np.float64)
    centred_residual = residual - (np.bincount(inverse, weights=residual) / n_in_pair)[inverse]
    centred_age = ages - (np.bincount(inverse, weights=ages) / n_in_pair)[inverse]
    spread = float(np.sum(centred_age**2))
    n_varied = int(np.sum(np.bincount(inverse, weights=np.abs(centred_age)) > 0))
    if spread <= 0 or n_varied < MIN_PAIRS:
        return 0.0
    slope = float(np.sum(centred_residual * centred_age)) / spread  # score per week of age
    p = np.clip(item_mean[items], 0.02, 0.98)
    logit_per_score = 1.0 / float(np.mean(discrimination[items] * p * (1.0 - p)))
    return float(np.clip(slope * logit_per_score, 0.0, MAX_RATE))


def recency_shift(
    students: IntArray,
    items: IntArray,
    days: FloatArray,
    weights: FloatArray,
    q_weights: FloatArray,
    n_students: int,
    *,
    rate: float,
    reference_day: float,
) -> FloatArray:
    """Logits to add to each (student, point): ``rate`` × weeks between the mean day of its
    evidence (weighted as the posterior weighs it: trials × tag weight) and ``reference_day``;
    0 where there is none. Shape (n_students, n_kps)."""
    n_items = q_weights.shape[0]
    tags = sp.csr_matrix(q_weights)
    weight = sp.csr_matrix((weights, (students, items)), shape=(n_students, n_items)) @ tags
    dated = sp.csr_matrix((weights * days, (students, items)), shape=(n_students, n_items)) @ tags
    total = np.asarray(weight.todense())
    mean_day = np.asarray(dated.todense()) / np.maximum(total, 1e-12)
    shift: FloatArray = np.where(total > 0, rate * (mean_day - reference_day) / 7.0, 0.0)
    return shift
