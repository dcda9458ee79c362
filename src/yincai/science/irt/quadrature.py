"""Quadrature grid, response-pattern compression and the vectorised E-step shared by IRT models.

Every model is written in one form: an item ``j`` with categories ``0 .. m_j`` contributes, at
ability ``θ``, ``log P_j(0 | θ)`` (its *base*) plus, when category ``k > 0`` was observed, the
*log odds* ``log P_j(k | θ) - log P_j(0 | θ)``. Responses become a 0/1 indicator matrix with one
column per non-zero category, so the log-likelihood of every student at every node is one matrix
product, and the expected counts of the M-step are another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.science.base import FloatArray, IntArray

Float32Array = npt.NDArray[np.float32]

GRID_BOUND = (
    5.0  # ability grid spans ±5 SD of the N(0, 1) population; outside it the prior is < 1e-6
)
BLOCK_SIZE = 8192  # patterns per block: a (n_nodes, block) posterior stays in the CPU cache
MISSING_CODE = 255  # category code of a missing answer in the uint8 pattern matrix


def normal_grid(n_nodes: int, bound: float = GRID_BOUND) -> tuple[FloatArray, FloatArray]:
    """Equally spaced nodes with N(0, 1) weights (the trapezoid rule, exact-fast for smooth peaks).

    Returns
    -------
    nodes : (n_nodes,) ability values from ``-bound`` to ``bound``.
    log_weights : (n_nodes,) log prior mass of each node, summing to one.
    """
    if n_nodes < 5:
        raise ValueError(f"n_quadrature must be at least 5, got {n_nodes}")
    nodes = np.linspace(-bound, bound, n_nodes)
    log_weights = -0.5 * nodes**2
    log_weights -= np.log(np.exp(log_weights).sum())
    return nodes, log_weights


@dataclass(frozen=True)
class Patterns:
    """Responses compressed to unique patterns and cut into column blocks for the E-step.

    Attributes
    ----------
    indicators : list of (n_columns, block) float32 arrays, 1 where the column's category was seen.
    masks : list of (n_items, block) float32 arrays, 1 where the item was answered; None if no gaps.
    counts : list of (block,) float32 arrays, how many students gave each pattern.
    inverse : (n_students,) index of each student's pattern in the concatenated blocks.
    n_observed : (n_items,) number of students who answered each item.
    """

    indicators: list[Float32Array]
    masks: list[Float32Array] | None
    counts: list[Float32Array]
    inverse: IntArray
    n_observed: IntArray


def encode_patterns(
    codes: npt.NDArray[np.uint8], column_item: IntArray, column_category: IntArray
) -> Patterns:
    """Compress a (n_students, n_items) uint8 category matrix (MISSING_CODE = not answered).

    ``column_item`` and ``column_category`` (n_columns,) name the item and category of each
    indicator column.
    """
    # 0/1 rows pack to one bit per answer, which makes the row sort of np.unique cheap
    key = np.packbits(codes.astype(bool), axis=1) if np.all(codes < 2) else codes
    key = np.ascontiguousarray(key)
    rows = key.view(np.dtype((np.void, key.shape[1]))).ravel()
    _, first, inverse, counts = np.unique(
        rows, return_index=True, return_inverse=True, return_counts=True
    )
    unique_codes = codes[first]
    observed = codes != MISSING_CODE
    has_gaps = not bool(observed.all())
    indicators: list[Float32Array] = []
    masks: list[Float32Array] = []
    blocks: list[Float32Array] = []
    for start in range(0, unique_codes.shape[0], BLOCK_SIZE):
        part = unique_codes[start : start + BLOCK_SIZE]
        indicators.append(
            np.ascontiguousarray((part[:, column_item] == column_category).T, dtype=np.float32)
        )
        if has_gaps:
            masks.append(np.ascontiguousarray((part != MISSING_CODE).T, dtype=np.float32))
        blocks.append(counts[start : start + BLOCK_SIZE].astype(np.float32))
    return Patterns(
        indicators=indicators,
        masks=masks if has_gaps else None,
        counts=blocks,
        inverse=inverse.ravel().astype(np.int64),
        n_observed=observed.sum(axis=0).astype(np.int64),
    )


@dataclass(frozen=True)
class Expectation:
    """What one E-step returns.

    Attributes
    ----------
    column_counts : (n_columns, n_nodes) expected number of students at each node in each column.
    item_counts : (n_items, n_nodes) expected number of students at each node who answered.
    log_likelihood : marginal log-likelihood of all students at the parameters used.
    theta_mean, theta_sd : (n_patterns,) posterior mean and SD of each pattern, when asked for.
    """

    column_counts: FloatArray
    item_counts: FloatArray
    log_likelihood: float
    theta_mean: FloatArray | None = None
    theta_sd: FloatArray | None = None


def e_step(
    patterns: Patterns,
    log_odds: FloatArray,
    log_base: FloatArray,
    nodes: FloatArray,
    log_weights: FloatArray,
    *,
    want_abilities: bool = False,
) -> Expectation:
    """Posterior over the nodes for every pattern, reduced to expected counts by matrix products.

    Parameters
    ----------
    log_odds : (n_columns, n_nodes) log P(category) - log P(category 0) of each column.
    log_base : (n_items, n_nodes) log P(category 0) of each item.
    """
    odds_t = np.ascontiguousarray(log_odds.T, dtype=np.float32)
    base_t = np.ascontiguousarray(log_base.T, dtype=np.float32)
    complete_base = (base_t.sum(axis=1) + log_weights).astype(np.float32)[:, None]
    prior = log_weights.astype(np.float32)[:, None]
    column_counts = np.zeros(log_odds.shape, dtype=np.float64)
    item_counts = np.zeros(log_base.shape, dtype=np.float64)
    total = 0.0
    means: list[FloatArray] = []
    sds: list[FloatArray] = []
    for index, indicator in enumerate(patterns.indicators):
        counts = patterns.counts[index]
        joint = odds_t @ indicator  # (n_nodes, block) log-likelihood up to the base terms
        if patterns.masks is None:
            joint += complete_base
        else:
            joint += base_t @ patterns.masks[index]
            joint += prior
        peak = joint.max(axis=0)
        joint -= peak
        np.exp(joint, out=joint)
        mass = joint.sum(axis=0)
        total += float(counts.astype(np.float64) @ (np.log(mass.astype(np.float64)) + peak))
        joint *= counts / mass  # each pattern's posterior, weighted by how many students gave it
        column_counts += indicator @ joint.T
        if patterns.masks is None:
            item_counts += joint.sum(axis=1)
        else:
            item_counts += patterns.masks[index] @ joint.T
        if want_abilities:
            posterior = joint.astype(np.float64) / counts
            mean = nodes @ posterior
            means.append(mean)
            sds.append(np.sqrt(np.maximum((nodes**2) @ posterior - mean**2, 0.0)))
    if want_abilities:
        return Expectation(
            column_counts,
            item_counts,
            total,
            np.concatenate(means),
            np.concatenate(sds),
        )
    return Expectation(column_counts, item_counts, total)
