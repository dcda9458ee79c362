"""举一反三: similar items share a point, skip what the student has seen, come closest in
difficulty first."""

from __future__ import annotations

import pytest

from yincai.analysis.similar import BankEntry, similar_items


def _bank() -> list[BankEntry]:
    return [
        BankEntry(1, frozenset({10}), 0.0),  # the wrong item
        BankEntry(2, frozenset({10}), 0.1),
        BankEntry(3, frozenset({10, 11}), -0.3),
        BankEntry(4, frozenset({11}), 0.0),  # another point only
        BankEntry(5, frozenset({10}), 2.0),
        BankEntry(6, frozenset({10}), None),  # no calibrated difficulty
        BankEntry(7, frozenset({10}), 0.05),  # seen
    ]


def test_similar_items_share_a_point_exclude_seen_and_are_closest_in_difficulty() -> None:
    found = similar_items(1, _bank(), seen={7})
    assert [entry.item_id for entry in found] == [2, 3, 5]
    for entry in found:
        assert entry.kp_ids & {10}
        assert entry.item_id not in {1, 7}


def test_items_without_difficulty_come_last_and_the_limit_holds() -> None:
    found = similar_items(1, _bank(), seen={7}, limit=10)
    assert [entry.item_id for entry in found] == [2, 3, 5, 6]
    assert 4 not in [entry.item_id for entry in found]
    assert similar_items(1, _bank(), seen=set(), limit=0) == []


def test_an_item_outside_the_bank_or_untagged_has_none() -> None:
    assert similar_items(99, _bank(), seen=set()) == []
    assert (
        similar_items(1, [BankEntry(1, frozenset(), 0.0), BankEntry(2, frozenset(), 0.0)], seen=())
        == []
    )
    with pytest.raises(ValueError, match="limit"):
        similar_items(1, _bank(), seen=(), limit=-1)
