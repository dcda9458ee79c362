"""The EM machinery that DINA and G-DINA share: latent attribute classes, posteriors, the fit loop.

Every student holds one attribute pattern (latent class). A model only says how likely a right
answer is for each item's *reduced* pattern, the pattern of the item's own kps (``k_j`` of them,
``2**k_j`` codes): one flat array of P(right) over all items' codes. The rest lives here:

* **exact** E-step: when the patterns are few (all ``2**n_kps``, or only those a prerequisite
  hierarchy permits, at most ``max_classes``), each student's posterior over them, with a free
  prior per class, as the classic EM of de la Torre (2009, 2011);
* **sampled** E-step: past that, a seeded Gibbs sampler over the permissible patterns
  (``sampling.PatternSampler``) inside a stochastic EM whose second half averages the sufficient
  statistics (a stochastic-approximation EM), with a Bayesian-network prior on the hierarchy.
  Predictions then average posterior samples.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Literal, Self

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
from yincai.science.cdm.hierarchy import check_hierarchy, permissible_patterns
from yincai.science.cdm.sampling import (
    PatternSampler,
    prior_from_counts,
    reduced_offsets,
    reduced_weights,
)
from yincai.science.validation import check_q_matrix, check_responses

MAX_KPS = (
    14  # attribute_patterns lists at most 2**14 patterns; more kps need a hierarchy or sampling
)
MAX_CLASSES = 2**14  # the exact E-step holds an (n_students, n_classes) posterior
MAX_POSTERIOR_CELLS = 2**26  # 512 MB a copy; math1 (4,209 students × 2,048 patterns) needs 8.6M
AVERAGED_SHARE = 0.5  # the sampled EM averages its statistics over the last half of its sweeps
WARM_START_SHARE = 0.5  # of the sampled sweeps, run with the M-step of _maximise_warm
POSTERIOR_BURN_IN_SHARE = 0.25  # of the predict sweeps, discarded before averaging
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
    """Base of the latent-class diagnosis models, fitted by EM over attribute patterns.

    Subclasses define ``_initial_items`` and ``_maximise_items`` on the flat array of reduced
    patterns. Learns ``q_matrix_`` (n_items, n_kps), ``hierarchy_`` (n_edges, 2),
    ``e_step_`` ("exact" or "sampled"), ``item_success_`` (one array of ``2**k_j`` per item),
    ``n_iter_``; with the exact E-step also ``patterns_`` (n_classes, n_kps), ``class_prior_``
    (n_classes,), ``success_`` (n_items, n_classes) and ``log_likelihood_``; with the sampled one
    ``kp_prior_`` (n_kps,), P(kp mastered | its prerequisites mastered).
    """

    def __init__(
        self,
        *,
        max_iter: int = 500,
        tol: float = 1e-5,
        e_step: Literal["auto", "exact", "sampled"] = "auto",
        max_classes: int = MAX_CLASSES,
        n_sweeps: int = 300,
        posterior_sweeps: int = 100,
        random_state: int | None = None,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.e_step = e_step
        self.max_classes = max_classes
        self.n_sweeps = n_sweeps
        self.posterior_sweeps = posterior_sweeps
        self.random_state = random_state

    def _initial_items(self, n_needed: IntArray, rng: np.random.Generator) -> FloatArray:
        """Starting P(right) of every reduced pattern, flat over the items' tables."""
        raise NotImplementedError

    def _maximise_items(self, right: FloatArray, count: FloatArray) -> FloatArray:
        """New flat P(right) from expected right answers and answered counts per reduced pattern."""
        raise NotImplementedError

    def fit(
        self,
        responses: npt.ArrayLike,
        q_matrix: npt.ArrayLike,
        hierarchy: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by EM.

        Parameters
        ----------
        responses : array-like, shape (n_students, n_items)
            1 right, 0 wrong, NaN not answered; a score in [0, 1] counts as partial credit.
        q_matrix : array-like, shape (n_items, n_kps)
            1 where the item measures the knowledge point.
        hierarchy : array-like of (pre, post) pairs, optional
            Prerequisite edges between 0-based kp indices: only patterns that master every
            prerequisite of a mastered kp are permissible.

        Returns
        -------
        self
        """
        scores = check_responses(responses, binary=False)
        q = check_q_matrix(q_matrix, scores.shape[1])
        edges = check_hierarchy(hierarchy, q.shape[1])
        if self.max_iter < 1 or self.tol <= 0:
            raise ValueError("max_iter must be ≥ 1 and tol > 0")
        if self.e_step not in ("auto", "exact", "sampled"):
            raise ValueError(f"e_step must be 'auto', 'exact' or 'sampled', got {self.e_step!r}")
        if self.n_sweeps < 2 or self.posterior_sweeps < 2 or self.max_classes < 1:
            raise ValueError("n_sweeps and posterior_sweeps must be ≥ 2, max_classes ≥ 1")
        rng = check_random_state(self.random_state)
        for stale in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, stale)  # a refit with the other E-step must not keep the old attributes
        self._offsets = reduced_offsets(q)
        self.q_matrix_ = q
        self.hierarchy_ = edges
        patterns = self._pattern_space(q.shape[1], edges, scores.shape[0])
        if patterns is None:
            if self.e_step == "exact":
                raise ValueError(
                    f"e_step='exact' needs at most max_classes={self.max_classes} permissible "
                    f"patterns; {q.shape[1]} knowledge points have more (use 'auto' or 'sampled')"
                )
            flat = self._fit_sampled(scores, q, edges, rng)
            self.e_step_ = "sampled"
        else:
            flat = self._fit_exact(scores, q, patterns, rng)
            self.e_step_ = "exact"
        self.item_success_ = np.split(flat, self._offsets[1:])
        self._flat_success = flat
        self._posterior_cache: tuple[bytes, FloatArray, FloatArray] | None = None
        return self

    def _pattern_space(self, n_kps: int, edges: IntArray, n_students: int) -> IntArray | None:
        """The patterns to enumerate, or None when the E-step must sample."""
        if self.e_step == "sampled":
            return None
        if edges.shape[0] == 0 and n_kps <= MAX_KPS and 2**n_kps <= self.max_classes:
            patterns: IntArray | None = attribute_patterns(n_kps)
        else:
            patterns = permissible_patterns(n_kps, edges, self.max_classes)
        too_large = patterns is not None and n_students * patterns.shape[0] > MAX_POSTERIOR_CELLS
        if self.e_step == "auto" and too_large:
            return None  # the (n_students, n_classes) posterior would not fit: sample instead
        return patterns

    def _fit_exact(
        self, scores: FloatArray, q: IntArray, patterns: IntArray, rng: np.random.Generator
    ) -> FloatArray:
        flat_groups = (reduced_weights(q) @ patterns.T + self._offsets[:, None]).ravel()
        n_groups = int(self._offsets[-1] + 2 ** q[-1].sum())
        shape = (q.shape[0], patterns.shape[0])
        flat = self._initial_items(q.sum(axis=1), rng)
        success = flat[flat_groups].reshape(shape)
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
            right: FloatArray = np.bincount(
                flat_groups, (right_answers.T @ posterior).ravel(), n_groups
            ).astype(np.float64)
            count: FloatArray = np.bincount(
                flat_groups, (observed.T @ posterior).ravel(), n_groups
            ).astype(np.float64)
            flat = self._maximise_items(right, count)
            success = flat[flat_groups].reshape(shape)
            if abs(log_likelihood - previous) <= self.tol * max(1.0, abs(log_likelihood)):
                break
            previous = log_likelihood
        else:
            self._warn_iterations()
        self.patterns_ = patterns
        self.success_ = success
        self.class_prior_ = np.exp(log_prior)
        self.log_likelihood_ = class_posterior(scores, success, log_prior)[1]
        self.n_iter_ = n_iter
        return flat

    def _fit_sampled(
        self, scores: FloatArray, q: IntArray, edges: IntArray, rng: np.random.Generator
    ) -> FloatArray:
        """Stochastic EM: one Gibbs sweep, then an M-step, ``n_sweeps`` times.

        The first half moves the parameters with each sweep's sample; the second half uses the
        running average of the sufficient statistics since it began, so the parameters settle
        instead of jittering with the sampling noise.
        """
        sampler = PatternSampler(scores, q, edges)
        self._is_sampling = True
        flat = self._initial_items(q.sum(axis=1), rng)
        mastery, index = sampler.initial_state()
        rho = prior_from_counts(*sampler.prior_counts(mastery))
        n_free = self.n_sweeps - max(1, int(AVERAGED_SHARE * self.n_sweeps))
        totals = [np.zeros(sampler.n_groups), np.zeros(sampler.n_groups)]
        prior_totals = [np.zeros(q.shape[1]), np.zeros(q.shape[1])]
        for sweep in range(self.n_sweeps):
            sampler.sweep(mastery, index, flat, rho, rng)
            right, count = sampler.item_counts(index)
            mastered, eligible = sampler.prior_counts(mastery)
            if sweep >= n_free:
                for total, new in zip(
                    [*totals, *prior_totals], [right, count, mastered, eligible], strict=True
                ):
                    total += new
                right, count = totals
                mastered, eligible = prior_totals
                weight = 1.0 / (sweep - n_free + 1)
                right, count = right * weight, count * weight
                mastered, eligible = mastered * weight, eligible * weight
            warm = sweep < WARM_START_SHARE * self.n_sweeps
            flat = (self._maximise_warm if warm else self._maximise_items)(right, count)
            rho = prior_from_counts(mastered, eligible)
        self._is_sampling = False
        self.kp_prior_ = rho
        self.n_iter_ = self.n_sweeps
        return flat

    def _maximise_warm(self, right: FloatArray, count: FloatArray) -> FloatArray:
        """The M-step of the first sampled sweeps: a simpler model may steer clear of poor modes."""
        return self._maximise_items(right, count)

    def _warn_iterations(self) -> None:
        warnings.warn(
            f"{type(self).__name__} stopped after max_iter={self.max_iter} EM iterations "
            f"before the log-likelihood settled within tol={self.tol}",
            ConvergenceWarning,
            stacklevel=3,
        )

    def _check_scores(self, responses: npt.ArrayLike) -> FloatArray:
        check_is_fitted(self)
        scores = check_responses(responses, binary=False)
        if scores.shape[1] != self.q_matrix_.shape[0]:
            raise ValueError(
                f"responses have {scores.shape[1]} items but the model was fitted on "
                f"{self.q_matrix_.shape[0]}"
            )
        return scores

    def _sampled_posterior(self, scores: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Posterior mastery (n_students, n_kps) and P(right) (n_students, n_items) by sampling.

        Seeded by ``random_state``, so the same responses give the same answer; the last call's
        result is kept, since predict_mastery and predict_proba usually follow each other.
        """
        key = hashlib.blake2b(scores.tobytes(), digest_size=16).digest()
        if self._posterior_cache is not None and self._posterior_cache[0] == key:
            return self._posterior_cache[1], self._posterior_cache[2]
        rng = check_random_state(self.random_state)
        sampler = PatternSampler(scores, self.q_matrix_, self.hierarchy_)
        mastery, index = sampler.initial_state()
        burn_in = max(1, int(POSTERIOR_BURN_IN_SHARE * self.posterior_sweeps))
        mastery_sum = np.zeros(mastery.shape)
        proba_sum = np.zeros(index.shape[::-1])
        for sweep in range(self.posterior_sweeps):
            sampler.sweep(mastery, index, self._flat_success, self.kp_prior_, rng)
            if sweep >= burn_in:
                mastery_sum += mastery
                proba_sum += self._flat_success[index].T
        n_kept = self.posterior_sweeps - burn_in
        result = (mastery_sum / n_kept, proba_sum / n_kept)
        self._posterior_cache = (key, *result)
        return result

    def predict_class_proba(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior probability of each attribute pattern, shape (n_students, n_classes).

        Column c is the pattern ``patterns_[c]``; the students need not be those of ``fit``.
        Only with the exact E-step: a sampled pattern space has no list of classes.
        """
        scores = self._check_scores(responses)
        if self.e_step_ != "exact":
            raise ValueError(
                "the pattern space was sampled (too many patterns to list): use predict_mastery "
                "or predict_class"
            )
        posterior, _ = class_posterior(scores, self.success_, np.log(self.class_prior_))
        return posterior

    def predict_class(self, responses: npt.ArrayLike) -> IntArray:
        """Most probable mastery pattern (0/1), shape (n_students, n_kps).

        With the sampled E-step, the pattern of kps whose posterior mastery is at least one half
        (always permissible: a prerequisite is at least as probable as the kp that needs it).
        """
        scores = self._check_scores(responses)
        if self.e_step_ != "exact":
            result: IntArray = (self._sampled_posterior(scores)[0] >= 0.5).astype(np.int64)
            return result
        best = self.predict_class_proba(scores).argmax(axis=1)
        result = self.patterns_[best]
        return result

    def predict_mastery(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior probability that each student masters each kp, shape (n_students, n_kps)."""
        scores = self._check_scores(responses)
        if self.e_step_ != "exact":
            return self._sampled_posterior(scores)[0]
        result: FloatArray = self.predict_class_proba(scores) @ self.patterns_.astype(np.float64)
        return result

    def predict_proba(self, responses: npt.ArrayLike) -> FloatArray:
        """Posterior predictive probability of a right answer, shape (n_students, n_items).

        Missing cells get a prediction too, which is what held-out evaluation needs.
        """
        scores = self._check_scores(responses)
        if self.e_step_ != "exact":
            return self._sampled_posterior(scores)[1]
        result: FloatArray = self.predict_class_proba(scores) @ self.success_.T
        return result
