"""CTT: statistics checked against straightforward loops, known examples and flags."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from yincai.science.ctt import (
    cronbach_alpha,
    distractor_analysis,
    flag_items,
    item_analysis,
    standard_error_of_measurement,
    upper_lower_groups,
)


def _scores(n_students: int, seed: int, missing_rate: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Real-valued partial-credit scores (so totals never tie) driven by one ability."""
    rng = np.random.default_rng(seed)
    full = np.array([1.0, 1.0, 2.0, 4.0, 6.0, 3.0])
    ability = rng.normal(size=(n_students, 1))
    rate = 1.0 / (1.0 + np.exp(-(ability + rng.normal(0.0, 0.8, (n_students, 6)))))
    scores = np.round(rate * full, 3)
    scores[rng.random(scores.shape) < missing_rate] = np.nan
    return scores, full


def test_item_statistics_match_a_loop_over_items() -> None:
    scores, full = _scores(200, seed=0)
    result = item_analysis(scores, full)
    total = scores.sum(axis=1)
    order = np.argsort(total)
    lower, upper = order[:54], order[-54:]  # 27 % of 200
    for j in range(6):
        x = scores[:, j]
        assert result.score_rate[j] == pytest.approx(x.mean() / full[j])
        assert result.sd[j] == pytest.approx(x.std(ddof=1))
        assert result.point_biserial[j] == pytest.approx(np.corrcoef(x, total)[0, 1])
        assert result.item_rest[j] == pytest.approx(np.corrcoef(x, total - x)[0, 1])
        d = (x[upper].mean() - x[lower].mean()) / full[j]
        assert result.discrimination[j] == pytest.approx(d)
        rest = np.delete(scores, j, axis=1)
        assert result.alpha_if_deleted[j] == pytest.approx(cronbach_alpha(rest))
    k = 6
    alpha = k / (k - 1) * (1 - scores.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert result.alpha == pytest.approx(alpha)
    assert result.sem == pytest.approx(total.std(ddof=1) * np.sqrt(1 - alpha))
    assert result.n_complete == 200
    np.testing.assert_allclose(result.total, total)


def test_missing_answers_use_each_items_answerers_and_count_zero_in_totals() -> None:
    scores, full = _scores(300, seed=1, missing_rate=0.1)
    result = item_analysis(scores, full)
    total = np.nansum(scores, axis=1)
    np.testing.assert_allclose(result.total, total)
    for j in range(6):
        seen = ~np.isnan(scores[:, j])
        x = scores[seen, j]
        assert result.n_answered[j] == seen.sum()
        assert result.score_rate[j] == pytest.approx(x.mean() / full[j])
        assert result.point_biserial[j] == pytest.approx(np.corrcoef(x, total[seen])[0, 1])
        assert result.item_rest[j] == pytest.approx(np.corrcoef(x, total[seen] - x)[0, 1])
    complete = ~np.isnan(scores).any(axis=1)
    assert result.n_complete == complete.sum()
    assert result.alpha == pytest.approx(cronbach_alpha(scores[complete]))


def test_alpha_of_a_hand_worked_example_equals_kr20() -> None:
    scores = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    # KR-20: p = .75, .5, .25; Σpq = .625; population variance of totals 3, 2, 1, 0 is 1.25
    assert cronbach_alpha(scores) == pytest.approx(1.5 * (1 - 0.625 / 1.25))
    assert cronbach_alpha(scores) == pytest.approx(0.75)
    assert standard_error_of_measurement(scores) == pytest.approx(np.sqrt(5 / 3 * 0.25))


def test_parallel_items_are_perfectly_reliable_and_degenerate_inputs_give_nan() -> None:
    column = np.array([0.0, 1.0, 2.0, 2.0, 1.0])
    assert cronbach_alpha(np.tile(column[:, None], (1, 4))) == pytest.approx(1.0)
    assert np.isnan(cronbach_alpha(np.ones((5, 3))))
    assert np.isnan(cronbach_alpha(column[:, None]))


def test_upper_and_lower_groups_are_disjoint_27_percent_slices() -> None:
    total = np.arange(100.0)[::-1]
    upper, lower = upper_lower_groups(total)
    assert upper.sum() == lower.sum() == 27
    assert not (upper & lower).any()
    assert total[upper].min() > total[lower].max()
    one_upper, one_lower = upper_lower_groups(np.array([3.0]))
    assert not one_upper.any() and not one_lower.any()


def test_distractor_drawing_the_strong_students_is_counted_and_flagged() -> None:
    # item 0 key A; strong students (high total) pick C, weak ones pick B
    choices = np.array(
        [["C", "A"], ["C", "A"], ["A", "A"], ["A", "B"], ["B", None], ["B", "B"], ["D", "B"]],
        dtype=object,
    )
    total = np.array([10.0, 9, 8, 5, 3, 2, 1])
    result = distractor_analysis(choices, ["A", "A"], total=total)
    np.testing.assert_array_equal(result.options, ["A", "B", "C", "D"])
    np.testing.assert_array_equal(result.count, [[2, 2, 2, 1], [3, 3, 0, 0]])
    np.testing.assert_array_equal(result.n_answered, [7, 6])
    assert result.share[0, 2] == pytest.approx(2 / 7)
    assert result.mean_total[0, 2] == pytest.approx(9.5)
    assert np.isnan(result.mean_total[1, 2])
    # round(0.27 * 7) = 2 students per group
    assert result.upper_share[0, 2] == 1.0 and result.lower_share[0, 2] == 0.0
    np.testing.assert_array_equal(result.is_key[:, 0], [True, True])
    np.testing.assert_array_equal(result.is_attractive_to_strong[0], [False, False, True, False])
    assert not result.is_attractive_to_strong[1].any()
    scores = np.where(choices == "A", 1.0, 0.0)
    scores[4, 1] = np.nan
    flags = flag_items(item_analysis(scores, [1, 1]), result)
    codes = {(flag.item, flag.code) for flag in flags}
    assert (0, "attractive_distractor") in codes
    assert any("wrong option C" in flag.reason for flag in flags)


def test_distractor_ranking_defaults_to_the_number_correct() -> None:
    choices = np.array([["A", "A"], ["A", "B"], ["B", "B"], ["", "C"]], dtype=object)
    result = distractor_analysis(choices, ["A", "A"])
    np.testing.assert_allclose(result.mean_total[0], [1.5, 0.0, np.nan], equal_nan=True)
    assert result.n_answered[0] == 3


def test_flags_name_reversed_easy_hard_and_empty_items() -> None:
    rng = np.random.default_rng(2)
    ability = rng.normal(size=400)
    good = (ability[:, None] + rng.normal(0, 0.7, (400, 4)) > 0).astype(float)
    reversed_item = (ability + rng.normal(0, 0.7, 400) < 0).astype(float)
    easy = (rng.random(400) < 0.97).astype(float)
    hard = (rng.random(400) < 0.05).astype(float)
    empty = np.full(400, np.nan)
    scores = np.column_stack([good, reversed_item, easy, hard, empty])
    analysis = item_analysis(scores, np.ones(8))
    flags = flag_items(analysis)
    codes = {(flag.item, flag.code) for flag in flags}
    assert (4, "negative_discrimination") in codes
    assert (5, "too_easy") in codes and (5, "low_discrimination") in codes
    assert (6, "too_hard") in codes
    assert (7, "no_answers") in codes
    assert not any(flag.item < 4 for flag in flags)
    assert all(flag.reason for flag in flags)


def test_bad_input_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="2-D"):
        item_analysis(np.ones(3), [1, 1, 1])
    with pytest.raises(ValueError, match="full_scores must have shape"):
        item_analysis(np.ones((3, 2)), [1, 1, 1])
    with pytest.raises(ValueError, match="between 0"):
        item_analysis(np.full((3, 2), 2.0), [1, 1])
    with pytest.raises(ValueError, match="positive"):
        item_analysis(np.ones((3, 2)), [1, 0])
    with pytest.raises(ValueError, match="keys"):
        distractor_analysis(np.array([["A", "B"]], dtype=object), ["A"])


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.integers(1, 8)),
        elements=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.just(np.nan)),
    )
)
def test_rates_and_discriminations_stay_in_range(scores: np.ndarray) -> None:
    result = item_analysis(scores, np.full(scores.shape[1], 2.0))
    rates = result.score_rate[~np.isnan(result.score_rate)]
    assert np.all((rates >= 0.0) & (rates <= 1.0))
    d = result.discrimination[~np.isnan(result.discrimination)]
    assert np.all((d >= -1.0) & (d <= 1.0))
    r = result.point_biserial[~np.isnan(result.point_biserial)]
    assert np.all(np.abs(r) <= 1.0 + 1e-9)
    assert np.isnan(result.alpha) or result.alpha <= 1.0 + 1e-9
