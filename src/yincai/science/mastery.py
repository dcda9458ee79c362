"""Knowledge-point mastery with uncertainty: a general ability plus a per-point deviation.

Each student ``s`` has a general ability ``θ_s ~ N(0, 1)`` and, for each knowledge point (KP)
``k``, a mastery logit ``z_sk = μ_k + λ_k θ_s + δ_sk`` with ``δ_sk ~ N(0, ψ_k)``. A response to
item ``i`` scores ``y`` in [0, 1] (partial credit is a soft label) with

    P(y = 1 | z) = c_i + (1 - c_i) σ(a_i (z_k - b_i)),

where ``c_i`` is the item's known guessing floor. A response given in another *context* than the
reference one (homework: untimed, open-book, against a timed exam) reads ``z_k + s_ctx`` for a
shift ``s_ctx`` learnt from the items answered in both, so the difficulties ``b_i`` and every
prediction are those of the reference context. An item tagged with several KPs counts for each
of them in proportion to its tag weight (a weighted pseudo-likelihood), so the evidence on one KP
is a function of that KP's logit alone. The posterior is then exact on a grid: ``θ`` on quadrature
nodes, each ``z_k`` on a fine grid, and the evidence of a student on a KP is one vector of
log-likelihoods over that grid. Adding a response adds to that vector, so an online update equals
a batch refit on the same evidence.

A student *masters* a KP when ``z > 0``: above guessing, more likely than not to solve an item of
average difficulty (item difficulties are centred on 0 by their prior). ``P(z > 0)`` does not depend
on the scale of ``z``, only on that anchor. ``fit`` learns item and KP parameters by EM on a
population; ``evidence`` / ``update`` / ``predict`` serve one student or a whole district.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.special import expit, log_expit, ndtr

from yincai.science.base import (
    BoolArray,
    ConvergenceWarning,
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
)

MIN_KP_VARIANCE = 0.05  # logits²: keeps each KP's own deviation from collapsing onto θ
LOG_A_SD = 0.5  # prior SD of log discrimination: a stays within about ×/÷ 2.7 of 1
NEWTON_STEPS = 3  # Fisher-scoring steps for the item parameters in each M-step
CONTEXT_SHIFT_SD = 1.0  # prior SD of a context's shift, logits
PRIOR_PAIRS = 5.0  # pseudo-pairs pulling a rarely seen KP towards the average KP parameters
EPS = 1e-12
TINY = 1e-300  # floor of a likelihood before its log


@dataclass(frozen=True)
class MasteryEvidence:
    """What a batch of responses says about each (student, KP) pair, on the model's logit grid.

    Attributes
    ----------
    n_students, n_kps : int
    pair_student, pair_kp : IntArray, shape (n_pairs,)
        Pairs with at least one response, sorted by student then KP.
    log_likelihood : FloatArray, shape (n_pairs, n_grid)
        Log-likelihood of the pair's responses at each grid value of the KP's mastery logit.
    n_responses : IntArray, shape (n_pairs,)
        Responses that touched the pair (a multi-KP item counts once for each of its KPs).
    """

    n_students: int
    n_kps: int
    pair_student: IntArray
    pair_kp: IntArray
    log_likelihood: FloatArray
    n_responses: IntArray


@dataclass(frozen=True)
class MasteryEstimate:
    """Posterior mastery of every (student, KP), shape (n_students, n_kps) unless noted.

    Attributes
    ----------
    mastery : FloatArray
        P(mastered) = P(z > 0 | responses).
    logit_mean, logit_sd : FloatArray
        Posterior mean and SD of the mastery logit ``z``.
    n_responses : IntArray
        Responses behind each cell; 0 where the estimate rests on the prior and on ``θ``.
    ability_mean, ability_sd : FloatArray, shape (n_students,)
        Posterior of the general ability ``θ``.
    """

    mastery: FloatArray
    logit_mean: FloatArray
    logit_sd: FloatArray
    n_responses: IntArray
    ability_mean: FloatArray
    ability_sd: FloatArray


class MasteryModel(Estimator):
    """Bayesian KP mastery from item scores: a one-factor logit model, exact on a grid.

    Parameters
    ----------
    n_grid : int
        Grid values of each KP's mastery logit, from ``-grid_bound`` to ``grid_bound``.
    grid_bound : float
    n_quadrature : int
        Quadrature nodes of the general ability ``θ`` (±5 SD).
    difficulty_sd : float
        Prior SD of item difficulties around 0; it anchors each KP's location.
    max_iter, tol : int, float
        EM stops when the marginal log-likelihood per response improves by less than ``tol``.

    Attributes (after ``fit``)
    --------------------------
    difficulty_, discrimination_, guessing_ : FloatArray, shape (n_items,)
    kp_mean_, kp_loading_, kp_sd_ : FloatArray, shape (n_kps,)
        ``μ_k``, ``λ_k`` and ``√ψ_k``.
    prior_mastery_ : FloatArray, shape (n_kps,)
        P(mastered) of a student without history.
    q_weights_ : FloatArray, shape (n_items, n_kps)
        Tag weights, each row summing to 1.
    context_shift_ : FloatArray, shape (n_contexts,)
        Logits a response in each context gains over the reference context 0 (whose shift is 0).
    log_likelihood_ : float
        Marginal log-likelihood per response at the end of the fit.
    n_iter_ : int
    """

    def __init__(
        self,
        *,
        n_grid: int = 57,
        grid_bound: float = 7.0,
        n_quadrature: int = 21,
        difficulty_sd: float = 1.0,
        max_iter: int = 100,
        tol: float = 1e-4,
    ) -> None:
        self.n_grid = n_grid
        self.grid_bound = grid_bound
        self.n_quadrature = n_quadrature
        self.difficulty_sd = difficulty_sd
        self.max_iter = max_iter
        self.tol = tol

    # ----------------------------------------------------------------------------- fitting
    def fit(
        self,
        students: npt.ArrayLike,
        items: npt.ArrayLike,
        scores: npt.ArrayLike,
        q_weights: npt.ArrayLike,
        guessing: npt.ArrayLike | None = None,
        contexts: npt.ArrayLike | None = None,
    ) -> Self:
        """Learn item and KP parameters from a population's responses, in long format.

        Parameters
        ----------
        students, items : array of int, shape (n_responses,)
            Non-negative codes; ``items`` index the rows of ``q_weights``.
        scores : array of float, shape (n_responses,)
            Score ÷ full score, in [0, 1]; NaN responses are ignored.
        q_weights : array, shape (n_items, n_kps)
            Non-negative tag weights; every row needs one positive weight.
        guessing : array, shape (n_items,), optional
            Known lower asymptote of each item (e.g. 0.25 for four options); 0 by default.
        contexts : array of int, shape (n_responses,), optional
            Context of each response (0, the reference, by default; e.g. 1 for homework).
        """
        if self.n_grid < 9 or self.n_quadrature < 5:
            raise ValueError("n_grid must be at least 9 and n_quadrature at least 5")
        q = _check_q_weights(q_weights)
        n_items, n_kps = q.shape
        guess = _check_guessing(guessing, n_items)
        student, item, score = _check_responses(students, items, scores, n_items)
        if student.size == 0:
            raise ValueError("scores holds no observed response to fit on")
        context = _check_contexts(contexts, scores)
        self.q_weights_ = q
        self.guessing_ = guess
        self.context_shift_ = np.zeros(int(context.max(initial=0)) + 1)
        self._set_grids()
        design = _Design.build(
            student, self._virtual(item, context), score, self._virtual_q(), int(student.max()) + 1
        )
        log_a = np.zeros(n_items)
        mean_score = _item_means(item, score, n_items)
        floor = np.clip((mean_score - guess) / np.maximum(1 - guess, EPS), 0.02, 0.98)
        difficulty = -np.log(floor / (1 - floor))
        kp_mean, kp_loading, kp_var = np.zeros(n_kps), np.ones(n_kps), np.ones(n_kps)
        previous, n_iter, converged = -np.inf, 0, False
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - n_iter is reported
            self.discrimination_, self.difficulty_ = np.exp(log_a), difficulty
            self.kp_mean_, self.kp_loading_, self.kp_sd_ = kp_mean, kp_loading, np.sqrt(kp_var)
            posterior = self._posterior(design.pairs(self._item_log_terms()), with_moments=True)
            current = posterior.log_likelihood / design.n_responses
            kp_mean, kp_loading, kp_var = self._kp_m_step(posterior)
            log_a, difficulty = self._item_m_step(design, posterior, log_a, difficulty)
            self.context_shift_ = self._context_m_step(design, posterior, log_a, difficulty)
            if abs(current - previous) < self.tol:
                converged = True
                break
            previous = current
        if not converged:
            warnings.warn(
                f"MasteryModel stopped after max_iter={self.max_iter} EM iterations",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.discrimination_, self.difficulty_ = np.exp(log_a), difficulty
        self.kp_mean_, self.kp_loading_, self.kp_sd_ = kp_mean, kp_loading, np.sqrt(kp_var)
        total_sd = np.sqrt(kp_loading**2 + kp_var)
        self.prior_mastery_ = ndtr(kp_mean / total_sd)
        self.log_likelihood_ = float(current)
        self.n_iter_ = n_iter
        return self

    def _set_grids(self) -> None:
        self._z = np.linspace(-self.grid_bound, self.grid_bound, self.n_grid)
        self._theta = np.linspace(-5.0, 5.0, self.n_quadrature)
        log_prior = -0.5 * self._theta**2
        self._log_theta_prior = log_prior - np.log(np.exp(log_prior).sum())

    def _virtual(self, item: IntArray, context: IntArray) -> IntArray:
        """Each response's (item, context) row: item + context × n_items."""
        virtual: IntArray = item + context * self.q_weights_.shape[0]
        return virtual

    def _virtual_q(self) -> FloatArray:
        tiled: FloatArray = np.tile(self.q_weights_, (self.context_shift_.size, 1))
        return tiled

    def _virtual_parameters(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """a, b and c of every (item, context) row, b moved by the context's shift."""
        n_contexts = self.context_shift_.size
        a = np.tile(self.discrimination_, n_contexts)
        b = np.tile(self.difficulty_, n_contexts) - np.repeat(
            self.context_shift_, self.q_weights_.shape[0]
        )
        return a, b, np.tile(self.guessing_, n_contexts)

    def _item_log_terms(self) -> tuple[FloatArray, FloatArray]:
        """log P(right) and log P(wrong) of each (item, context) at each grid logit."""
        a, b, c = self._virtual_parameters()
        eta = a[:, None] * (self._z[None, :] - b[:, None])
        c = c[:, None]
        right = np.log(c + (1 - c) * expit(eta) + EPS)
        wrong = np.log1p(-c + EPS) + log_expit(-eta)
        return right, wrong

    def _kp_given_theta(self, kp: IntArray | slice) -> FloatArray:
        """Grid mass of ``z`` given each θ node, shape (n_selected, n_quadrature, n_grid)."""
        mean = self.kp_mean_[kp, None] + self.kp_loading_[kp, None] * self._theta[None, :]
        sd = self.kp_sd_[kp, None, None]
        density = np.exp(-0.5 * ((self._z[None, None, :] - mean[..., None]) / sd) ** 2)
        normalised: FloatArray = density / np.maximum(density.sum(axis=2, keepdims=True), EPS)
        return normalised

    def _posterior(self, evidence: MasteryEvidence, *, with_moments: bool = False) -> _Posterior:
        """Exact grid posterior of θ and of each evidenced pair's logit (pairs sorted by student).

        ``with_moments`` also gives E[z θ] of each pair, which the KP M-step needs.
        """
        n_pairs = evidence.pair_kp.size
        offset = evidence.log_likelihood.max(axis=1, keepdims=True, initial=-np.inf)
        scaled = np.exp(evidence.log_likelihood - offset)
        conditional = self._kp_given_theta(np.arange(evidence.n_kps))
        by_kp = np.argsort(evidence.pair_kp, kind="stable")
        bounds = np.searchsorted(evidence.pair_kp[by_kp], np.arange(evidence.n_kps + 1))
        blocks = [(k, by_kp[bounds[k] : bounds[k + 1]]) for k in np.flatnonzero(np.diff(bounds))]
        marginal = np.empty((n_pairs, self.n_quadrature))  # L_p(θ_q), up to exp(offset)
        for k, rows in blocks:
            marginal[rows] = scaled[rows] @ conditional[k].T
        np.maximum(marginal, TINY, out=marginal)
        log_theta = np.tile(self._log_theta_prior, (evidence.n_students, 1))
        if n_pairs:
            # Pairs are sorted by student: sum each student's run of rows at once.
            starts = np.flatnonzero(np.r_[True, np.diff(evidence.pair_student) != 0])
            log_theta[evidence.pair_student[starts]] += np.add.reduceat(
                np.log(marginal), starts, axis=0
            )
        top = log_theta.max(axis=1, keepdims=True)
        theta_post = np.exp(log_theta - top)
        norm = theta_post.sum(axis=1, keepdims=True)
        theta_post /= norm
        log_likelihood = float((np.log(norm) + top).sum() + offset.sum())
        weight = theta_post[evidence.pair_student] / marginal
        z_post = np.empty_like(scaled)
        z_theta = np.zeros(n_pairs)  # E[z θ] of each pair
        for k, rows in blocks:
            z_post[rows] = scaled[rows] * (weight[rows] @ conditional[k])
            if with_moments:
                moment = (scaled[rows] * self._z) @ conditional[k].T
                z_theta[rows] = (weight[rows] * moment) @ self._theta
        z_post /= np.maximum(z_post.sum(axis=1, keepdims=True), TINY)
        return _Posterior(theta_post, z_post, z_theta, evidence, log_likelihood)

    def _kp_m_step(self, posterior: _Posterior) -> tuple[FloatArray, FloatArray, FloatArray]:
        """μ, λ, ψ of each KP: the regression of the pairs' logits on θ, in expectation."""
        evidence = posterior.evidence
        n_kps = evidence.n_kps
        theta_mean = posterior.theta @ self._theta
        theta_sq = posterior.theta @ self._theta**2
        t1, t2 = theta_mean[evidence.pair_student], theta_sq[evidence.pair_student]
        z1 = posterior.z @ self._z
        z2 = posterior.z @ self._z**2

        def total(values: FloatArray) -> FloatArray:
            return np.bincount(evidence.pair_kp, weights=values, minlength=n_kps).astype(float)

        n, s_t, s_tt = total(np.ones_like(t1)), total(t1), total(t2)
        s_z, s_zt, s_zz = total(z1), total(posterior.z_theta), total(z2)
        seen = n > 0
        # Rarely seen KPs borrow strength: PRIOR_PAIRS pseudo-pairs at the average KP.
        mean_mu = s_z[seen].sum() / n[seen].sum()
        mean_lambda = float(np.median((s_zt[seen] - s_t[seen] * s_z[seen] / n[seen]) / n[seen]))
        n_p = n + PRIOR_PAIRS
        s_t_p, s_tt_p = s_t, s_tt + PRIOR_PAIRS
        s_z_p, s_zt_p = s_z + PRIOR_PAIRS * mean_mu, s_zt + PRIOR_PAIRS * mean_lambda
        det = n_p * s_tt_p - s_t_p**2
        mu = (s_tt_p * s_z_p - s_t_p * s_zt_p) / det
        loading = (n_p * s_zt_p - s_t_p * s_z_p) / det
        residual = s_zz - 2 * mu * s_z - 2 * loading * s_zt + mu**2 * n
        residual += 2 * mu * loading * s_t + loading**2 * s_tt
        var = (residual + PRIOR_PAIRS * 1.0) / n_p
        return mu, loading, np.maximum(var, MIN_KP_VARIANCE)

    def _item_m_step(
        self, design: _Design, posterior: _Posterior, log_a: FloatArray, difficulty: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Fisher scoring of (log a, b) per item on the expected counts over the logit grid,
        summed over the contexts the item was answered in."""
        right = np.asarray(design.right_by_item @ posterior.z)  # (n_items × n_contexts, n_grid)
        wrong = np.asarray(design.wrong_by_item @ posterior.z)
        count = right + wrong
        n_items, n_contexts = self.q_weights_.shape[0], self.context_shift_.size
        shift = np.repeat(self.context_shift_, n_items)[:, None]
        c = np.tile(self.guessing_, n_contexts)[:, None]
        b_precision = 1.0 / self.difficulty_sd**2

        def per_item(values: FloatArray) -> FloatArray:
            summed: FloatArray = values.sum(axis=1).reshape(n_contexts, n_items).sum(axis=0)
            return summed

        for _ in range(NEWTON_STEPS):
            a = np.tile(np.exp(log_a), n_contexts)[:, None]
            centred = self._z[None, :] + shift - np.tile(difficulty, n_contexts)[:, None]
            s = expit(a * centred)
            p = np.clip(c + (1 - c) * s, EPS, 1 - EPS)
            slope = (1 - c) * s * (1 - s)  # dP/dη
            score = (right / p - wrong / (1 - p)) * slope
            info = count * slope**2 / (p * (1 - p))
            g_b = -per_item(score * a) - b_precision * difficulty
            g_a = per_item(score * a * centred) - log_a / LOG_A_SD**2
            i_bb = per_item(info * a**2) + b_precision
            i_aa = per_item(info * (a * centred) ** 2) + 1 / LOG_A_SD**2
            i_ab = -per_item(info * a * a * centred)
            det = i_bb * i_aa - i_ab**2
            step_b = (i_aa * g_b - i_ab * g_a) / det
            step_a = (i_bb * g_a - i_ab * g_b) / det
            difficulty = difficulty + np.clip(step_b, -1.0, 1.0)
            log_a = np.clip(log_a + np.clip(step_a, -0.5, 0.5), -2.5, 2.5)
        return log_a, difficulty

    def _context_m_step(
        self, design: _Design, posterior: _Posterior, log_a: FloatArray, difficulty: FloatArray
    ) -> FloatArray:
        """One Newton step on each non-reference context's shift (context 0 stays at 0)."""
        shift = self.context_shift_.copy()
        n_items, n_contexts = self.q_weights_.shape[0], shift.size
        if n_contexts == 1:
            return shift
        right = np.asarray(design.right_by_item @ posterior.z)
        wrong = np.asarray(design.wrong_by_item @ posterior.z)
        a = np.tile(np.exp(log_a), n_contexts)[:, None]
        centred = (
            self._z[None, :]
            + np.repeat(shift, n_items)[:, None]
            - np.tile(difficulty, n_contexts)[:, None]
        )
        c = np.tile(self.guessing_, n_contexts)[:, None]
        s = expit(a * centred)
        p = np.clip(c + (1 - c) * s, EPS, 1 - EPS)
        slope = (1 - c) * s * (1 - s)
        score = ((right / p - wrong / (1 - p)) * slope * a).sum(axis=1)
        info = ((right + wrong) * (slope * a) ** 2 / (p * (1 - p))).sum(axis=1)
        precision = 1.0 / CONTEXT_SHIFT_SD**2
        for k in range(1, n_contexts):
            rows = slice(k * n_items, (k + 1) * n_items)
            step = (score[rows].sum() - precision * shift[k]) / (info[rows].sum() + precision)
            shift[k] += float(np.clip(step, -0.5, 0.5))
        return shift

    # --------------------------------------------------------------------------- predicting
    def evidence(
        self,
        students: npt.ArrayLike,
        items: npt.ArrayLike,
        scores: npt.ArrayLike,
        *,
        n_students: int | None = None,
        trials: npt.ArrayLike | None = None,
        contexts: npt.ArrayLike | None = None,
    ) -> MasteryEvidence:
        """Summarise responses (long format, as in ``fit``) as per-pair log-likelihood vectors.

        ``n_students`` defaults to the largest student code + 1; NaN scores are ignored.
        ``trials`` (one per response, default 1) reads a partially credited score as that many
        Bernoulli trials (binomial marking): one response, counted once, weighted by its points.
        ``contexts`` as in ``fit``; a context the calibration never saw reads as the reference.
        """
        check_is_fitted(self)
        student, item, score = _check_responses(students, items, scores, self.q_weights_.shape[0])
        context = _check_contexts(contexts, scores)
        context = np.where(context < self.context_shift_.size, context, 0)
        size = _n_students(student, n_students)
        weight = None if trials is None else np.asarray(trials, dtype=np.float64)
        if weight is not None:
            weight = weight[~np.isnan(np.asarray(scores, dtype=np.float64))]
        design = _Design.build(
            student, self._virtual(item, context), score, self._virtual_q(), size, weight
        )
        return design.pairs(self._item_log_terms())

    def update(
        self,
        evidence: MasteryEvidence,
        students: npt.ArrayLike,
        items: npt.ArrayLike,
        scores: npt.ArrayLike,
        contexts: npt.ArrayLike | None = None,
    ) -> MasteryEvidence:
        """``evidence`` plus new responses: the same as ``evidence`` on all responses together."""
        new = self.evidence(
            students, items, scores, n_students=evidence.n_students, contexts=contexts
        )
        return _merge(evidence, new)

    def empty_evidence(self, n_students: int) -> MasteryEvidence:
        """Evidence of ``n_students`` students without history (their estimate is the prior)."""
        check_is_fitted(self)
        if n_students < 1:
            raise ValueError(f"n_students must be positive, got {n_students}")
        return MasteryEvidence(
            n_students,
            self.q_weights_.shape[1],
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros((0, self.n_grid)),
            np.zeros(0, np.int64),
        )

    def predict(self, evidence: MasteryEvidence) -> MasteryEstimate:
        """Posterior mastery of every student and KP given ``evidence``."""
        check_is_fitted(self)
        if evidence.n_kps != self.q_weights_.shape[1] or (
            evidence.log_likelihood.shape != (evidence.pair_kp.size, self.n_grid)
        ):
            raise ValueError(
                f"evidence has {evidence.n_kps} KPs and grid {evidence.log_likelihood.shape}; "
                f"the model has {self.q_weights_.shape[1]} KPs and {self.n_grid} grid values"
            )
        self._set_grids()
        posterior = self._posterior(evidence)
        # Cells without responses: z | θ ~ N(μ + λθ, ψ), mixed over the posterior of θ.
        location = self.kp_mean_[None, :] + self.kp_loading_[None, :] * self._theta[:, None]
        sd = self.kp_sd_[None, :]
        mastery = posterior.theta @ ndtr(location / sd)
        mean = posterior.theta @ location
        second = posterior.theta @ (location**2 + sd**2)
        s, k = evidence.pair_student, evidence.pair_kp
        above = self._z > 0
        on_zero = self._z == 0
        mastery[s, k] = posterior.z[:, above].sum(axis=1) + 0.5 * posterior.z[:, on_zero].sum(1)
        mean[s, k] = posterior.z @ self._z
        second[s, k] = posterior.z @ self._z**2
        counts = np.zeros((evidence.n_students, evidence.n_kps), dtype=np.int64)
        counts[s, k] = evidence.n_responses
        ability = posterior.theta @ self._theta
        ability_var = posterior.theta @ self._theta**2 - ability**2
        return MasteryEstimate(
            mastery=np.clip(mastery, 0.0, 1.0),
            logit_mean=mean,
            logit_sd=np.sqrt(np.maximum(second - mean**2, 0.0)),
            n_responses=counts,
            ability_mean=ability,
            ability_sd=np.sqrt(np.maximum(ability_var, 0.0)),
        )

    def predict_mastery(
        self,
        students: npt.ArrayLike,
        items: npt.ArrayLike,
        scores: npt.ArrayLike,
        *,
        n_students: int | None = None,
    ) -> FloatArray:
        """P(mastered), shape (n_students, n_kps), from responses in long format."""
        return self.predict(self.evidence(students, items, scores, n_students=n_students)).mastery


@dataclass(frozen=True)
class _Posterior:
    theta: FloatArray  # (n_students, n_quadrature)
    z: FloatArray  # (n_pairs, n_grid)
    z_theta: FloatArray  # (n_pairs,) E[z θ]
    evidence: MasteryEvidence
    log_likelihood: float


@dataclass(frozen=True)
class _Design:
    """Responses folded into (pair × item) weights: right = Σ w·y, wrong = Σ w·(1 - y)."""

    n_students: int
    n_kps: int
    pair_student: IntArray
    pair_kp: IntArray
    right: sp.csr_matrix  # (n_pairs, n_items)
    wrong: sp.csr_matrix
    n_pair_responses: IntArray
    n_responses: int

    @property
    def right_by_item(self) -> sp.csr_matrix:
        return self.right.T.tocsr()

    @property
    def wrong_by_item(self) -> sp.csr_matrix:
        return self.wrong.T.tocsr()

    @classmethod
    def build(
        cls,
        student: IntArray,
        item: IntArray,
        score: FloatArray,
        q: FloatArray,
        n_students: int,
        trials: FloatArray | None = None,
    ) -> _Design:
        n_items, n_kps = q.shape
        tags = sp.csr_matrix(q)  # row i: the KPs of item i and their weights
        n_tags = np.diff(tags.indptr)[item]
        response = np.repeat(np.arange(item.size), n_tags)
        start = np.repeat(np.cumsum(n_tags) - n_tags, n_tags)
        tag = tags.indptr[item][response] + np.arange(response.size) - start
        tag_kp, tag_weight = tags.indices[tag], tags.data[tag]
        key = student[response] * n_kps + tag_kp
        pairs, pair_of = np.unique(key, return_inverse=True)
        weight = tag_weight if trials is None else tag_weight * trials[response]
        y = score[response]
        shape = (pairs.size, n_items)
        right = sp.csr_matrix((weight * y, (pair_of, item[response])), shape=shape)
        wrong = sp.csr_matrix((weight * (1 - y), (pair_of, item[response])), shape=shape)
        return cls(
            n_students=n_students,
            n_kps=n_kps,
            pair_student=(pairs // n_kps).astype(np.int64),
            pair_kp=(pairs % n_kps).astype(np.int64),
            right=right,
            wrong=wrong,
            n_pair_responses=np.bincount(pair_of, minlength=pairs.size).astype(np.int64),
            n_responses=int(item.size),
        )

    def pairs(self, log_terms: tuple[FloatArray, FloatArray]) -> MasteryEvidence:
        right, wrong = log_terms
        log_likelihood = np.asarray(self.right @ right + self.wrong @ wrong)
        return MasteryEvidence(
            self.n_students,
            self.n_kps,
            self.pair_student,
            self.pair_kp,
            log_likelihood,
            self.n_pair_responses,
        )


def _merge(old: MasteryEvidence, new: MasteryEvidence) -> MasteryEvidence:
    key = np.concatenate([old.pair_student, new.pair_student]) * old.n_kps + np.concatenate(
        [old.pair_kp, new.pair_kp]
    )
    pairs, pair_of = np.unique(key, return_inverse=True)
    log_likelihood = np.zeros((pairs.size, old.log_likelihood.shape[1]))
    np.add.at(log_likelihood, pair_of, np.concatenate([old.log_likelihood, new.log_likelihood]))
    counts = np.bincount(
        pair_of, weights=np.concatenate([old.n_responses, new.n_responses]), minlength=pairs.size
    )
    return MasteryEvidence(
        old.n_students,
        old.n_kps,
        (pairs // old.n_kps).astype(np.int64),
        (pairs % old.n_kps).astype(np.int64),
        log_likelihood,
        counts.astype(np.int64),
    )


def _check_q_weights(q_weights: npt.ArrayLike) -> FloatArray:
    q = np.asarray(q_weights, dtype=np.float64)
    if q.ndim != 2 or 0 in q.shape:
        raise ValueError(f"q_weights must be a non-empty 2-D array, got shape {q.shape}")
    if not np.isfinite(q).all() or (q < 0).any():
        raise ValueError("q_weights must hold finite, non-negative weights")
    totals = q.sum(axis=1)
    empty = np.flatnonzero(totals == 0)
    if empty.size:
        raise ValueError(f"q_weights rows {empty[:10].tolist()} tag no knowledge point")
    normalised: FloatArray = q / totals[:, None]
    return normalised


def _check_guessing(guessing: npt.ArrayLike | None, n_items: int) -> FloatArray:
    if guessing is None:
        return np.zeros(n_items)
    c = np.asarray(guessing, dtype=np.float64)
    if c.shape != (n_items,):
        raise ValueError(f"guessing must have shape ({n_items},), got {c.shape}")
    if not ((c >= 0) & (c < 1)).all():
        raise ValueError("guessing must hold values in [0, 1)")
    return c


def _check_responses(
    students: npt.ArrayLike, items: npt.ArrayLike, scores: npt.ArrayLike, n_items: int
) -> tuple[IntArray, IntArray, FloatArray]:
    student, item = np.asarray(students), np.asarray(items)
    score = np.asarray(scores, dtype=np.float64)
    for name, array in (("students", student), ("items", item), ("scores", score)):
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if not student.shape == item.shape == score.shape:
        raise ValueError(
            "students, items and scores must have equal length, got "
            f"{student.shape[0]}, {item.shape[0]} and {score.shape[0]}"
        )
    for name, array in (("students", student), ("items", item)):
        if array.size and (not np.issubdtype(array.dtype, np.integer) or (array < 0).any()):
            raise ValueError(f"{name} must be non-negative integer codes")
    if item.size and item.max() >= n_items:
        raise ValueError(f"items holds code {int(item.max())} but q_weights has {n_items} rows")
    observed: BoolArray = ~np.isnan(score)
    if ((score[observed] < 0) | (score[observed] > 1)).any():
        raise ValueError("scores must hold values in [0, 1] or NaN (missing)")
    return (
        student[observed].astype(np.int64),
        item[observed].astype(np.int64),
        score[observed],
    )


def _check_contexts(contexts: npt.ArrayLike | None, scores: npt.ArrayLike) -> IntArray:
    """Contexts of the observed responses (NaN scores dropped), 0 where none are given."""
    observed = ~np.isnan(np.asarray(scores, dtype=np.float64))
    if contexts is None:
        return np.zeros(int(observed.sum()), dtype=np.int64)
    context = np.asarray(contexts)
    if context.shape != observed.shape:
        raise ValueError(f"contexts must have shape {observed.shape}, got {context.shape}")
    if context.size and (not np.issubdtype(context.dtype, np.integer) or (context < 0).any()):
        raise ValueError("contexts must be non-negative integer codes")
    checked: IntArray = context[observed].astype(np.int64)
    return checked


def _n_students(student: IntArray, n_students: int | None) -> int:
    needed = int(student.max()) + 1 if student.size else 1
    if n_students is None:
        return needed
    if n_students < needed:
        raise ValueError(f"n_students={n_students} but students holds code {needed - 1}")
    return n_students


def _item_means(item: IntArray, score: FloatArray, n_items: int) -> FloatArray:
    total = np.bincount(item, weights=score, minlength=n_items)
    count = np.bincount(item, minlength=n_items)
    means: FloatArray = (total + 0.5) / (count + 1.0)
    return means


__all__ = ["MasteryEstimate", "MasteryEvidence", "MasteryModel"]
