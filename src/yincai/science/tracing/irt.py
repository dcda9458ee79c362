"""Online multidimensional IRT: a static ability vector, tracked by its Bayesian posterior.

Each item (skill or question code) ``j`` has loadings ``a_j`` (n_dims,), an easiness ``b_j`` and
optionally a guessing floor ``c_j``; a student with ability ``theta`` ~ N(0, I) answers correctly
with probability ``c_j + (1 - c_j) * sigmoid(a_j . theta + b_j)``. The item parameters are fitted
by marginal maximum likelihood, the integral over ``theta`` taken on a fixed set of quasi-random
ability draws; a prediction is the posterior predictive over the same draws given only the
student's earlier answers. Suited to data where the same items recur across students and ability
changes little within a sequence (e.g. a fixed test taken in order).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import expit, logsumexp
from scipy.stats import norm, qmc

from yincai.science.base import (
    ConvergenceWarning,
    Estimator,
    FloatArray,
    check_is_fitted,
)
from yincai.science.validation import check_sequences

PROB_FLOOR = 1e-6  # keeps every probability strictly inside (0, 1) so logs stay finite
INITIAL_GUESS = 0.1  # starting guessing floor when ``guessing`` is on
CHUNK_CELLS = 4_096 * 8_192  # attempts × draws per block in prediction, to bound its arrays


class OnlineMIRT(Estimator):
    """Multidimensional IRT with static abilities, predicting each answer from the earlier ones.

    Learns ``loadings_`` (n_items, n_dims), ``easiness_`` (n_items,), ``guess_`` (n_items,),
    ``abilities_`` (n_samples, n_dims), the ability draws integrals are taken on,
    ``log_likelihood_`` and ``n_iter_``. Items unseen in ``fit`` get no loadings and the mean
    easiness and guess.

    Parameters
    ----------
    n_dims : int
        Dimensions of the latent ability.
    n_samples : int
        Quasi-random N(0, I) ability draws for the integrals (rounded up to a power of two).
    guessing : bool
        Learn a guessing floor ``c_j``; when False it is 0.
    shared_guess : bool
        With ``guessing``, learn one floor for all items (as in a test whose items all offer the
        same number of choices) rather than one per item.
    l2 : float
        Penalty on the squared loadings, per student.
    max_iter : int
        L-BFGS iterations at most; ConvergenceWarning if reached.
    random_state : int or None
        Seeds the scrambling of the draws and the initial loadings.
    """

    def __init__(
        self,
        *,
        n_dims: int = 5,
        n_samples: int = 1024,
        guessing: bool = False,
        shared_guess: bool = False,
        l2: float = 1e-3,
        max_iter: int = 300,
        random_state: int | None = None,
    ) -> None:
        self.n_dims = n_dims
        self.n_samples = n_samples
        self.guessing = guessing
        self.shared_guess = shared_guess
        self.l2 = l2
        self.max_iter = max_iter
        self.random_state = random_state

    def _probabilities(
        self, loadings: FloatArray, easiness: FloatArray, guess: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(n_samples, n_items) P(correct) for every draw and item, and the logistic part."""
        logistic = expit(self.abilities_ @ loadings.T + easiness)
        p = guess + (1.0 - guess) * logistic
        return np.clip(p, PROB_FLOOR, 1.0 - PROB_FLOOR), logistic

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit the item parameters on attempts (n_attempts,) each; codes are items."""
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        if self.n_dims < 1 or self.n_samples < 2 or self.max_iter < 1:
            raise ValueError("n_dims and max_iter must be at least 1, n_samples at least 2")
        n_students = int(student_codes.max()) + 1
        n_items = int(item_codes.max()) + 1
        shape = (n_students, n_items)
        right = np.zeros(shape)
        np.add.at(right, (student_codes, item_codes), outcome)
        wrong = np.zeros(shape)
        np.add.at(wrong, (student_codes, item_codes), 1.0 - outcome)
        active = (right + wrong).sum(axis=1) > 0
        right, wrong = right[active], wrong[active]
        n_active = right.shape[0]
        sobol = qmc.Sobol(self.n_dims, scramble=True, seed=self.random_state)
        draws = sobol.random_base2(int(np.ceil(np.log2(self.n_samples))))
        self.abilities_ = norm.ppf(np.clip(draws, 1e-9, 1.0 - 1e-9))
        rng = np.random.default_rng(self.random_state)
        rate = (right.sum(axis=0) + 0.5) / (right.sum(axis=0) + wrong.sum(axis=0) + 1.0)
        k = self.n_dims

        def unpack(theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
            loadings = theta[: n_items * k].reshape(n_items, k)
            easiness = theta[n_items * k : n_items * (k + 1)]
            guess = np.zeros(n_items)
            if self.guessing:
                guess[:] = expit(theta[n_items * (k + 1) :])  # one value broadcasts if shared
            return loadings, easiness, guess

        def loss(theta: FloatArray) -> tuple[float, FloatArray]:
            loadings, easiness, guess = unpack(theta)
            p, logistic = self._probabilities(loadings, easiness, guess)
            log_lik = right @ np.log(p).T + wrong @ np.log1p(-p).T  # (students, draws)
            per_student = logsumexp(log_lik, axis=1)
            posterior = np.exp(log_lik - per_student[:, None])
            d_p = -(posterior.T @ right) / p + (posterior.T @ wrong) / (1.0 - p)
            d_z = d_p * (1.0 - guess) * logistic * (1.0 - logistic)
            value = -float(per_student.sum()) + self.l2 * n_active * float(np.sum(loadings**2))
            grad = [
                (d_z.T @ self.abilities_ + 2.0 * self.l2 * n_active * loadings).ravel(),
                d_z.sum(axis=0),
            ]
            if self.guessing:
                d_guess = (d_p * (1.0 - logistic)).sum(axis=0) * guess * (1.0 - guess)
                grad.append(np.atleast_1d(d_guess.sum()) if self.shared_guess else d_guess)
            return value / n_active, np.concatenate(grad) / n_active

        start = [
            rng.normal(0.0, 0.3, n_items * k),
            np.log(rate) - np.log1p(-rate),
        ]
        if self.guessing:
            n_guesses = 1 if self.shared_guess else n_items
            start.append(np.full(n_guesses, np.log(INITIAL_GUESS) - np.log1p(-INITIAL_GUESS)))
        with np.errstate(under="ignore"):  # posterior weights of unlikely draws flush to 0
            result = minimize(
                loss,
                np.concatenate(start),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter},
            )
        if result.nit >= self.max_iter:
            warnings.warn(
                f"OnlineMIRT stopped at max_iter={self.max_iter}", ConvergenceWarning, stacklevel=2
            )
        self.loadings_, self.easiness_, self.guess_ = unpack(result.x)
        self.log_likelihood_ = -float(result.fun) * n_active
        self.n_iter_ = int(result.nit)
        return self

    def _item_table(self, n_items: int) -> FloatArray:
        """(n_samples, max(n_items, fitted)) P(correct), unseen items padded with the means."""
        fitted = self.easiness_.size
        size = max(n_items, fitted)
        loadings = np.zeros((size, self.n_dims))
        loadings[:fitted] = self.loadings_
        easiness = np.full(size, self.easiness_.mean())
        easiness[:fitted] = self.easiness_
        guess = np.full(size, self.guess_.mean())
        guess[:fitted] = self.guess_
        return self._probabilities(loadings, easiness, guess)[0]

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt given the same student's earlier attempts."""
        check_is_fitted(self)
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        table = self._item_table(int(item_codes.max()) + 1)
        log_right, log_wrong = np.log(table).T, np.log1p(-table).T  # (items, draws)
        order = np.argsort(student_codes, kind="stable")
        sorted_students = student_codes[order]
        new_student = np.r_[True, sorted_students[1:] != sorted_students[:-1]]
        starts = np.flatnonzero(new_student)
        # Blocks of whole students, about CHUNK_CELLS / n_draws attempts each.
        chunk_rows = max(1, CHUNK_CELLS // table.shape[0])
        first = np.searchsorted(starts, np.arange(0, order.size, chunk_rows))
        block_starts = starts[np.minimum(first, starts.size - 1)]
        cuts = np.unique(np.r_[block_starts, order.size])
        result = np.empty(order.size)
        for lo, hi in itertools.pairwise(cuts):
            rows = order[lo:hi]
            item = item_codes[rows]
            step = np.where(outcome[rows, None] > 0.5, log_right[item], log_wrong[item])
            before = np.cumsum(step, axis=0) - step  # log-likelihood of all earlier rows
            segment = np.cumsum(new_student[lo:hi]) - 1
            before -= before[np.flatnonzero(new_student[lo:hi])][segment]
            with np.errstate(under="ignore"):
                weights = np.exp(before - before.max(axis=1, keepdims=True))
            result[rows] = np.sum(weights * table.T[item], axis=1) / weights.sum(axis=1)
        return result

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_items) P(correct) on each item given all of the student's attempts."""
        check_is_fitted(self)
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        table = self._item_table(int(item_codes.max()) + 1)
        n_students = int(student_codes.max()) + 1
        right = np.zeros((n_students, table.shape[1]))
        np.add.at(right, (student_codes, item_codes), outcome)
        wrong = np.zeros_like(right)
        np.add.at(wrong, (student_codes, item_codes), 1.0 - outcome)
        log_lik = right @ np.log(table).T + wrong @ np.log1p(-table).T
        with np.errstate(under="ignore"):
            posterior = np.exp(log_lik - logsumexp(log_lik, axis=1, keepdims=True))
        return np.asarray(posterior @ table, dtype=np.float64)
