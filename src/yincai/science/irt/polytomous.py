"""The generalised partial credit model (GPCM, Muraki 1992) by marginal maximum likelihood.

Item ``j`` is scored ``0 .. m_j`` (items may differ in ``m_j``). With discrimination ``a_j`` and
step difficulties ``b_j1 .. b_jm``, ``P(X = k | θ) ∝ exp(a_j (k θ - Σ_{v ≤ k} b_jv))``. Fixing
``a`` to one gives the partial credit model. The M-step scores all items at once with batched
(1 + max m) × (1 + max m) Fisher information matrices.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.special import logsumexp

from yincai.science.base import FloatArray, IntArray
from yincai.science.irt.model import IRTModel
from yincai.science.irt.quadrature import MISSING_CODE, Expectation
from yincai.science.validation import check_matrix

M_STEP_ITERATIONS = 10
M_STEP_TOL = 1e-7
MAX_PARAMETER_STEP = 1.0  # caps one scoring step so early iterations cannot overshoot
STEP_BOUND = 8.0  # keeps a step that nobody (or everybody) reaches finite
MAX_CATEGORIES = 100  # scores are stored as uint8 codes beside the missing code 255


class GPCM(IRTModel):
    """Generalised partial credit model by MML.

    Learns discrimination_ (n_items,), difficulty_ (n_items, max_score) step difficulties with NaN
    past an item's top score, n_categories_ (n_items,), plus the attributes of ``IRTModel.fit``.
    Priors: log a ~ N(``discrimination_prior``), each step b ~ N(``difficulty_prior``).
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

    def fit(self, responses: npt.ArrayLike, max_scores: npt.ArrayLike | None = None) -> Self:
        """Calibrate on integer scores.

        Parameters
        ----------
        responses : (n_students, n_items) scores 0 .. m_j, NaN where not answered.
        max_scores : (n_items,) top score of each item; by default the highest score observed
            (give it when a top score might not occur in the data).
        """
        self._max_scores_given = None if max_scores is None else np.asarray(max_scores)
        return super().fit(responses)

    # --- hooks -------------------------------------------------------------------------------
    def _codes(self, responses: npt.ArrayLike, *, fitting: bool) -> npt.NDArray[np.uint8]:
        array = check_matrix(responses, name="responses")
        observed = array[~np.isnan(array)]
        if (observed < 0).any() or (observed != np.round(observed)).any():
            raise ValueError("responses must hold non-negative integer scores or NaN (missing)")
        top = np.nanmax(np.where(np.isnan(array), 0.0, array), axis=0).astype(np.int64)
        if fitting:
            top = self._fit_top_scores(top)
            self._top = top
            self._column_item = np.repeat(np.arange(top.size), top)
            self._column_category = np.concatenate([np.arange(1, m + 1) for m in top])
        elif array.shape[1] != self._top.size:
            raise ValueError(
                f"responses have {array.shape[1]} items but the model was fitted on "
                f"{self._top.size}"
            )
        elif (top > self._top).any():
            raise ValueError("responses hold scores above the top scores the model was fitted on")
        return np.where(np.isnan(array), MISSING_CODE, array).astype(np.uint8)

    def _fit_top_scores(self, observed_top: IntArray) -> IntArray:
        given = self._max_scores_given
        if given is None:
            top = np.maximum(observed_top, 1)
        else:
            if given.shape != observed_top.shape or (given < 1).any():
                raise ValueError(
                    f"max_scores must be {observed_top.size} positive integers, got {given!r}"
                )
            if (observed_top > given).any():
                raise ValueError("responses hold scores above max_scores")
            top = given.astype(np.int64)
        if top.max() >= MAX_CATEGORIES:
            raise ValueError(f"an item may have at most {MAX_CATEGORIES - 1} score points")
        return top

    @property
    def _n_steps(self) -> int:
        return int(self._top.max())

    def _valid(self) -> npt.NDArray[np.bool_]:
        """(n_items, max_score) True where the item has that step."""
        return np.arange(1, self._n_steps + 1) <= self._top[:, None]

    def _split(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        n_items = self._top.size
        return x[:n_items], x[n_items:].reshape(n_items, self._n_steps)

    def _start(self, codes: npt.NDArray[np.uint8]) -> FloatArray:
        categories = np.arange(self._n_steps + 1)
        counts = (codes[:, :, None] == categories).sum(axis=0) + 0.5  # (n_items, n_categories)
        steps = np.log(counts[:, :-1]) - np.log(counts[:, 1:])  # adjacent-category logits
        steps = np.where(self._valid(), np.clip(steps, -STEP_BOUND, STEP_BOUND), 0.0)
        log_a = np.full(self._top.size, self.discrimination_prior[0])
        return np.concatenate([log_a, steps.ravel()])

    def _logits(self, x: FloatArray, theta: FloatArray) -> FloatArray:
        """(n_items, 1 + max_score, n) logits z_k = a (k θ - Σ_{v ≤ k} b_v), -inf if absent."""
        log_a, steps = self._split(x)
        cumulative = np.cumsum(np.where(self._valid(), steps, 0.0), axis=1)
        k = np.arange(1, self._n_steps + 1)
        z = np.exp(log_a)[:, None, None] * (k[None, :, None] * theta - cumulative[:, :, None])
        z = np.where(self._valid()[:, :, None], z, -np.inf)
        return np.concatenate([np.zeros((self._top.size, 1, theta.size)), z], axis=1)

    def _terms(self, x: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        z = self._logits(x, theta)
        log_base = -logsumexp(z, axis=1)
        return z[self._column_item, self._column_category], log_base

    def _m_step(self, x: FloatArray, expectation: Expectation, nodes: FloatArray) -> FloatArray:
        n_items, n_steps = self._top.size, self._n_steps
        trials = expectation.item_counts  # (n_items, n_nodes)
        observed = np.zeros((n_items, n_steps + 1, nodes.size))
        observed[self._column_item, self._column_category] = expectation.column_counts
        observed[:, 0] = trials - observed[:, 1:].sum(axis=1)
        valid = self._valid()
        below = np.tril(np.ones((n_steps + 1, n_steps)), -1)  # below[k, v-1] = 1 when v ≤ k
        mean_a, sd_a = self.discrimination_prior
        mean_b, sd_b = self.difficulty_prior
        precision = np.concatenate([[1.0 / sd_a**2], np.full(n_steps, 1.0 / sd_b**2)])
        for _ in range(M_STEP_ITERATIONS):
            log_a, steps = self._split(x)
            a = np.exp(log_a)
            z = self._logits(x, nodes)
            p = np.exp(z - logsumexp(z, axis=1, keepdims=True))  # (n_items, n_categories, n_nodes)
            # derivatives of z_k: by log a it is z_k itself, by b_v it is -a when v ≤ k
            d_log_a = np.where(np.isfinite(z), z, 0.0)[..., None]
            d_steps = np.broadcast_to(
                -a[:, None, None, None] * (below[None, :, None, :] * valid[:, None, None, :]),
                (n_items, n_steps + 1, nodes.size, n_steps),
            )
            d = np.concatenate([d_log_a, d_steps], axis=3)  # (items, categories, nodes, params)
            residual = observed - trials[:, None, :] * p
            gradient = np.einsum("ikq,ikqp->ip", residual, d)
            mean_d = np.einsum("ikq,ikqp->iqp", p, d)
            information = np.einsum("iq,ikq,ikqp,ikqr->ipr", trials, p, d, d) - np.einsum(
                "iq,iqp,iqr->ipr", trials, mean_d, mean_d
            )
            parameters = np.concatenate([log_a[:, None], steps], axis=1)
            prior_mean = np.concatenate([[mean_a], np.full(n_steps, mean_b)])
            gradient -= precision * (parameters - prior_mean)
            information += np.eye(n_steps + 1) * precision
            active = np.concatenate([np.ones((n_items, 1), bool), valid], axis=1)
            gradient = np.where(active, gradient, 0.0)
            information = np.where(active[:, :, None] & active[:, None, :], information, 0.0)
            information += np.eye(n_steps + 1) * ~active[:, :, None]
            step = np.linalg.solve(information, gradient[..., None])[..., 0]
            step = np.clip(step, -MAX_PARAMETER_STEP, MAX_PARAMETER_STEP)
            parameters = parameters + step
            parameters[:, 1:] = np.clip(parameters[:, 1:], -STEP_BOUND, STEP_BOUND)
            x = np.concatenate([parameters[:, 0], parameters[:, 1:].ravel()])
            if np.max(np.abs(step)) < M_STEP_TOL:
                break
        return x

    def _log_prior(self, x: FloatArray) -> float:
        log_a, steps = self._split(x)
        mean_a, sd_a = self.discrimination_prior
        mean_b, sd_b = self.difficulty_prior
        valid_steps = steps[self._valid()]
        return -0.5 * float(
            (((log_a - mean_a) / sd_a) ** 2).sum() + (((valid_steps - mean_b) / sd_b) ** 2).sum()
        )

    def _store(self, x: FloatArray) -> None:
        log_a, steps = self._split(x)
        self.discrimination_ = np.exp(log_a)
        self.difficulty_ = np.where(self._valid(), steps, np.nan)
        self.n_categories_ = self._top + 1

    # --- prediction --------------------------------------------------------------------------
    def predict_proba(
        self, responses: npt.ArrayLike | None = None, *, theta: npt.ArrayLike | None = None
    ) -> FloatArray:
        """Category probabilities, shape (n_students, n_items, max_score + 1), 0 past a top score.

        Give either ``responses`` (scored first by EAP) or abilities ``theta`` (n_students,).
        """
        abilities = self._theta_from(responses, theta)
        z = self._logits(self._parameters, abilities)
        return np.asarray(np.exp(z - logsumexp(z, axis=1, keepdims=True)).transpose(2, 0, 1))

    def predict_score(
        self, responses: npt.ArrayLike | None = None, *, theta: npt.ArrayLike | None = None
    ) -> FloatArray:
        """Expected score of each student on each item, shape (n_students, n_items)."""
        proba = self.predict_proba(responses, theta=theta)
        return np.asarray(proba @ np.arange(proba.shape[2], dtype=np.float64))
