from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yincai.analysis.items import ItemTable, analyse_items
from yincai.analysis.knowledge import kp_score_rates
from yincai.science import ctt


@pytest.fixture
def matrix() -> np.ndarray:
    rng = np.random.default_rng(1)
    ability = rng.normal(size=200)
    full = np.array([1, 1, 1, 4, 6], dtype=float)
    p = 1 / (1 + np.exp(-(ability[:, None] - np.array([-1, 0, 0.5, 0, 1]))))
    scores = np.round(p * full + rng.normal(0, 0.3, (200, 5))).clip(0, full)
    scores[rng.random((200, 5)) < 0.05] = np.nan  # a few blanks
    return scores


def _analyse(scores: np.ndarray) -> ItemTable:
    n_items = scores.shape[1]
    return analyse_items(
        scores,
        np.array([1, 1, 1, 4, 6, 2][:n_items], dtype=float),
        labels=[str(j + 1) for j in range(n_items)],
        item_codes=[None] * n_items,
        item_types=[None] * n_items,
    )


def test_score_rates_match_pandas_and_discrimination_matches_ctt(matrix: np.ndarray) -> None:
    full = np.array([1, 1, 1, 4, 6], dtype=float)
    table = _analyse(matrix)
    frame = pd.DataFrame(matrix)
    expected = ctt.item_analysis(matrix, full)
    for j, item in enumerate(table.items):
        assert item.n_answered == frame[j].count()
        assert item.mean == pytest.approx(frame[j].mean())
        assert item.score_rate == pytest.approx(frame[j].mean() / full[j])
        assert item.discrimination == pytest.approx(expected.discrimination[j])
        total = frame.fillna(0).sum(axis=1)
        answered = frame[j].notna()
        r = np.corrcoef(frame.loc[answered, j], total[answered])[0, 1]
        assert item.point_biserial == pytest.approx(r)
    assert table.alpha == pytest.approx(expected.alpha)


def test_an_item_nobody_answered_is_flagged_not_computed(matrix: np.ndarray) -> None:
    scores = np.column_stack([matrix, np.full(matrix.shape[0], np.nan)])
    table = _analyse(scores)
    empty = table.items[-1]
    assert (empty.n_answered, empty.mean, empty.score_rate, empty.discrimination) == (
        0,
        None,
        None,
        None,
    )
    assert [flag.code for flag in empty.flags] == ["no_answers"]
    assert "无人作答" in empty.flags[0].reason


def test_option_shares_match_pandas_and_a_wrong_key_is_flagged_in_chinese() -> None:
    rng = np.random.default_rng(2)
    n = 300
    ability = rng.normal(size=n)
    strong = ability > np.quantile(ability, 0.6)
    # Item 1: the strong choose B though the key says A (a mis-keyed item).
    picked = np.where(strong, "B", rng.choice(["A", "C", "D"], n)).astype(object)
    picked[:5] = None
    scores = np.column_stack(
        [
            np.where(picked == "A", 1.0, 0.0),
            np.round(1 / (1 + np.exp(-ability)) * 6),
        ]
    )
    scores[:5, 0] = np.nan
    choices = np.column_stack([picked, np.full(n, None, dtype=object)])
    table = analyse_items(
        scores,
        np.array([1.0, 6.0]),
        labels=["1", "2"],
        item_codes=["I1", "I2"],
        item_types=["single_choice", "short_answer"],
        choices=choices,
        keys=["A", None],
    )
    first = table.items[0]
    counts = pd.Series(picked[5:]).value_counts()
    assert {o.option: o.count for o in first.options} == counts.to_dict()
    assert {o.option: o.share for o in first.options} == pytest.approx(
        (counts / counts.sum()).to_dict()
    )
    assert [o.option for o in first.options if o.is_key] == ["A"]
    codes = [flag.code for flag in first.flags]
    assert "attractive_distractor" in codes and "negative_discrimination" in codes
    reason = next(f.reason for f in first.flags if f.code == "attractive_distractor")
    assert "错误选项 B" in reason
    assert table.items[1].options == []


def test_knowledge_point_rates_use_tag_weights_like_a_pandas_groupby() -> None:
    rng = np.random.default_rng(4)
    full = np.array([2.0, 4.0, 6.0])
    scores = np.round(rng.random((60, 3)) * full)
    scores[rng.random((60, 3)) < 0.1] = np.nan
    groups = rng.integers(0, 3, 60)
    weights = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    found = kp_score_rates(scores, full, weights, groups, 3)
    long = (
        pd.DataFrame(scores)
        .assign(group=groups)
        .melt(id_vars="group", var_name="item", value_name="score")
        .dropna()
    )
    long["full"] = full[long["item"].astype(int)]
    for k in range(2):
        tagged = long.assign(weight=weights[long["item"].astype(int), k])
        sums = (
            tagged.assign(
                got=tagged["score"] * tagged["weight"], possible=tagged["full"] * tagged["weight"]
            )
            .groupby("group")[["got", "possible"]]
            .sum()
        )
        assert found[:, k] == pytest.approx((sums["got"] / sums["possible"]).to_numpy())
