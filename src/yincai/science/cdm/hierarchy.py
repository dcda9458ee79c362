"""Attribute hierarchies: the curriculum's prerequisite graph as a constraint on mastery patterns.

A hierarchy is a list of edges ``(pre, post)`` between 0-based kp indices: mastering ``post``
needs ``pre``. A pattern is *permissible* when every mastered kp has all its prerequisites
mastered (Leighton, Gierl & Hunka 2004; the hierarchical diagnostic models of Templin & Bradshaw
2014). A chain of K kps leaves K + 1 of the ``2**K`` patterns, a forest of short chains a few
thousand out of billions; that is what lets a diagnosis over dozens of kps enumerate, and what a
sampled E-step respects where even the permissible patterns are too many.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from yincai.science.base import IntArray


def check_hierarchy(hierarchy: npt.ArrayLike | None, n_kps: int) -> IntArray:
    """The edges as an (n_edges, 2) array of (pre, post); ValueError unless a DAG on the kps.

    ``None`` or an empty list is the empty hierarchy (every pattern permissible). Repeated edges
    are kept once.
    """
    if hierarchy is None:
        return np.zeros((0, 2), dtype=np.int64)
    edges = np.asarray(hierarchy)
    if edges.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if edges.ndim != 2 or edges.shape[1] != 2:
        raise ValueError(f"hierarchy must be (pre, post) pairs, got shape {edges.shape}")
    if not np.issubdtype(edges.dtype, np.integer):
        raise ValueError("hierarchy must hold integer kp indices")
    if edges.min() < 0 or edges.max() >= n_kps:
        raise ValueError(f"hierarchy indices must lie in 0..{n_kps - 1}")
    if (edges[:, 0] == edges[:, 1]).any():
        raise ValueError("hierarchy has a kp that is its own prerequisite")
    result: IntArray = np.unique(edges.astype(np.int64), axis=0)
    topological_order(result, n_kps)  # raises on a cycle
    return result


def topological_order(edges: IntArray, n_kps: int) -> IntArray:
    """Kps ordered so that every prerequisite comes before the kps that need it (Kahn)."""
    indegree = np.bincount(edges[:, 1], minlength=n_kps)
    children = [edges[edges[:, 0] == k, 1].tolist() for k in range(n_kps)]
    ready = [k for k in range(n_kps) if indegree[k] == 0]
    order: list[int] = []
    while ready:
        kp = ready.pop(0)
        order.append(kp)
        for child in children[kp]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if len(order) != n_kps:
        raise ValueError("hierarchy has a cycle: prerequisites must form a DAG")
    return np.asarray(order, dtype=np.int64)


def parents_of(edges: IntArray, n_kps: int) -> list[IntArray]:
    """The direct prerequisites of each kp."""
    return [np.sort(edges[edges[:, 1] == k, 0]) for k in range(n_kps)]


def children_of(edges: IntArray, n_kps: int) -> list[IntArray]:
    """The kps that directly need each kp."""
    return [np.sort(edges[edges[:, 0] == k, 1]) for k in range(n_kps)]


def permissible_patterns(n_kps: int, hierarchy: IntArray, limit: int) -> IntArray | None:
    """Every pattern the hierarchy permits, shape (n_classes, n_kps), or None past ``limit``.

    Rows are in the order of their binary code (kp 0 the lowest bit), so with no hierarchy the
    result equals ``attribute_patterns``. Built kp by kp in topological order, doubling only the
    partial patterns whose prerequisites of the next kp hold, and abandoned as soon as more than
    ``limit`` partial patterns exist.
    """
    parents = parents_of(hierarchy, n_kps)
    partial = np.zeros((1, n_kps), dtype=np.int64)
    for kp in topological_order(hierarchy, n_kps).tolist():
        eligible = partial[partial[:, parents[kp]].all(axis=1)].copy()
        eligible[:, kp] = 1
        partial = np.concatenate([partial, eligible])
        if partial.shape[0] > limit:
            return None
    codes = partial @ (1 << np.arange(n_kps, dtype=np.int64))
    result: IntArray = partial[np.argsort(codes)]
    return result


def is_permissible(patterns: npt.ArrayLike, hierarchy: IntArray) -> npt.NDArray[np.bool_]:
    """Whether each 0/1 pattern (rows of ``patterns``) has every mastered kp's prerequisites."""
    array = np.asarray(patterns)
    violated = (array[:, hierarchy[:, 1]] == 1) & (array[:, hierarchy[:, 0]] == 0)
    result: npt.NDArray[np.bool_] = ~violated.any(axis=1)
    return result


def close_downwards(mastery: npt.ArrayLike, hierarchy: IntArray) -> IntArray:
    """The largest permissible pattern below each row: a kp stays only with all prerequisites."""
    result = np.asarray(mastery).astype(np.int64)
    n_kps = result.shape[1]
    parents = parents_of(hierarchy, n_kps)
    for kp in topological_order(hierarchy, n_kps).tolist():
        if parents[kp].size:
            result[:, kp] &= result[:, parents[kp]].all(axis=1)
    return result


__all__ = [
    "check_hierarchy",
    "children_of",
    "close_downwards",
    "is_permissible",
    "parents_of",
    "permissible_patterns",
    "topological_order",
]
