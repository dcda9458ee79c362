"""Which bank items a lesson plan uses where: warm-up, three levels of exercises, exit ticket and
homework. Pure: candidates in, an allocation out; no item is used twice.

An item's *success* is the class's mean predicted chance of answering it right (the practice's
rule, ``practice.estimates.predicted_success``). The point's own items, easiest first, are cut
into thirds: 基础 from the easiest third, 提高 from the middle, 拓展 from the hardest. With fewer
than three own items the neighbours (sibling points of the same section, prerequisites and the
points that build on this one) join the pool. The warm-up revisits prerequisites, the class's
weakest prerequisite first; the exit ticket takes the unused own items nearest the middle; the
homework what is left, the point's own items before the points that build on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Relation(StrEnum):
    """How an item's point stands to the plan's point."""

    POINT = "point"
    SIBLING = "sibling"
    PREREQUISITE = "prerequisite"
    DEPENDANT = "dependant"


class Level(StrEnum):
    BASIC = "basic"
    CORE = "core"
    STRETCH = "stretch"


PER_LEVEL = 2
N_WARM_UP = 2
N_EXIT_TICKET = 2
N_HOMEWORK = 3
MIN_OWN_FOR_LEVELS = 3  # three thirds need three items
_RELATION_ORDER = {
    Relation.POINT: 0,
    Relation.SIBLING: 1,
    Relation.PREREQUISITE: 2,
    Relation.DEPENDANT: 3,
}


@dataclass(frozen=True)
class Candidate:
    """A bank item on the plan's point or a neighbour; ``rank`` orders neighbours of one relation
    (for prerequisites: the class's weakest first)."""

    item_id: int
    relation: Relation
    success: float
    rank: int = 0


@dataclass(frozen=True)
class Allocation:
    warm_up: list[Candidate]
    levels: dict[Level, list[Candidate]]
    exit_ticket: list[Candidate]
    homework: list[Candidate]

    def item_ids(self) -> list[int]:
        every = [
            *self.warm_up,
            *(c for level in Level for c in self.levels[level]),
            *self.exit_ticket,
            *self.homework,
        ]
        return [c.item_id for c in every]


def _easiest_first(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(
        candidates, key=lambda c: (-c.success, _RELATION_ORDER[c.relation], c.rank, c.item_id)
    )


def _middle_first(ordered: Sequence[Candidate]) -> list[Candidate]:
    """Items ordered easiest first, re-ordered from the middle outwards."""
    centre = (len(ordered) - 1) / 2
    ranked = sorted(enumerate(ordered), key=lambda pair: (abs(pair[0] - centre), pair[0]))
    return [c for _position, c in ranked]


def allocate(candidates: Sequence[Candidate]) -> Allocation:
    """The plan's items, each used once."""
    by_id = {c.item_id: c for c in candidates}  # one entry per item: its closest relation wins
    for c in candidates:
        if _RELATION_ORDER[c.relation] < _RELATION_ORDER[by_id[c.item_id].relation]:
            by_id[c.item_id] = c
    unique = list(by_id.values())
    used: set[int] = set()

    def take(pool: Sequence[Candidate], n: int) -> list[Candidate]:
        chosen = [c for c in pool if c.item_id not in used][:n]
        used.update(c.item_id for c in chosen)
        return chosen

    prerequisites = sorted(
        (c for c in unique if c.relation is Relation.PREREQUISITE),
        key=lambda c: (c.rank, -c.success, c.item_id),
    )
    warm_up = take(prerequisites, N_WARM_UP)
    own = _easiest_first([c for c in unique if c.relation is Relation.POINT])
    pool = own
    if len(own) < MIN_OWN_FOR_LEVELS:
        neighbours = [c for c in unique if c.relation is not Relation.POINT]
        pool = _easiest_first([*own, *neighbours])
    pool = [c for c in pool if c.item_id not in used]
    n = len(pool)
    first, last = n // 3, n - n // 3
    if n and first == 0:  # one or two items: the easiest is 基础, the hardest 拓展
        first, last = 1, max(1, n - 1)
    levels = {
        Level.BASIC: take(pool[:first], PER_LEVEL),
        Level.CORE: take(_middle_first(pool[first:last]), PER_LEVEL),
        Level.STRETCH: take(list(reversed(pool[last:])), PER_LEVEL),
    }
    exit_ticket = take(_middle_first([c for c in own if c.item_id not in used]), N_EXIT_TICKET)
    if not exit_ticket:
        siblings = _easiest_first([c for c in unique if c.relation is Relation.SIBLING])
        exit_ticket = take(siblings, N_EXIT_TICKET)
    later = [
        *own,
        *_easiest_first([c for c in unique if c.relation is Relation.DEPENDANT]),
        *_easiest_first([c for c in unique if c.relation is Relation.SIBLING]),
    ]
    homework = take(later, N_HOMEWORK)
    return Allocation(warm_up, levels, exit_ticket, homework)
