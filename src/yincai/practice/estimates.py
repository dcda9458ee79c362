"""The numbers behind each choice: mastery level, predicted success and item information.

They rest on the diagnosis's calibrated :class:`~yincai.science.mastery.MasteryModel` (each item's
discrimination ``a``, difficulty ``b``, guessing floor ``c`` and tag weights) and on a student's
posterior of each knowledge point's mastery logit, ``z ~ N(mean, sd²)``:

* the *level* of a point and its interval come from ``diagnosis.levels`` (one quantity for every
  surface), and the posterior itself from the diagnosis service (one loader of evidence);
* the *predicted success* on item ``i`` is ``c + (1 - c) Σ_k w_ik E[σ(a (z_k - b))]``;
* the *information* of an item about a point is the Fisher information of its score about ``z_k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from yincai.science.mastery import MasteryModel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PROBIT_VARIANCE = np.pi / 8  # E[σ(x)] ≈ σ(μ / √(1 + π σ² / 8)) for x ~ N(μ, σ²)
EPS = 1e-9


def expected_sigmoid(mean: npt.ArrayLike, variance: npt.ArrayLike) -> FloatArray:
    """``E[σ(x)]`` for ``x ~ N(mean, variance)`` by the probit approximation, elementwise."""
    mean_, variance_ = np.asarray(mean, dtype=np.float64), np.asarray(variance, dtype=np.float64)
    value: FloatArray = expit(mean_ / np.sqrt(1.0 + PROBIT_VARIANCE * variance_))
    return value


@dataclass(frozen=True)
class ItemParameters:
    """Calibrated items: ``a``, ``b``, ``c`` (n_items,) and tag weights (n_items, n_kps), rows
    summing to 1, as the mastery model learnt them."""

    discrimination: FloatArray
    difficulty: FloatArray
    guessing: FloatArray
    q_weights: FloatArray

    @classmethod
    def of(cls, model: MasteryModel) -> ItemParameters:
        return cls(
            discrimination=np.asarray(model.discrimination_, dtype=np.float64),
            difficulty=np.asarray(model.difficulty_, dtype=np.float64),
            guessing=np.asarray(model.guessing_, dtype=np.float64),
            q_weights=np.asarray(model.q_weights_, dtype=np.float64),
        )


def predicted_success(
    params: ItemParameters, logit_mean: FloatArray, logit_sd: FloatArray, items: IntArray
) -> FloatArray:
    """P(answering right), shape (n_students, n_selected), averaged over the mastery posterior.

    Parameters
    ----------
    params : ItemParameters
    logit_mean, logit_sd : FloatArray, shape (n_students, n_kps)
    items : IntArray, shape (n_selected,)
        Item indices into ``params``.
    """
    rows, kps = np.nonzero(params.q_weights[items])
    a = params.discrimination[items][rows]
    b = params.difficulty[items][rows]
    weight = params.q_weights[items][rows, kps]
    share = expected_sigmoid(a * (logit_mean[:, kps] - b), np.square(a * logit_sd[:, kps]))
    spread = np.zeros((rows.size, items.size))
    spread[np.arange(rows.size), rows] = weight
    c = params.guessing[items]
    success: FloatArray = c + (1.0 - c) * (share @ spread)
    return np.clip(success, 0.0, 1.0)


def item_information(
    params: ItemParameters, logit_mean: FloatArray, items: IntArray, kp: int
) -> FloatArray:
    """Fisher information of each item's score about point ``kp``'s logit at each student's
    posterior mean, shape (n_students, n_selected); ``logit_mean`` is (n_students, n_kps)."""
    a = params.discrimination[items]
    b = params.difficulty[items]
    c = params.guessing[items]
    q = params.q_weights[items]
    solve = expit(a[None, :, None] * (logit_mean[:, None, :] - b[None, :, None]))
    success = c + (1.0 - c) * np.einsum("sik,ik->si", solve, q)
    at_kp = solve[:, :, kp]
    slope = (1.0 - c) * q[:, kp] * a * at_kp * (1.0 - at_kp)
    information: FloatArray = slope**2 / np.maximum(success * (1.0 - success), EPS)
    return information
