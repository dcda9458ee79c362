"""Allocating bank items to a lesson plan's parts: levels by the class's predicted success, each
item once, neighbours only when the point has too few items of its own."""

from __future__ import annotations

from yincai.lessons.exercises import Candidate, Level, Relation, allocate


def _own(*successes: float) -> list[Candidate]:
    return [Candidate(100 + n, Relation.POINT, s) for n, s in enumerate(successes)]


def test_the_levels_run_from_the_easiest_third_to_the_hardest() -> None:
    own = _own(0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2)
    allocation = allocate(own)
    success = {c.item_id: c.success for c in own}
    basic = [success[c.item_id] for c in allocation.levels[Level.BASIC]]
    core = [success[c.item_id] for c in allocation.levels[Level.CORE]]
    stretch = [success[c.item_id] for c in allocation.levels[Level.STRETCH]]
    assert basic == [0.95, 0.9]
    assert stretch == [0.2, 0.3]
    assert min(basic) > max(core) and min(core) > max(stretch)
    ids = allocation.item_ids()
    assert len(ids) == len(set(ids))  # no item twice
    assert allocation.exit_ticket and allocation.homework


def test_neighbours_fill_the_levels_only_when_the_point_has_fewer_than_three_items() -> None:
    own = _own(0.8, 0.4)
    neighbours = [
        Candidate(1, Relation.SIBLING, 0.6),
        Candidate(2, Relation.DEPENDANT, 0.1),
        Candidate(3, Relation.PREREQUISITE, 0.9, rank=1),
        Candidate(4, Relation.PREREQUISITE, 0.5, rank=0),  # the weaker prerequisite
    ]
    allocation = allocate([*own, *neighbours])
    assert [c.item_id for c in allocation.warm_up] == [4, 3]  # weakest prerequisite first
    levels = {level: [c.item_id for c in allocation.levels[level]] for level in Level}
    assert all(levels.values())
    assert levels[Level.STRETCH][0] == 2  # the hardest, from the point that builds on it
    assert 100 in levels[Level.BASIC]
    rich = allocate([*_own(0.9, 0.5, 0.1), *neighbours])
    level_ids = {c.item_id for level in Level for c in rich.levels[level]}
    assert level_ids == {100, 101, 102}


def test_an_item_tagged_twice_counts_once_by_its_closest_relation() -> None:
    allocation = allocate(
        [Candidate(7, Relation.DEPENDANT, 0.5), Candidate(7, Relation.POINT, 0.5)]
    )
    assert allocation.item_ids() == [7]


def test_without_items_every_part_is_empty() -> None:
    allocation = allocate([])
    assert allocation.item_ids() == []
    assert all(allocation.levels[level] == [] for level in Level)
