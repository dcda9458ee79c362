from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from yincai.analysis.comparison import compare_groups


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(5), [40, 35, 50, 1, 44])  # group 3 is a class of one
    shift = np.array([0.0, 6.0, -4.0, 0.0, 1.0])[groups]
    return pd.DataFrame({"total": rng.normal(70, 12, groups.size) + shift, "group": groups})


def test_welch_test_matches_scipy_for_each_group_against_the_rest(frame: pd.DataFrame) -> None:
    found = compare_groups(frame["total"], frame["group"], 5)
    for group in (0, 1, 2, 4):
        inside = frame.loc[frame["group"] == group, "total"]
        rest = frame.loc[frame["group"] != group, "total"]
        expected = stats.ttest_ind(inside, rest, equal_var=False)
        assert found.t_statistic[group] == pytest.approx(expected.statistic)
        assert found.p_value[group] == pytest.approx(expected.pvalue)
        assert found.is_significant[group] == (expected.pvalue < 0.05)


def test_effect_sizes_match_an_independent_computation(frame: pd.DataFrame) -> None:
    found = compare_groups(frame["total"], frame["group"], 5)
    described = frame.groupby("group")["total"].agg(["count", "mean", "std"])
    for group in (0, 1, 2, 4):
        inside = frame.loc[frame["group"] == group, "total"]
        rest = frame.loc[frame["group"] != group, "total"]
        n1, n2 = inside.size, rest.size
        pooled = np.sqrt(((n1 - 1) * inside.var() + (n2 - 1) * rest.var()) / (n1 + n2 - 2))
        d = (inside.mean() - rest.mean()) / pooled
        assert found.cohens_d[group] == pytest.approx(d)
        assert found.hedges_g[group] == pytest.approx(d * (1 - 3 / (4 * (n1 + n2) - 9)))
        assert found.mean[group] == pytest.approx(described.loc[group, "mean"])
        assert found.sd[group] == pytest.approx(described.loc[group, "std"])
        assert found.mean_difference[group] == pytest.approx(inside.mean() - frame["total"].mean())
    assert found.n.tolist() == described["count"].tolist()


def test_a_class_of_one_gets_no_test_and_no_warning(frame: pd.DataFrame) -> None:
    found = compare_groups(frame["total"], frame["group"], 6)  # group 5 has nobody
    assert found.n[3] == 1 and np.isnan(found.t_statistic[3]) and not found.is_significant[3]
    assert found.n[5] == 0 and np.isnan(found.mean[5]) and not found.is_significant[5]


def test_groups_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match="groups"):
        compare_groups([1.0, 2.0], [0, 3], 2)
