"""Within-student ranking metrics: what a personalised booklet depends on."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.science.metrics import within_row_auc, within_row_spearman


def test_a_perfect_ranking_within_each_row_scores_one_even_when_rows_differ_in_level() -> None:
    truth = np.array([[0.1, 0.4, 0.9, 0.7], [0.3, 0.6, 0.2, 0.8]])
    predicted = truth * 0.1 + np.array([[0.0], [0.9]])  # the rows' levels differ, ranks agree
    mask = np.ones_like(truth, dtype=bool)
    assert within_row_spearman(truth, predicted, mask) == pytest.approx(1.0)
    assert within_row_auc(truth, predicted, mask) == pytest.approx(1.0)


def test_a_row_constant_prediction_carries_no_within_row_information() -> None:
    truth = np.array([[0.1, 0.4, 0.9, 0.7], [0.3, 0.6, 0.2, 0.8]])
    predicted = np.array([[0.2] * 4, [0.8] * 4])  # a student-mean-only baseline
    mask = np.ones_like(truth, dtype=bool)
    assert np.isnan(within_row_spearman(truth, predicted, mask))
    assert within_row_auc(truth, predicted, mask) == pytest.approx(0.5)


def test_a_reversed_ranking_scores_minus_one_and_the_mask_limits_the_cells() -> None:
    truth = np.array([[0.1, 0.4, 0.9, 0.7, 0.0]])
    predicted = -truth + np.array([[0, 0, 0, 0, 5.0]])  # the last cell would break it
    mask = np.array([[True, True, True, True, False]])
    assert within_row_spearman(truth, predicted, mask) == pytest.approx(-1.0)
    assert within_row_auc(truth, predicted, mask) == pytest.approx(0.0)
