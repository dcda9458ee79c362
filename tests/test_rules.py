"""The one table of rules and labels, and every surface that shows them agrees with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yincai import rules
from yincai.cockpit import indicators
from yincai.domain.models import ItemType
from yincai.hub.importers.parsing import parse_item_type
from yincai.i18n import translate
from yincai.practice import selection
from yincai.reports import labels


def test_every_item_type_has_one_label_that_reads_back() -> None:
    assert set(rules.ITEM_TYPE_LABELS) == {kind.value for kind in ItemType}
    assert len(set(rules.ITEM_TYPE_LABELS.values())) == len(ItemType)
    for kind in ItemType:
        assert parse_item_type(rules.item_type_label(kind)) is kind
    assert rules.item_type_label(ItemType.ESSAY) == "解答题"


def test_every_surface_takes_its_item_type_labels_from_the_rules() -> None:
    assert selection.TYPE_NAMES is rules.ITEM_TYPE_LABELS  # practice papers
    for kind in ItemType:  # print layouts: the same words without 题
        assert labels.ITEM_TYPES[kind] + "题" == rules.ITEM_TYPE_LABELS[kind]
    english = [translate(label, "en") for label in rules.ITEM_TYPE_LABELS.values()]
    assert not any("题" in word for word in english)
    assert len(set(english)) == len(english)  # one English word per Chinese label


def test_bands_are_the_three_rates_read_per_student() -> None:
    cutoffs = dict(rules.GRADE_BANDS)
    thresholds = rules.Thresholds()
    assert (cutoffs["A"], cutoffs["B"], cutoffs["C"]) == (
        thresholds.excellent,
        thresholds.good,
        thresholds.passing,
    )
    assert [rules.grade_band(t, 110) for t in (93.5, 77, 66, 65.9, 33, 0)] == list("ABCDDD")
    with pytest.raises(ValueError, match="full_score"):
        rules.grade_band(10, 0)


def test_cockpit_rates_count_a_total_on_the_cut_off() -> None:
    totals = np.array([66.0, 93.5, 65.9, 77.0])  # 60 % and 85 % of 110 are not exact in binary
    _, passing, excellent = indicators.rates(totals, np.full(4, 110.0))
    assert (passing, excellent) == (0.75, 0.25)


def test_standardise_skips_missing_values_and_refuses_no_spread() -> None:
    values = np.array([1.0, np.nan, 3.0, 5.0, 7.0])
    z = rules.standardise(values)
    finite = pd.Series(values).dropna()
    np.testing.assert_allclose(z[[0, 2, 3, 4]], (finite - finite.mean()) / finite.std())
    assert np.isnan(z[1])
    assert np.isnan(rules.standardise([2.0, 2.0 + 1e-12, 2.0])).all()
    assert np.isnan(rules.standardise([4.0, np.nan])).all()


def test_group_means_match_pandas() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=120)
    values[::11] = np.nan
    codes = rng.integers(-1, 5, size=120)
    found = rules.group_means(values, codes, 6)
    frame = pd.DataFrame({"value": values, "group": codes})
    groups = frame[frame.group >= 0].dropna().groupby("group")["value"]
    np.testing.assert_array_equal(found.n, groups.count().reindex(range(6), fill_value=0))
    np.testing.assert_allclose(found.mean, groups.mean().reindex(range(6)))
    np.testing.assert_allclose(found.se, groups.sem().reindex(range(6)))


def test_a_sitting_total_is_the_recorded_one_else_the_item_sum() -> None:
    totals = rules.sitting_totals(
        is_absent=[False, False, False, True],
        recorded=[12.0, np.nan, np.nan, 5.0],
        item_sums=[11.0, 9.0, np.nan, 5.0],
    )
    np.testing.assert_array_equal(totals, [12.0, 9.0, np.nan, np.nan])


def test_the_home_page_legend_states_the_bands() -> None:
    template = Path(__file__).parents[1] / "src/yincai/web/templates/hub/student.html"
    text = template.read_text(encoding="utf-8")
    for band, share in rules.GRADE_BANDS:
        assert f"{band} ≥ {share:.0%}" in text
    assert f"{rules.LOWEST_BAND} < {rules.PASSING:.0%}" in text
