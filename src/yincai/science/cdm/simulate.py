"""Seeded cognitive-diagnosis data with a prerequisite hierarchy, for tests and benchmarks.

``random_hierarchy`` draws a curriculum-like DAG (mostly chains of a few kps, some kps with two
prerequisites, some roots), ``random_q_matrix`` an exam's Q-matrix on it (every kp the main kp of
about the same number of items, a third of the items on two or three kps), and
``simulate_hierarchical_dina`` students whose mastery follows the hierarchy: kp k is mastered
with probability ``kp_prior[k]`` once all its prerequisites are, never before (the Bayesian-network
prior the sampled E-step assumes), and who answer by DINA. Everything comes back with the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.science.base import FloatArray, IntArray, check_random_state
from yincai.science.cdm.dina import ideal_response
from yincai.science.cdm.hierarchy import check_hierarchy, parents_of, topological_order
from yincai.science.validation import check_q_matrix

ROOT_RATE = 0.2  # share of kps that start a new strand of the curriculum
SECOND_PARENT_RATE = 0.2  # share of the other kps that build on two earlier kps
PARENT_WINDOW = 4  # a prerequisite is one of the few kps taught just before
KPS_PER_ITEM_SHARES = (0.65, 0.25, 0.10)  # items on 1, 2 and 3 kps
SLIP_RANGE = (0.05, 0.2)
GUESS_RANGE = (0.05, 0.25)
KP_PRIOR_RANGE = (0.55, 0.9)  # P(mastered | prerequisites mastered)


@dataclass(frozen=True)
class CDMSimulation:
    """Simulated answers and the truth behind them."""

    responses: FloatArray  # (n_students, n_items) 0/1
    mastery: IntArray  # (n_students, n_kps) the true patterns
    q_matrix: IntArray  # (n_items, n_kps)
    hierarchy: IntArray  # (n_edges, 2) (pre, post)
    slip: FloatArray  # (n_items,)
    guess: FloatArray  # (n_items,)
    kp_prior: FloatArray  # (n_kps,) P(mastered | prerequisites mastered)


def random_hierarchy(
    n_kps: int, *, random_state: int | np.random.Generator | None = None
) -> IntArray:
    """A prerequisite DAG on kps 0..n_kps−1, edges (pre, post) with pre < post."""
    if n_kps < 1:
        raise ValueError(f"n_kps must be positive, got {n_kps}")
    rng = check_random_state(random_state)
    edges: list[tuple[int, int]] = []
    for kp in range(1, n_kps):
        if rng.random() < ROOT_RATE:
            continue
        window = np.arange(max(0, kp - PARENT_WINDOW), kp)
        n_parents = 2 if window.size > 1 and rng.random() < SECOND_PARENT_RATE else 1
        edges.extend((int(pre), kp) for pre in rng.choice(window, n_parents, replace=False))
    return check_hierarchy(np.array(edges, dtype=np.int64).reshape(-1, 2), n_kps)


def random_q_matrix(
    n_kps: int, n_items: int, *, random_state: int | np.random.Generator | None = None
) -> IntArray:
    """An (n_items, n_kps) Q-matrix: item i's main kp is i mod n_kps, plus 0–2 nearby kps."""
    if n_kps < 1 or n_items < n_kps:
        raise ValueError(f"need n_kps ≥ 1 and n_items ≥ n_kps, got {n_kps} and {n_items}")
    rng = check_random_state(random_state)
    q = np.zeros((n_items, n_kps), dtype=np.int64)
    for item in range(n_items):
        main = item % n_kps
        q[item, main] = 1
        n_more = min(rng.choice(3, p=KPS_PER_ITEM_SHARES), n_kps - 1)
        if n_more:
            nearby = np.setdiff1d(np.arange(max(0, main - 6), min(n_kps, main + 7)), [main])
            q[item, rng.choice(nearby, min(n_more, nearby.size), replace=False)] = 1
    return q


def simulate_patterns(
    n_students: int,
    hierarchy: IntArray,
    kp_prior: FloatArray,
    rng: np.random.Generator,
) -> IntArray:
    """Patterns drawn kp by kp in prerequisite order from the Bayesian-network prior."""
    n_kps = kp_prior.size
    parents = parents_of(hierarchy, n_kps)
    mastery = np.zeros((n_students, n_kps), dtype=np.int64)
    draws = rng.random((n_students, n_kps))
    for kp in topological_order(hierarchy, n_kps).tolist():
        ready = mastery[:, parents[kp]].all(axis=1)
        mastery[:, kp] = ready & (draws[:, kp] < kp_prior[kp])
    return mastery


def simulate_hierarchical_dina(
    n_kps: int,
    n_items: int,
    n_students: int,
    *,
    q_matrix: npt.ArrayLike | None = None,
    hierarchy: npt.ArrayLike | None = None,
    random_state: int | np.random.Generator | None = None,
) -> CDMSimulation:
    """DINA answers of students whose mastery respects a prerequisite hierarchy.

    The Q-matrix and the hierarchy are drawn (``random_q_matrix``, ``random_hierarchy``) unless
    given; slips, guesses and kp priors are drawn uniformly from ``SLIP_RANGE``,
    ``GUESS_RANGE`` and ``KP_PRIOR_RANGE``.
    """
    if n_students < 1:
        raise ValueError(f"n_students must be positive, got {n_students}")
    rng = check_random_state(random_state)
    edges = (
        random_hierarchy(n_kps, random_state=rng)
        if hierarchy is None
        else check_hierarchy(hierarchy, n_kps)
    )
    q = (
        random_q_matrix(n_kps, n_items, random_state=rng)
        if q_matrix is None
        else check_q_matrix(q_matrix, n_items)
    )
    if q.shape[1] != n_kps:
        raise ValueError(f"q_matrix has {q.shape[1]} columns, expected n_kps={n_kps}")
    slip = rng.uniform(*SLIP_RANGE, n_items)
    guess = rng.uniform(*GUESS_RANGE, n_items)
    kp_prior = rng.uniform(*KP_PRIOR_RANGE, n_kps)
    mastery = simulate_patterns(n_students, edges, kp_prior, rng)
    # by item, so that 50,000 students × 600 items never builds a (students × items × kps) array
    responses = np.empty((n_students, n_items))
    for item in range(n_items):
        ideal = ideal_response(q[item : item + 1], mastery)[0]
        p_right = np.where(ideal == 1, 1.0 - slip[item], guess[item])
        responses[:, item] = rng.random(n_students) < p_right
    return CDMSimulation(
        responses=responses,
        mastery=mastery,
        q_matrix=q,
        hierarchy=edges,
        slip=slip,
        guess=guess,
        kp_prior=kp_prior,
    )


__all__ = [
    "CDMSimulation",
    "random_hierarchy",
    "random_q_matrix",
    "simulate_hierarchical_dina",
    "simulate_patterns",
]
