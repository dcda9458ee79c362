"""Ability scoring of response rows by EAP and MAP, with standard errors.

Both estimators work from a model's log-probability terms (see ``quadrature``), so they serve every
IRT model alike. The ability prior is the N(0, 1) population the models are calibrated on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from yincai.science.base import FloatArray

LogTerms = Callable[[FloatArray], tuple[FloatArray, FloatArray]]

SCORING_BOUND = 6.0  # wide enough that an all-correct row still has its posterior inside the grid
SCORING_NODES = 121  # spacing 0.1: the trapezoid rule is then exact to ~1e-8 for test-length peaks
NEWTON_STEPS = 20  # MAP refinement; the log posterior is concave near its mode, so few are needed
NEWTON_TOL = 1e-8
DIFFERENCE_STEP = 1e-4  # finite-difference step for the derivatives of the log posterior
MAX_NEWTON_STEP = 0.5  # keeps a Newton step from jumping past the mode on flat likelihoods


def _log_posterior_at(
    log_terms: LogTerms, indicators: FloatArray, mask: FloatArray, theta: FloatArray
) -> FloatArray:
    """(n_students,) log posterior of each row at its own ability ``theta``."""
    log_odds, log_base = log_terms(theta)
    likelihood: FloatArray = (log_odds * indicators.T).sum(axis=0) + (log_base * mask.T).sum(axis=0)
    return likelihood - 0.5 * theta**2


def _grid_log_posterior(
    log_terms: LogTerms, indicators: FloatArray, mask: FloatArray
) -> tuple[FloatArray, FloatArray]:
    nodes = np.linspace(-SCORING_BOUND, SCORING_BOUND, SCORING_NODES)
    log_odds, log_base = log_terms(nodes)
    return nodes, indicators @ log_odds + mask @ log_base - 0.5 * nodes**2


def expected_a_posteriori(
    log_terms: LogTerms, indicators: FloatArray, mask: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """EAP abilities and posterior SDs.

    Parameters
    ----------
    log_terms : maps abilities (n,) to log odds (n_columns, n) and log base terms (n_items, n).
    indicators : (n_students, n_columns) 1 where the column's category was observed.
    mask : (n_students, n_items) 1 where the item was answered.

    Returns
    -------
    theta, se : (n_students,) posterior mean and SD.
    """
    nodes, log_posterior = _grid_log_posterior(log_terms, indicators, mask)
    log_posterior -= log_posterior.max(axis=1, keepdims=True)
    posterior = np.exp(log_posterior)
    posterior /= posterior.sum(axis=1, keepdims=True)
    theta = posterior @ nodes
    variance = posterior @ nodes**2 - theta**2
    return theta, np.sqrt(np.maximum(variance, 0.0))


def maximum_a_posteriori(
    log_terms: LogTerms, indicators: FloatArray, mask: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """MAP abilities (posterior modes) and SEs from the curvature of the log posterior.

    Starts every row at the best node of a fine grid, then takes Newton steps with
    finite-difference derivatives, all rows at once. Arguments as ``expected_a_posteriori``.
    """
    nodes, log_posterior = _grid_log_posterior(log_terms, indicators, mask)
    theta = nodes[np.argmax(log_posterior, axis=1)]
    h = DIFFERENCE_STEP
    curvature = np.ones_like(theta)
    for _ in range(NEWTON_STEPS):
        centre = _log_posterior_at(log_terms, indicators, mask, theta)
        above = _log_posterior_at(log_terms, indicators, mask, theta + h)
        below = _log_posterior_at(log_terms, indicators, mask, theta - h)
        slope = (above - below) / (2 * h)
        curvature = np.maximum(-(above - 2 * centre + below) / h**2, 1e-6)
        step = np.clip(slope / curvature, -MAX_NEWTON_STEP, MAX_NEWTON_STEP)
        theta = theta + step
        if np.max(np.abs(step)) < NEWTON_TOL:
            break
    return theta, 1.0 / np.sqrt(curvature)
