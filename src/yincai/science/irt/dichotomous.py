"""Dichotomous IRT models calibrated by marginal maximum likelihood: Rasch, 2PL and 3PL.

``P(correct | θ) = c + (1 - c) / (1 + exp(-a (θ - b)))`` with discrimination ``a``, difficulty
``b`` and guessing ``c`` (0 for Rasch and 2PL); abilities follow N(0, 1). The M-step fits every
item at once by Fisher scoring on (log a, b); the 3PL treats "guessed" as a second hidden variable,
which makes its guessing update closed-form. Weak priors keep items with few, all-correct or no
answers finite.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit

from yincai.science.base import FloatArray
from yincai.science.irt.model import IRTModel
from yincai.science.irt.quadrature import MISSING_CODE, Expectation
from yincai.science.validation import check_responses

M_STEP_ITERATIONS = 10  # Fisher-scoring steps per M-step; warm starts make 2–3 enough late on
M_STEP_TOL = 1e-7
MAX_PARAMETER_STEP = 1.0  # caps a scoring step on (log a, b) so early iterations cannot overshoot
DIFFICULTY_BOUND = 8.0  # beyond ±8 SD an item says nothing about anyone; keeps b finite
START_SCALE = 1.16  # b ≈ -1.16 logit(p) for a = 1 items on a N(0, 1) population (probit approx.)
RASCH_SLOPE_PRIOR = (0.0, 1.0)  # one slope shared by all items needs only a very weak prior
PROBABILITY_FLOOR = 1e-6  # keeps the guessing logit finite and p(1-p) weights non-zero

Slope = Literal["free", "common", "fixed"]


def _fisher_scoring(
    log_a: FloatArray,
    b: FloatArray,
    successes: FloatArray,
    trials: FloatArray,
    nodes: FloatArray,
    *,
    log_a_prior: tuple[float, float],
    b_prior: tuple[float, float],
    slope: Slope,
) -> tuple[FloatArray, FloatArray]:
    """Penalised logistic regression of every item on the nodes, all items at once.

    ``successes`` and ``trials`` are (n_items, n_nodes) expected counts; returns new (log a, b).
    """
    precision_a = 1.0 / log_a_prior[1] ** 2
    precision_b = 1.0 / b_prior[1] ** 2
    for _ in range(M_STEP_ITERATIONS):
        a = np.exp(log_a)
        z = a[:, None] * (nodes - b[:, None])
        p = expit(z)
        residual = successes - trials * p
        weight = trials * p * (1.0 - p)
        g_b = -a * residual.sum(axis=1) - precision_b * (b - b_prior[0])
        i_bb = a**2 * weight.sum(axis=1) + precision_b
        if slope == "free":
            g_a = (residual * z).sum(axis=1) - precision_a * (log_a - log_a_prior[0])
            i_aa = (weight * z * z).sum(axis=1) + precision_a
            i_ab = -a * (weight * z).sum(axis=1)
            det = i_aa * i_bb - i_ab**2
            step_a = (i_bb * g_a - i_ab * g_b) / det
            step_b = (i_aa * g_b - i_ab * g_a) / det
        else:
            step_b = g_b / i_bb
            step_a = np.zeros_like(log_a)
            if slope == "common":
                g = float((residual * z).sum()) - precision_a * (log_a[0] - log_a_prior[0])
                step_a += g / (float((weight * z * z).sum()) + precision_a)
        step_a = np.clip(step_a, -MAX_PARAMETER_STEP, MAX_PARAMETER_STEP)
        step_b = np.clip(step_b, -MAX_PARAMETER_STEP, MAX_PARAMETER_STEP)
        log_a = log_a + step_a
        b = np.clip(b + step_b, -DIFFICULTY_BOUND, DIFFICULTY_BOUND)
        if max(np.max(np.abs(step_a)), np.max(np.abs(step_b))) < M_STEP_TOL:
            break
    return log_a, b


class _Dichotomous(IRTModel):
    """Shared fitting of the 0/1 models; the flat parameters are [log a, b, logit c] per item."""

    difficulty_prior: tuple[float, float]
    _has_guessing = False

    def _slope(self) -> Slope:
        return "free"

    def _log_a_prior(self) -> tuple[float, float]:
        raise NotImplementedError

    def _codes(self, responses: npt.ArrayLike, *, fitting: bool) -> npt.NDArray[np.uint8]:
        array = check_responses(responses)
        if fitting:
            n_items = array.shape[1]
            self._column_item = np.arange(n_items, dtype=np.int64)
            self._column_category = np.ones(n_items, dtype=np.int64)
        elif array.shape[1] != self._column_item.size:
            raise ValueError(
                f"responses have {array.shape[1]} items but the model was fitted on "
                f"{self._column_item.size}"
            )
        codes: npt.NDArray[np.uint8] = (array == 1.0).astype(np.uint8)  # no float temporary
        codes[np.isnan(array)] = MISSING_CODE
        return codes

    def _start_log_a(self, n_items: int) -> FloatArray:
        return np.full(n_items, self._log_a_prior()[0])

    def _start(self, codes: npt.NDArray[np.uint8]) -> FloatArray:
        observed = codes != MISSING_CODE
        n_correct = (codes == 1).sum(axis=0)
        rate = (n_correct + 0.5) / (observed.sum(axis=0) + 1.0)
        b = -START_SCALE * logit(rate)
        parts = [self._start_log_a(codes.shape[1]), b]
        if self._has_guessing:
            parts.append(np.full(codes.shape[1], logit(self._guessing_mean())))
        return np.concatenate(parts)

    def _guessing_mean(self) -> float:
        return 0.0

    def _split(self, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        n_items = self._column_item.size
        log_a, b = x[:n_items], x[n_items : 2 * n_items]
        c = expit(x[2 * n_items :]) if self._has_guessing else np.zeros(n_items)
        return log_a, b, c

    def _terms(self, x: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        log_a, b, c = self._split(x)
        z = np.exp(log_a)[:, None] * (theta - b[:, None])
        log_fail = -np.logaddexp(0.0, z)
        if not self._has_guessing:
            return z, log_fail
        log_c = np.log(c)[:, None]
        log_right = np.logaddexp(log_c, np.log1p(-c)[:, None] - np.logaddexp(0.0, -z))
        log_wrong = np.log1p(-c)[:, None] + log_fail
        return log_right - log_wrong, log_wrong

    def _m_step(self, x: FloatArray, expectation: Expectation, nodes: FloatArray) -> FloatArray:
        log_a, b, c = self._split(x)
        right, trials = expectation.column_counts, expectation.item_counts
        successes = right
        if self._has_guessing:
            known = expit(np.exp(log_a)[:, None] * (nodes - b[:, None]))
            p_right = c[:, None] + (1.0 - c[:, None]) * known
            successes = right * known / np.maximum(p_right, PROBABILITY_FLOOR)
        log_a, b = _fisher_scoring(
            log_a,
            b,
            successes,
            trials,
            nodes,
            log_a_prior=self._log_a_prior(),
            b_prior=self.difficulty_prior,
            slope=self._slope(),
        )
        if not self._has_guessing:
            return np.concatenate([log_a, b])
        alpha, beta = self._beta_prior()
        guessed = (right - successes).sum(axis=1) + alpha - 1.0
        unknown = (trials - successes).sum(axis=1) + alpha + beta - 2.0
        c = np.clip(guessed / unknown, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
        return np.concatenate([log_a, b, logit(c)])

    def _beta_prior(self) -> tuple[float, float]:
        return 1.0, 1.0

    def _log_prior(self, x: FloatArray) -> float:
        log_a, b, c = self._split(x)
        mean_a, sd_a = self._log_a_prior()
        mean_b, sd_b = self.difficulty_prior
        slopes = log_a if self._slope() == "free" else log_a[:1]
        value = -0.5 * float(((slopes - mean_a) / sd_a) @ ((slopes - mean_a) / sd_a))
        value -= 0.5 * float(((b - mean_b) / sd_b) @ ((b - mean_b) / sd_b))
        if self._has_guessing:
            alpha, beta = self._beta_prior()
            value += float(((alpha - 1) * np.log(c) + (beta - 1) * np.log1p(-c)).sum())
        return value

    def _store(self, x: FloatArray) -> None:
        log_a, b, c = self._split(x)
        self.discrimination_ = np.exp(log_a)
        self.difficulty_ = b.copy()
        self.guessing_ = c.copy()

    def predict_proba(
        self, responses: npt.ArrayLike | None = None, *, theta: npt.ArrayLike | None = None
    ) -> FloatArray:
        """P(correct), shape (n_students, n_items), at given abilities or EAP abilities of rows.

        Parameters
        ----------
        responses : (n_students, n_items) 0/1/NaN rows to score first by EAP; or
        theta : (n_students,) abilities.
        """
        abilities = self._theta_from(responses, theta)
        log_odds, log_base = self._log_terms(abilities)
        return np.asarray(np.exp(log_odds + log_base).T)


class Rasch(_Dichotomous):
    """Rasch (1PL) model by MML. Learns difficulty_ (n_items,) and one shared discrimination_.

    With ``discrimination=None`` the shared slope is estimated (equivalently, the Rasch model with
    ability SD = discrimination_); a number fixes it. ``guessing_`` is 0.
    """

    def __init__(
        self,
        *,
        discrimination: float | None = None,
        n_quadrature: int = 31,
        max_iter: int = 500,
        tol: float = 1e-4,
        accelerate: bool = True,
        difficulty_prior: tuple[float, float] = (0.0, 3.0),
    ) -> None:
        self.discrimination = discrimination
        self.n_quadrature = n_quadrature
        self.max_iter = max_iter
        self.tol = tol
        self.accelerate = accelerate
        self.difficulty_prior = difficulty_prior

    def _slope(self) -> Slope:
        return "common" if self.discrimination is None else "fixed"

    def _log_a_prior(self) -> tuple[float, float]:
        if self.discrimination is None:
            return RASCH_SLOPE_PRIOR
        if not self.discrimination > 0:
            raise ValueError(f"discrimination must be positive, got {self.discrimination}")
        return float(np.log(self.discrimination)), RASCH_SLOPE_PRIOR[1]


class TwoPL(_Dichotomous):
    """Two-parameter logistic model by MML. Learns discrimination_, difficulty_ (n_items,).

    Priors: log a ~ N(``discrimination_prior``), b ~ N(``difficulty_prior``), each (mean, SD).
    """

    def __init__(
        self,
        *,
        n_quadrature: int = 31,
        max_iter: int = 500,
        tol: float = 1e-4,
        accelerate: bool = True,
        discrimination_prior: tuple[float, float] = (0.0, 0.5),
        difficulty_prior: tuple[float, float] = (0.0, 3.0),
    ) -> None:
        self.n_quadrature = n_quadrature
        self.max_iter = max_iter
        self.tol = tol
        self.accelerate = accelerate
        self.discrimination_prior = discrimination_prior
        self.difficulty_prior = difficulty_prior

    def _log_a_prior(self) -> tuple[float, float]:
        return self.discrimination_prior


class ThreePL(TwoPL):
    """Three-parameter logistic model by MML. Learns discrimination_, difficulty_, guessing_.

    Priors as TwoPL, plus c ~ Beta(``guessing_prior``) (default mean ≈ 0.23, a four-option item).
    """

    _has_guessing = True

    def __init__(
        self,
        *,
        n_quadrature: int = 31,
        max_iter: int = 1000,
        tol: float = 1e-4,
        accelerate: bool = True,
        discrimination_prior: tuple[float, float] = (0.0, 0.5),
        difficulty_prior: tuple[float, float] = (0.0, 3.0),
        guessing_prior: tuple[float, float] = (5.0, 17.0),
    ) -> None:
        self.n_quadrature = n_quadrature
        self.max_iter = max_iter
        self.tol = tol
        self.accelerate = accelerate
        self.discrimination_prior = discrimination_prior
        self.difficulty_prior = difficulty_prior
        self.guessing_prior = guessing_prior

    def _beta_prior(self) -> tuple[float, float]:
        return self.guessing_prior

    def _guessing_mean(self) -> float:
        alpha, beta = self.guessing_prior
        return alpha / (alpha + beta)
