"""举一反三: for an item a student got wrong, a few bank items to try next.

A candidate shares at least one knowledge point with the wrong item, is not the item itself and
has not been seen by the student (in an exam or a learning event); the closest in difficulty come
first (calibrated difficulties on one scale; a candidate without one after those with one), then
those sharing more points, then the lowest id, so the choice is stable.

Pure: no database; ``analysis.learner`` passes the bank of the subject.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

MAX_SIMILAR = 3


@dataclass(frozen=True)
class BankEntry:
    """A bank item as the choice sees it: its points and its difficulty (None: unknown)."""

    item_id: int
    kp_ids: frozenset[int]
    difficulty: float | None


def similar_items(
    item_id: int,
    bank: Sequence[BankEntry],
    *,
    seen: Collection[int],
    limit: int = MAX_SIMILAR,
    index: Mapping[int, BankEntry] | None = None,
) -> list[BankEntry]:
    """Up to ``limit`` unseen items sharing a point with ``item_id``, closest in difficulty.

    ``index`` (item id → entry of ``bank``) may be passed to save building it per call; an item
    not in the bank has no similar items."""
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    by_id = index if index is not None else {entry.item_id: entry for entry in bank}
    target = by_id.get(item_id)
    if target is None or not target.kp_ids:
        return []
    excluded = set(seen) | {item_id}
    candidates = [
        entry for entry in bank if entry.item_id not in excluded and entry.kp_ids & target.kp_ids
    ]

    def distance(entry: BankEntry) -> float:
        if entry.difficulty is None or target.difficulty is None:
            return math.inf
        return abs(entry.difficulty - target.difficulty)

    candidates.sort(
        key=lambda entry: (distance(entry), -len(entry.kp_ids & target.kp_ids), entry.item_id)
    )
    return candidates[:limit]
