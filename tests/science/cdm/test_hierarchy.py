"""Prerequisite hierarchies: checks, permissible patterns and the seeded simulator."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.science.cdm import (
    attribute_patterns,
    check_hierarchy,
    is_permissible,
    permissible_patterns,
    random_hierarchy,
    simulate_hierarchical_dina,
)
from yincai.science.cdm.hierarchy import close_downwards, topological_order


def test_a_chain_permits_one_pattern_per_depth() -> None:
    chain = check_hierarchy([(0, 1), (1, 2), (2, 3)], 4)
    patterns = permissible_patterns(4, chain, limit=100)
    assert patterns is not None
    assert patterns.tolist() == [
        [0, 0, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 1, 1, 1],
    ]


def test_two_prerequisites_are_both_needed_and_no_hierarchy_lists_everything() -> None:
    # kp 2 needs kps 0 and 1: of the 8 patterns, 101, 011 and 001 (kp 2 alone) are excluded
    patterns = permissible_patterns(3, check_hierarchy([(0, 2), (1, 2)], 3), limit=100)
    assert patterns is not None and patterns.shape == (5, 3)
    assert is_permissible(patterns, check_hierarchy([(0, 2), (1, 2)], 3)).all()
    assert not is_permissible(np.array([[1, 0, 1]]), check_hierarchy([(0, 2), (1, 2)], 3))[0]
    everything = permissible_patterns(5, check_hierarchy(None, 5), limit=100)
    np.testing.assert_array_equal(everything, attribute_patterns(5))


def test_listing_stops_past_the_limit() -> None:
    assert permissible_patterns(20, check_hierarchy(None, 20), limit=1000) is None


def test_cycles_self_loops_and_out_of_range_kps_are_rejected() -> None:
    with pytest.raises(ValueError, match="cycle"):
        check_hierarchy([(0, 1), (1, 2), (2, 0)], 3)
    with pytest.raises(ValueError, match="own prerequisite"):
        check_hierarchy([(1, 1)], 3)
    with pytest.raises(ValueError, match="indices"):
        check_hierarchy([(0, 3)], 3)
    with pytest.raises(ValueError, match="pairs"):
        check_hierarchy([0, 1, 2], 3)


def test_topological_order_puts_prerequisites_first_and_closing_respects_them() -> None:
    edges = check_hierarchy([(3, 0), (0, 1), (2, 1)], 4)
    order = topological_order(edges, 4).tolist()
    for pre, post in edges.tolist():
        assert order.index(pre) < order.index(post)
    closed = close_downwards(np.array([[1, 1, 1, 0], [1, 1, 1, 1]]), edges)
    assert closed.tolist() == [[0, 0, 1, 0], [1, 1, 1, 1]]


def test_the_simulator_is_seeded_and_its_students_respect_the_hierarchy() -> None:
    first = simulate_hierarchical_dina(30, 60, 500, random_state=7)
    second = simulate_hierarchical_dina(30, 60, 500, random_state=7)
    np.testing.assert_array_equal(first.responses, second.responses)
    np.testing.assert_array_equal(first.hierarchy, random_hierarchy(30, random_state=7))
    assert first.hierarchy.shape[0] > 10  # a real curriculum graph, not an empty one
    assert is_permissible(first.mastery, first.hierarchy).all()
    assert (first.q_matrix.sum(axis=0) >= 2).all()  # every kp measured by at least two items
    # masters of an item's kps answer it right far more often than the others
    item = int(np.flatnonzero(first.q_matrix.sum(axis=1) == 1)[0])
    kp = int(np.flatnonzero(first.q_matrix[item])[0])
    masters = first.mastery[:, kp] == 1
    assert first.responses[masters, item].mean() > first.responses[~masters, item].mean() + 0.5
