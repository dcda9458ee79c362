"""Group metrics and their gaps: a biased estimator shows a gap, an unbiased one does not."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.science.fairness import (
    TARGET_GAP,
    calibration_error,
    false_positive_rate,
    group_auc,
    group_calibration_error,
    group_mean_error,
    max_gap,
    precision,
    recall,
    widest_pair,
)


def _population(n: int = 40_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True probabilities, a 0/1 state drawn from them, and two equal groups."""
    rng = np.random.default_rng(seed)
    true_p = rng.uniform(0.02, 0.98, n)
    state = (rng.uniform(size=n) < true_p).astype(np.float64)
    groups = np.where(np.arange(n) % 2 == 0, "urban", "rural")
    return true_p, state, groups


def test_an_unbiased_estimator_has_gaps_within_the_target() -> None:
    true_p, state, groups = _population()
    assert max_gap(group_auc(state, true_p, groups)) <= TARGET_GAP
    assert max_gap(group_calibration_error(state, true_p, groups)) <= TARGET_GAP
    assert max_gap(group_mean_error(true_p, true_p, groups)) == pytest.approx(0.0)


def test_an_estimator_that_underrates_one_group_shows_gaps_well_beyond_the_target() -> None:
    true_p, state, groups = _population()
    rng = np.random.default_rng(1)
    rural = groups == "rural"
    biased = true_p.copy()
    biased[rural] = 0.6 * true_p[rural]  # rural students rated lower than they are
    errors = group_mean_error(true_p, biased, groups)
    assert errors["urban"] == pytest.approx(0.0)
    assert errors["rural"] == pytest.approx(-0.4 * true_p[rural].mean())
    assert max_gap(errors) > 0.1
    assert max_gap(group_calibration_error(state, biased, groups)) > 0.1
    assert widest_pair(errors) == ("rural", "urban")
    noisy = true_p.copy()  # ranking spoilt in one group only
    noisy[rural] = rng.uniform(size=int(rural.sum()))
    aucs = group_auc(state, noisy, groups)
    assert aucs["rural"] == pytest.approx(0.5, abs=0.02)
    assert max_gap(aucs) > 0.1


def test_groups_keep_the_given_order_and_empty_ones_are_left_out() -> None:
    values = group_mean_error([0.0, 1.0, 0.5], [0.5, 0.5, 0.5], ["b", "a", "b"], ["a", "b", "c"])
    assert list(values) == ["a", "b"]
    assert values == {"a": pytest.approx(-0.5), "b": pytest.approx(0.25)}


def test_the_gap_ignores_undefined_values_and_needs_two_groups() -> None:
    assert max_gap({"a": 0.7, "b": float("nan"), "c": 0.9}) == pytest.approx(0.2)
    assert np.isnan(max_gap({"a": 0.7, "b": float("nan")}))
    assert widest_pair({"a": 0.7}) is None
    aucs = group_auc([1, 0, 1, 1], [0.9, 0.1, 0.8, 0.7], ["x", "x", "y", "y"])
    assert aucs["x"] == 1.0 and np.isnan(aucs["y"])  # y has no negative case


def test_calibration_error_is_zero_when_each_bin_matches_and_counts_the_miss() -> None:
    assert calibration_error([0.05, 0.95], [0.05, 0.95]) == pytest.approx(0.0)
    # one bin at 0.9 where only half are true: a miss of 0.4 over the whole sample
    assert calibration_error([1, 0, 1, 0], [0.9, 0.9, 0.9, 0.9]) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        calibration_error([1, 0], [0.5])


def test_detection_rates() -> None:
    truth = [1, 1, 0, 0, 0, 0]
    flagged = [1, 0, 1, 0, 0, 0]
    assert recall(truth, flagged) == pytest.approx(0.5)
    assert precision(truth, flagged) == pytest.approx(0.5)
    assert false_positive_rate(truth, flagged) == pytest.approx(0.25)
    assert np.isnan(precision(truth, [0] * 6))
    assert np.isnan(recall([0] * 6, flagged))
