"""Logistic knowledge tracing: performance factors analysis (PFA) and an Elo-style ability model.

PFA (Pavlik, Cen & Koedinger, 2009) predicts logit P(correct) = β_k + γ_k·wins_k + ρ_k·fails_k
from the student's earlier successes and failures on the attempted skill ``k``; it is fitted by
L2-penalised logistic regression with L-BFGS. ``Elo`` (Pelánek, 2016) keeps one online ability per
student and one difficulty per skill, P(correct) = σ(θ − d), nudged after every answer by a step
that shrinks with the number of answers seen.
"""

from __future__ import annotations

import warnings
from typing import Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit

from yincai.science.base import (
    ConvergenceWarning,
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
)
from yincai.science.tracing._layout import count_before, step_layout
from yincai.science.validation import check_sequences


def fit_logistic(
    X: sp.csr_matrix, y: FloatArray, *, l2: float, max_iter: int, name: str
) -> tuple[FloatArray, float, int]:
    """L2-penalised logistic regression by L-BFGS; the intercept is not penalised.

    Parameters
    ----------
    X : (n_rows, n_features) sparse
    y : (n_rows,) 0/1
    l2 : float
        Penalty on the squared weights, relative to the mean log-loss per row.
    max_iter, name : int, str
        L-BFGS iterations at most; the model's name for the ConvergenceWarning.

    Returns
    -------
    weights : (n_features,) float
    intercept : float
    n_iter : int
    """
    n_rows = X.shape[0]
    XT = X.T.tocsr()

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        weights, intercept = theta[:-1], theta[-1]
        z = X @ weights + intercept
        # log(1 + e^z) - y z, computed stably
        value = float(np.sum(np.logaddexp(0.0, z) - y * z)) / n_rows
        residual = (expit(z) - y) / n_rows
        grad = np.empty_like(theta)
        grad[:-1] = XT @ residual + l2 * weights
        grad[-1] = residual.sum()
        return value + 0.5 * l2 * float(weights @ weights), grad

    start = np.zeros(X.shape[1] + 1)
    mean = float(np.clip(y.mean(), 1e-3, 1 - 1e-3))
    start[-1] = np.log(mean / (1.0 - mean))
    result = minimize(
        loss, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": 1e-6}
    )
    if not result.success and result.nit >= max_iter:
        warnings.warn(
            f"{name} L-BFGS stopped at max_iter={max_iter} before converging",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result.x[:-1], float(result.x[-1]), int(result.nit)


def _pfa_design(
    students: IntArray, skills: IntArray, correct: FloatArray, n_skills: int
) -> sp.csr_matrix:
    """(n, 3 n_skills) PFA design: skill one-hot, then log1p successes and failures on it so far."""
    key = students * n_skills + skills
    seen = count_before(key)
    wins = count_before(key, correct.astype(np.int64))
    rows = np.tile(np.arange(skills.size), 3)
    cols = np.r_[skills, skills + n_skills, skills + 2 * n_skills]
    values = np.r_[np.ones(skills.size), np.log1p(wins), np.log1p(seen - wins)]
    return sp.csr_matrix((values, (rows, cols)), shape=(skills.size, 3 * n_skills))


class PFA(Estimator):
    """Performance factors analysis with log-scaled counts.

    Learns ``coef_`` (3, n_skills): easiness, success and failure weights per skill, ``intercept_``
    and ``n_iter_``. Skills unseen in ``fit`` use the mean of the fitted weights.

    Parameters
    ----------
    l2 : float
        L2 penalty per row on the weights.
    max_iter : int
        L-BFGS iterations at most; ConvergenceWarning if reached.
    """

    def __init__(self, *, l2: float = 1e-4, max_iter: int = 500) -> None:
        self.l2 = l2
        self.max_iter = max_iter

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student."""
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        n_skills = int(skill_codes.max()) + 1
        X = _pfa_design(student_codes, skill_codes, outcome, n_skills)
        weights, intercept, n_iter = fit_logistic(
            X, outcome, l2=self.l2, max_iter=self.max_iter, name="PFA"
        )
        self.coef_ = weights.reshape(3, n_skills)
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        return self

    def _coef_for(self, n_skills: int) -> FloatArray:
        fitted: FloatArray = self.coef_
        coef = np.repeat(fitted.mean(axis=1, keepdims=True), max(n_skills, fitted.shape[1]), 1)
        coef[:, : fitted.shape[1]] = fitted
        return coef

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt from the same student's earlier attempts."""
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        coef = self._coef_for(int(skill_codes.max()) + 1)
        X = _pfa_design(student_codes, skill_codes, outcome, coef.shape[1])
        return np.asarray(expit(X @ coef.ravel() + self.intercept_), dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_skills) P(correct) on each skill's next attempt after all given ones."""
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        coef = self._coef_for(int(skill_codes.max()) + 1)
        n_students, n_skills = int(student_codes.max()) + 1, coef.shape[1]
        wins = np.zeros((n_students, n_skills))
        seen = np.zeros((n_students, n_skills))
        np.add.at(wins, (student_codes, skill_codes), outcome)
        np.add.at(seen, (student_codes, skill_codes), 1.0)
        z = coef[0] + coef[1] * np.log1p(wins) + coef[2] * np.log1p(seen - wins)
        return np.asarray(expit(z + self.intercept_), dtype=np.float64)


def elo_ability(
    students: IntArray,
    difficulty: FloatArray,
    correct: FloatArray,
    *,
    sensitivity: float,
    decay: float,
) -> tuple[FloatArray, FloatArray]:
    """Online Elo ability of each student before each attempt, with fixed item difficulties.

    Parameters
    ----------
    students : (n,) int
    difficulty : (n,) float
        Difficulty of each attempt's item.
    correct : (n,) 0/1
    sensitivity, decay : float
        After a student's ``m``-th answer the ability moves by
        ``sensitivity / (1 + decay * m) * (correct - P(correct))``.

    Returns
    -------
    ability : (n,) float
        Ability before each attempt (0 before the first).
    final : (n_students,) float
        Ability after each student's last attempt (0 for codes without attempts).
    """
    layout = step_layout(students)
    diff_tm = difficulty[layout.order]
    right_tm = correct[layout.order]
    ability_tm = np.empty(students.size)
    theta = np.zeros(layout.n_sequences)
    for t in range(layout.counts.size):
        lo, hi = layout.offsets[t], layout.offsets[t + 1]
        current = theta[: hi - lo]
        ability_tm[lo:hi] = current
        step = sensitivity / (1.0 + decay * t)
        current += step * (right_tm[lo:hi] - expit(current - diff_tm[lo:hi]))
    ability = np.empty(students.size)
    ability[layout.order] = ability_tm
    final = np.zeros(int(students.max()) + 1)
    first = layout.order[: layout.offsets[1]]
    final[students[first]] = theta
    return ability, final


class Elo(Estimator):
    """Elo-style tracing: one online ability per student, one difficulty per skill.

    ``fit`` learns ``difficulty_`` (n_skills,) by ``n_passes`` sweeps of Elo updates over the
    training students (all students advanced one attempt at a time, in parallel); prediction
    keeps the difficulties fixed and updates each student's ability after every answer.

    Parameters
    ----------
    sensitivity, decay : float
        Ability step after a student's ``m``-th answer: ``sensitivity / (1 + decay * m)``.
    n_passes : int
        Sweeps over the training data when learning difficulties.
    """

    def __init__(self, *, sensitivity: float = 0.8, decay: float = 0.05, n_passes: int = 3) -> None:
        self.sensitivity = sensitivity
        self.decay = decay
        self.n_passes = n_passes

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student."""
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        if self.n_passes < 1:
            raise ValueError("n_passes must be at least 1")
        n_skills = int(skill_codes.max()) + 1
        attempts = np.bincount(skill_codes, minlength=n_skills).astype(np.float64)
        rate = (np.bincount(skill_codes, outcome, n_skills) + 1.0) / (attempts + 2.0)
        difficulty = -np.log(rate / (1.0 - rate))
        for _ in range(self.n_passes):
            ability, _ = elo_ability(
                student_codes,
                difficulty[skill_codes],
                outcome,
                sensitivity=self.sensitivity,
                decay=self.decay,
            )
            # Each difficulty takes the mean residual of its answers, a step that shrinks with use.
            residual = outcome - expit(ability - difficulty[skill_codes])
            difficulty -= np.bincount(skill_codes, residual, n_skills) / (attempts + 1.0) * 4.0
        self.difficulty_ = difficulty
        self.fallback_difficulty_ = float(np.average(difficulty, weights=attempts + 1e-12))
        return self

    def _difficulty_for(self, n_skills: int) -> FloatArray:
        fitted: FloatArray = self.difficulty_
        values = np.full(max(n_skills, fitted.size), self.fallback_difficulty_)
        values[: fitted.size] = fitted
        return values

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt from the same student's earlier attempts."""
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        difficulty = self._difficulty_for(int(skill_codes.max()) + 1)[skill_codes]
        ability, _ = elo_ability(
            student_codes, difficulty, outcome, sensitivity=self.sensitivity, decay=self.decay
        )
        return np.asarray(expit(ability - difficulty), dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_skills) P(correct) on each skill after all of a student's attempts."""
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        difficulty = self._difficulty_for(int(skill_codes.max()) + 1)
        _, final = elo_ability(
            student_codes,
            difficulty[skill_codes],
            outcome,
            sensitivity=self.sensitivity,
            decay=self.decay,
        )
        return np.asarray(expit(final[:, None] - difficulty[None, :]), dtype=np.float64)
