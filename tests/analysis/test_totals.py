from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yincai.analysis.totals import (
    competition_rank,
    distribution,
    group_competition_rank,
    rates,
    score_band_table,
    summarise,
)
from yincai.rules import Thresholds


@pytest.fixture
def totals() -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.round(rng.normal(70, 15, 400).clip(0, 120))  # integer totals: many ties


def test_summary_matches_pandas_describe(totals: np.ndarray) -> None:
    summary = summarise(totals, full_score=120, n_absent=3)
    described = pd.Series(totals).describe()
    assert summary.n_participants == described["count"]
    assert summary.n_absent == 3
    assert summary.mean == pytest.approx(described["mean"])
    assert summary.sd == pytest.approx(described["std"])
    assert summary.median == pytest.approx(described["50%"])
    assert (summary.max, summary.min) == (described["max"], described["min"])
    assert summary.score_rate == pytest.approx(described["mean"] / 120)


def test_rates_count_totals_exactly_at_each_cut_off() -> None:
    # 70 % of 110 is 77.00000000000001 in floating point: 77 must still count as good.
    totals = np.array([110, 93.5, 93.4, 77, 76.9, 66, 65.9, 0])
    found = rates(totals, 110, Thresholds())
    frame = pd.Series(totals)
    assert found.n_excellent == (frame >= 93.5).sum() == 2
    assert found.n_good == (frame >= 77).sum() == 4
    assert found.n_pass == (frame >= 66).sum() == 6
    assert found.pass_rate == pytest.approx(6 / 8)


def test_thresholds_are_configurable_and_checked() -> None:
    found = rates(np.array([50.0, 80, 90]), 100, Thresholds(excellent=0.9, good=0.8, passing=0.5))
    assert (found.n_excellent, found.n_good, found.n_pass) == (1, 2, 3)
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(excellent=0.5, good=0.7)


def test_score_band_table_matches_pandas_counts_and_ranks(totals: np.ndarray) -> None:
    table = score_band_table(totals)
    frame = pd.DataFrame({"total": totals})
    counts = frame["total"].value_counts().sort_index(ascending=False)
    ranks = frame.assign(rank=frame["total"].rank(method="min", ascending=False))
    first_rank = ranks.groupby("total")["rank"].min()
    assert [row.score for row in table] == counts.index.tolist()
    assert [row.count for row in table] == counts.tolist()
    assert [row.cumulative for row in table] == counts.cumsum().tolist()
    assert [row.rank for row in table] == [int(first_rank[s]) for s in counts.index]
    assert table[-1].cumulative == totals.size


def test_ties_share_the_best_rank_and_the_next_rank_skips() -> None:
    table = score_band_table([90, 85, 85, 80, 85, 70])
    assert [(r.score, r.count, r.cumulative, r.rank) for r in table] == [
        (90, 1, 1, 1),
        (85, 3, 4, 2),
        (80, 1, 5, 5),
        (70, 1, 6, 6),
    ]
    assert competition_rank([90, 85, 85, 80]).tolist() == [1, 2, 2, 4]


def test_group_ranks_match_pandas_groupby_rank(totals: np.ndarray) -> None:
    groups = np.arange(totals.size) % 7
    frame = pd.DataFrame({"total": totals, "group": groups})
    expected = frame.groupby("group")["total"].rank(method="min", ascending=False)
    assert group_competition_rank(totals, groups).tolist() == expected.astype(int).tolist()


def test_distribution_matches_pandas_cut(totals: np.ndarray) -> None:
    bands = distribution(totals, full_score=120, n_bands=10)
    edges = np.linspace(0, 120, 11)
    cut = pd.cut(totals, bins=edges, right=False, include_lowest=True)
    expected = pd.Series(cut).value_counts(sort=False).tolist()
    expected[-1] += int((totals == 120).sum())  # the top band includes the full score
    assert [band.count for band in bands] == expected
    assert sum(band.count for band in bands) == totals.size
    assert bands[0].lower == 0 and bands[-1].upper == 120


def test_a_class_of_one_has_no_spread_and_nobody_has_no_statistics() -> None:
    one = summarise(np.array([88.0]), full_score=100)
    assert (one.n_participants, one.mean, one.median, one.sd) == (1, 88.0, 88.0, None)
    assert one.rates.n_excellent == 1
    nobody = summarise(np.array([]), full_score=100, n_absent=2)
    assert (nobody.n_participants, nobody.mean, nobody.max, nobody.sd) == (0, None, None, None)
    assert nobody.rates.pass_rate is None
    assert score_band_table(np.array([])) == []
