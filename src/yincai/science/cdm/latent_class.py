"""The EM machinery that DINA and G-DINA share: latent attribute classes, posteriors, the fit loop.

Every student belongs to one of the ``2**n_kps`` attribute patterns (latent classes). A model
only says how likely a right answer is in each class, ``success`` (n_items, n_classes); the rest
(E-step over classes, class priors, predictions, convergence) lives here.
"""

from __future__ import annotations

import warnings
from typing import Self

import numpy as np
import numpy.typing as npt

from yincai.science.base import (
    ConvergenceWarning,
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
    check_random_state,
)
from yincai.science.validation import check_q_matrix, check_responses

MAX_KPS = 14  # 2**14 classes × students already fills memory; beyond, use QMIRT
PROBABILITY_FLOOR = 1e-4  # keeps log P finite when an item is answered the same way by everyone
CLASS_PRIOR_PSEUDO_COUNT = 1e-2  # Dirichlet smoothing, so an empty class keeps a sliver of mass


def attribute_patterns(n_kps: int) -> IntArray:
    """All ``2**n_kps`` mastery patterns, shape (n_classes, n_kps); row c is c written in binary."""
    if not 1 <= n_kps <= MAX_KPS:
        raise ValueError(f"q_matrix must have 1 to {MAX_KPS} knowledge points, got {n_kps}")
    codes = np.arange(2**n_kps, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n_kps)) & 1).astype(np.int64)


def class_log_likelihood(scores: FloatArray, success: FloatArray) -> FloatArray:
    """Log-likelihood of each student's answers in each class, shape (n_students, n_classes).

    ``scores`` (n_students, n_items) in [0, 1] with NaN for missing cells (which count nothing);
    a partial score y counts as the fractional Bernoulli y·log P + (1 − y)·log(1 − P).
    """
    observed = ~np.isnan(scores)
    right = np.where(observed, scores, 0.0)
    wrong = np.where(observed, 1.0 - scores, 0.0)
    p = np.clip(success, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
    result: FloatArray = right @ np.log(p) + wrong @ np.log1p(-p)
    return result


def class_posterior(
    scores: FloatArray, success: FloatArray, log_prior: FloatArray
) -> tuple[FloatArray, float]:
    """Posterior over classes (n_students, n_classes) and the total marginal log-likelihood."""
    weights = class_log_likelihood(scores, success)
    weights += log_prior
    peak = weights.max(axis=1, keepdims=True)
    weights -= peak
    np.exp(weights, out=weights)  # in place: (n_students, n_classes) is the largest array here
    total = weights.sum(axis=1, keepdims=True)
    weights /= total
    return weights, float((np.log(total) + peak).sum())


class LatentClassModel(Estimator):
    """Base of the latent-class diagnosis models, fitted by EM over all attribute patterns.

    Subclasses define ``_initial_success`` and ``_maximise`` (the M-step for the item parameters).
    Learns ``patterns_`` (n_classes, n_kps), ``class_prior_`` (n_classes,), ``success_``
    (n_items, n_classes), ``q_matrix_`` (n_items, n_kps), ``log_likelihood_`` and ``n_iter_``.
    """

    def __init__(
        self, *, max_iter: int = 500, tol: float = 1e-5, random_state: int | None = None
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _initial_success(
        self, q_matrix: IntArray, patterns: IntArray, rng: np.random.Generator
    ) -> FloatArray:
        raise NotImplementedError

    def _maximise(self, right: FloatArray, count: FloatArray) -> FloatArray:
        """New ``success`` (n_items, n_classes) from expected right answers and answered counts."""
        raise NotImplementedError

    def fit(self, responses: npt.ArrayLike, q_matrix: npt.ArrayLike) -> Self:
        """Fit by EM.

        Parameters
        ----------
        responses : array-like, shape (n_students, n_items)
            1 right, 0 wrong, NaN not answered; a score in [0, 1] counts as partial credit.
        q_matrix : array-like, shape (n_items, n_kps)
            1 where the item measures the knowledge point.

        Returns
        -------
        self
        """
        scores = check_responses(responses, binary=False)
        q = check_q_matrix(q_matrix, scores.shape[1])
        if self.max_iter < 1 or self.tol <= 0:
            raise ValueError("max_iter must be ≥ 1 and tol > 0")
        rng = check_random_state(self.random_state)
        patterns = attribute_patterns(q.shape[1])
        success = self._initial_success(q, patterns, rng)
        log_prior = np.full(patterns.shape[0], -np.log(patterns.shape[0]))
        observed = (~np.isnan(scores)).astype(np.float64)
        right_answers = np.nan_to_num(scores)
        previous = -np.inf
        n_iter = 0
        while n_iter < self.max_iter:
            n_iter += 1
            posterior, log_likelihood = class_posterior(scores, success, log_prior)
            mass = posterior.sum(axis=0) + CLASS_PRIOR_PSEUDO_COUNT
            log_prior = np.log(mass / mass.sum())
            success = self._maximise(right_answers.T @ posterior, observed.T @ posterior)
            if abs(log_likelihood - previous) <= self.tol * max(1.0, abs(log_likelihood)):
                break
            previous = log_likelihood
        else:
            warnings.warn(
                f"{type(self).__name__} stopped after max_iter={self.max_iter} EM iterations "
                f"before the log-likelihood settled within tol={self.tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.q_matrix_ = q
        self.patterns_ = patterns
        self.success_ = success
        self.class_prior_ = np.exp(log_prior)
        self.log_likelihood_ = class_posterior(scores, success, log_prior)[1]
        self.n_iter_ = n_iter
        return self

    def _check_scores(self, responses: npt.ArrayLike) -> FloatArray:
        check_is_fitted(self)
        scores = check_responses(responses, binary=False)
        if scores.shape[1] != self.q_matrix_.shape[0]:
            raise ValueError(
                f"responses have {scores.shape[1]} items but the model was fitted on "
                f"{self.q_matrix_.shape[0]}"
            )
        return scores

    def predict_class_proba(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior probability of each attribute pattern, shape (n_students, n_classes).

        Column c is the pattern ``patterns_[c]``; the students need not be those of ``fit``.
        """
        scores = self._check_scores(responses)
        posterior, _ = class_posterior(scores, self.success_, np.log(self.class_prior_))
        return posterior

    def predict_class(self, responses: npt.ArrayLike) -> IntArray:
        """Most probable mastery pattern (0/1), shape (n_students, n_kps)."""
        best = self.predict_class_proba(responses).argmax(axis=1)
        result: IntArray = self.patterns_[best]
        return result

    def predict_mastery(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior probability that each student masters each kp, shape (n_students, n_kps)."""
        result: FloatArray = self.predict_class_proba(responses) @ self.patterns_.astype(np.float64)
        return result

    def predict_proba(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior predictive probability of a right answer, shape (n_students, n_items).

        Missing cells get a prediction too, which is what held-out evaluation needs.
        """
        result: FloatArray = self.predict_class_proba(responses) @ self.success_.T
        return result
