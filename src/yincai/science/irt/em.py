"""The EM loop shared by the IRT models, accelerated by SQUAREM (Varadhan & Roland, 2008).

A model supplies one map ``update(x) -> (x_next, objective_at_x)``: an E-step at the flat,
unconstrained parameter vector ``x`` followed by its M-step, and the penalised marginal
log-likelihood at ``x``. SQUAREM extrapolates two such updates along the squared secant, which
typically cuts the number of E-steps (the costly part) by a factor of three to five, and falls
back to the plain EM step whenever the extrapolated point does not improve the objective.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from yincai.science.base import FloatArray

Update = Callable[[FloatArray], tuple[FloatArray, float]]

MIN_STEP = -1.0  # SQUAREM step length -1 is the plain double EM step; never shorter than that
MAX_STEP = -64.0  # and never longer than this, so one bad secant cannot throw the fit far away
PARAMETER_BOUND = 20.0  # extrapolated points stay where exp/log of every parameter is finite


@dataclass(frozen=True)
class EMResult:
    """Final parameters, the number of E-steps run and whether the change fell below ``tol``."""

    parameters: FloatArray
    objective: float
    n_iter: int
    converged: bool


def run_em(
    update: Update, start: FloatArray, *, max_iter: int, tol: float, accelerate: bool
) -> EMResult:
    """Iterate ``update`` from ``start`` until no parameter moves more than ``tol``.

    ``max_iter`` bounds the number of E-steps; each SQUAREM cycle spends three.
    """
    x = np.asarray(start, dtype=np.float64)
    n_iter = 0
    objective = -np.inf
    while n_iter < max_iter:
        x1, objective = update(x)
        n_iter += 1
        if np.max(np.abs(x1 - x)) < tol:
            return EMResult(x1, objective, n_iter, True)
        if not accelerate or n_iter + 2 > max_iter:
            x = x1
            continue
        x2, objective1 = update(x1)
        n_iter += 1
        r = x1 - x
        v = x2 - x1 - r
        v_norm = float(np.sqrt(v @ v))
        step = MIN_STEP if v_norm == 0.0 else -float(np.sqrt(r @ r)) / v_norm
        step = min(max(step, MAX_STEP), MIN_STEP)
        candidate = np.clip(x - 2.0 * step * r + step**2 * v, -PARAMETER_BOUND, PARAMETER_BOUND)
        x3, objective3 = update(candidate)
        n_iter += 1
        if objective3 >= objective1:
            x_next, objective = x3, objective3
        else:
            x_next, objective = x2, objective1
        if np.max(np.abs(x_next - x)) < tol:
            return EMResult(x_next, objective, n_iter, True)
        x = x_next
    return EMResult(x, objective, n_iter, False)
