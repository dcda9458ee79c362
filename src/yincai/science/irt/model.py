"""The base every IRT model shares: marginal maximum likelihood by EM, and ability scoring."""

from __future__ import annotations

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
)
from yincai.science.irt.ability import expected_a_posteriori, maximum_a_posteriori
from yincai.science.irt.em import run_em
from yincai.science.irt.quadrature import (
    MISSING_CODE,
    Expectation,
    e_step,
    encode_patterns,
    normal_grid,
)

SCORING_BLOCK = 10_000  # rows scored at once: MAP evaluates every item at every row's own ability


class IRTModel(Estimator):
    """Shared machinery; subclasses define the item response function and its M-step.

    A subclass keeps its parameters as one flat unconstrained vector ``x`` (log discrimination,
    difficulties, logit guessing ...) and implements ``_codes``, ``_start``, ``_terms``,
    ``_m_step``, ``_log_prior`` and ``_store``. Column ``c`` of the indicator matrix stands for
    category ``_column_category[c]`` of item ``_column_item[c]``.
    """

    n_quadrature: int
    max_iter: int
    tol: float
    accelerate: bool

    _column_item: IntArray
    _column_category: IntArray
    _parameters: FloatArray

    # --- hooks -------------------------------------------------------------------------------
    def _codes(self, responses: npt.ArrayLike, *, fitting: bool) -> npt.NDArray[np.uint8]:
        """Validate responses into (n_students, n_items) category codes; set columns if fitting."""
        raise NotImplementedError

    def _start(self, codes: npt.NDArray[np.uint8]) -> FloatArray:
        """Starting parameter vector from the raw category frequencies."""
        raise NotImplementedError

    def _terms(self, x: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log odds (n_columns, n) and log base terms (n_items, n) at abilities ``theta`` (n,)."""
        raise NotImplementedError

    def _m_step(self, x: FloatArray, expectation: Expectation, nodes: FloatArray) -> FloatArray:
        """Parameters maximising the expected complete-data log posterior, starting from ``x``."""
        raise NotImplementedError

    def _log_prior(self, x: FloatArray) -> float:
        """Log prior density of ``x`` (up to a constant), added to the marginal likelihood."""
        raise NotImplementedError

    def _store(self, x: FloatArray) -> None:
        """Set the public learned attributes from the final parameter vector."""
        raise NotImplementedError

    # --- fitting -----------------------------------------------------------------------------
    def fit(self, responses: npt.ArrayLike) -> Self:
        """Calibrate the items by marginal maximum likelihood (EM over a normal quadrature).

        Parameters
        ----------
        responses : (n_students, n_items) scores, NaN where not answered.

        Also sets ``theta_`` and ``theta_se_`` (n_students,), the EAP abilities of the fitted
        students on the calibration grid, ``n_observed_`` (n_items,) answers per item (an item
        with none keeps its prior), ``n_iter_`` (E-steps run) and ``log_likelihood_``.
        """
        if self.max_iter < 1:
            raise ValueError(f"max_iter must be at least 1, got {self.max_iter}")
        codes = self._codes(responses, fitting=True)
        patterns = encode_patterns(codes, self._column_item, self._column_category)
        nodes, log_weights = normal_grid(self.n_quadrature)

        def update(x: FloatArray) -> tuple[FloatArray, float]:
            log_odds, log_base = self._terms(x, nodes)
            expectation = e_step(patterns, log_odds, log_base, nodes, log_weights)
            return self._m_step(
                x, expectation, nodes
            ), expectation.log_likelihood + self._log_prior(x)

        result = run_em(
            update,
            self._start(codes),
            max_iter=self.max_iter,
            tol=self.tol,
            accelerate=self.accelerate,
        )
        if not result.converged:
            warnings.warn(
                f"{type(self).__name__} stopped after max_iter={self.max_iter} E-steps before the "
                f"parameter change fell below tol={self.tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        log_odds, log_base = self._terms(result.parameters, nodes)
        final = e_step(patterns, log_odds, log_base, nodes, log_weights, want_abilities=True)
        assert final.theta_mean is not None and final.theta_sd is not None
        self._parameters = result.parameters
        self._store(result.parameters)
        self.theta_ = final.theta_mean[patterns.inverse]
        self.theta_se_ = final.theta_sd[patterns.inverse]
        self.n_observed_ = patterns.n_observed
        self.n_iter_ = result.n_iter
        self.log_likelihood_ = final.log_likelihood
        return self

    # --- scoring -----------------------------------------------------------------------------
    def _log_terms(self, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        return self._terms(self._parameters, theta)

    def predict_ability(
        self, responses: npt.ArrayLike, *, method: Literal["eap", "map"] = "eap"
    ) -> tuple[FloatArray, FloatArray]:
        """Abilities of response rows under the calibrated items.

        Parameters
        ----------
        responses : (n_students, n_items) scores, NaN where not answered (a row with no answers
            gets the prior, θ = 0 with SE 1).
        method : ``"eap"`` posterior mean and SD, or ``"map"`` posterior mode and the SE from
            the curvature of the log posterior.

        Returns
        -------
        theta, se : (n_students,) arrays.
        """
        check_is_fitted(self)
        if method not in ("eap", "map"):
            raise ValueError(f"method must be 'eap' or 'map', got {method!r}")
        estimate = expected_a_posteriori if method == "eap" else maximum_a_posteriori
        codes = self._codes(responses, fitting=False)
        theta, se = np.empty(codes.shape[0]), np.empty(codes.shape[0])
        for start in range(0, codes.shape[0], SCORING_BLOCK):
            rows = slice(start, start + SCORING_BLOCK)
            indicators = (codes[rows][:, self._column_item] == self._column_category).astype(float)
            mask = (codes[rows] != MISSING_CODE).astype(np.float64)
            theta[rows], se[rows] = estimate(self._log_terms, indicators, mask)
        return theta, se

    def _theta_from(
        self, responses: npt.ArrayLike | None, theta: npt.ArrayLike | None
    ) -> FloatArray:
        check_is_fitted(self)
        if (responses is None) == (theta is None):
            raise ValueError("give exactly one of responses or theta")
        if responses is not None:
            return self.predict_ability(responses)[0]
        values = np.asarray(theta, dtype=np.float64)
        if values.ndim != 1 or not np.isfinite(values).all():
            raise ValueError(f"theta must be a finite 1-D array, got shape {values.shape}")
        return values
