"""Simulated response matrices with known parameters, for tests, examples and benchmarks.

Every simulator takes ``random_state`` and returns the responses together with the true
parameters, so a fit can be checked against the truth. Defaults follow common simulation designs:
log a ~ N(0, 0.25), b ~ N(0, 1), θ ~ N(0, 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit

from yincai.science.base import FloatArray, IntArray, check_random_state

LOG_DISCRIMINATION_SD = 0.25
GUESSING_RANGE = (0.1, 0.3)  # guessing of four- to ten-option choice items


def _check_sizes(n_students: int, n_items: int) -> None:
    if n_students < 1 or n_items < 1:
        raise ValueError(f"n_students and n_items must be positive, got {n_students} and {n_items}")


def _blank_out(responses: FloatArray, missing_rate: float, rng: np.random.Generator) -> FloatArray:
    if not 0.0 <= missing_rate < 1.0:
        raise ValueError(f"missing_rate must be in [0, 1), got {missing_rate}")
    if missing_rate > 0.0:
        responses[rng.random(responses.shape) < missing_rate] = np.nan
    return responses


def simulate_3pl(
    n_students: int,
    n_items: int,
    *,
    guessing: bool = True,
    missing_rate: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """0/1 responses from the 3PL model (the 2PL when ``guessing`` is False).

    Returns
    -------
    responses : (n_students, n_items) 0/1, NaN for a ``missing_rate`` share of cells.
    a, b, c : (n_items,) discrimination, difficulty and guessing.
    theta : (n_students,) abilities.
    """
    _check_sizes(n_students, n_items)
    rng = check_random_state(random_state)
    a = np.exp(rng.normal(0.0, LOG_DISCRIMINATION_SD, n_items))
    b = rng.normal(0.0, 1.0, n_items)
    c = rng.uniform(*GUESSING_RANGE, n_items) if guessing else np.zeros(n_items)
    theta = rng.normal(0.0, 1.0, n_students)
    p = c + (1.0 - c) * expit(a * (theta[:, None] - b))
    responses = (rng.random((n_students, n_items)) < p).astype(np.float64)
    return _blank_out(responses, missing_rate, rng), a, b, c, theta


def simulate_2pl(
    n_students: int,
    n_items: int,
    *,
    missing_rate: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """0/1 responses from the 2PL model.

    Returns
    -------
    responses : (n_students, n_items) 0/1, NaN for a ``missing_rate`` share of cells.
    a, b : (n_items,) discrimination and difficulty.
    theta : (n_students,) abilities.
    """
    responses, a, b, _, theta = simulate_3pl(
        n_students, n_items, guessing=False, missing_rate=missing_rate, random_state=random_state
    )
    return responses, a, b, theta


def simulate_gpcm(
    n_students: int,
    n_items: int,
    n_categories: int | Sequence[int] = 4,
    *,
    missing_rate: float = 0.0,
    random_state: int | np.random.Generator | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Partial-credit scores 0 .. m_j from the generalised partial credit model.

    ``n_categories`` is one count for all items or one per item, each at least 2 (scores run
    0 .. count - 1).

    Returns
    -------
    responses : (n_students, n_items) integer scores as floats, NaN where missing.
    a : (n_items,) discrimination.
    b : (n_items, max_categories - 1) step difficulties, NaN past an item's last step.
    theta : (n_students,) abilities.
    """
    _check_sizes(n_students, n_items)
    counts: IntArray = np.broadcast_to(np.asarray(n_categories, dtype=np.int64), (n_items,)).copy()
    if (counts < 2).any():
        raise ValueError("every item needs at least 2 categories")
    rng = check_random_state(random_state)
    n_steps = int(counts.max()) - 1
    a = np.exp(rng.normal(0.0, LOG_DISCRIMINATION_SD, n_items))
    location = rng.normal(0.0, 1.0, n_items)
    steps = np.sort(rng.normal(0.0, 1.0, (n_items, n_steps)), axis=1)
    has_step = np.arange(n_steps) < (counts - 1)[:, None]
    steps -= np.where(has_step, steps, 0.0).sum(axis=1, keepdims=True) / (counts - 1)[:, None]
    b = np.where(has_step, location[:, None] + steps, np.nan)
    theta = rng.normal(0.0, 1.0, n_students)
    # z_k = a (k θ - Σ_{v ≤ k} b_v) for k = 0 .. n_steps, -inf for categories an item lacks
    cumulative = np.concatenate([np.zeros((n_items, 1)), np.cumsum(np.nan_to_num(b), axis=1)], 1)
    k = np.arange(n_steps + 1)
    z = a[:, None, None] * (k[None, :, None] * theta - cumulative[:, :, None])
    z = np.where(np.concatenate([np.ones((n_items, 1), bool), has_step], 1)[:, :, None], z, -np.inf)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)  # (n_items, n_categories, n_students)
    draws = rng.random((n_items, 1, n_students))
    responses = (draws > cdf).sum(axis=1).T.astype(np.float64)
    responses = np.minimum(responses, (counts - 1)[None, :])
    return _blank_out(responses, missing_rate, rng), a, b, theta
