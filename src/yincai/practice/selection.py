"""Choosing one student's practice: which points, in which order, which items, and why.

Pure: the service hands in each knowledge point's state and each candidate item's predicted
success; nothing here reads the database.

1. *Rank* the points taught to the student's class by priority: weakness ``1 - level`` first, then
   small nudges for an uncertain estimate, for a point many later points build on, and for a point
   taught recently (``PriorityWeights``). The nudges only reorder points of similar weakness.
2. *Target* the ``n_weak`` most urgent points that have a usable item; before each, its weakest
   prerequisite if that is itself below ``weak_level`` (practise the foundation first).
3. *Pick items* round-robin over the targets, most urgent first: each time the candidate whose
   predicted success is closest to the success band, preferring item types chosen less so far.
   Items the student answered right recently are never candidates. If the targets run out of items
   the next ranked point joins. If every pick has the same type, one is swapped for another type.
4. *Order*: prerequisites before the points that need them; within a point, easier items first.

Every target and item carries a reason in Chinese that a teacher can read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from yincai.diagnosis import levels
from yincai.i18n import _, join
from yincai.rules import ITEM_TYPE_LABELS

FloatArray = npt.NDArray[np.float64]
Role = Literal["weak", "prerequisite"]

WEAK_LEVEL = levels.NEEDS_WORK_BELOW  # the one rule for a weak point
UNCERTAIN_SD = 1.0  # logits: about the spread of a point's mastery with no evidence at all
MANY_DEPENDANTS = 3  # a point that this many later points build on is worth saying so
DEFAULT_SUCCESS_BAND = (0.6, 0.8)  # desirable difficulty: hard enough to learn from, not to fail
TIE_BREAK = 0.01  # of the distance to the band's centre, among items equally near the band
TYPE_NAMES = ITEM_TYPE_LABELS  # the platform's one table of item-type labels


@dataclass(frozen=True)
class PriorityWeights:
    """Nudges added to a point's weakness (``1 - level``, in [0, 1]) when ranking points."""

    uncertainty: float = 0.03  # × min(sd / UNCERTAIN_SD, 1): little evidence, worth a look
    importance: float = 0.03  # × dependants ÷ the most any point has: foundations first
    recency: float = 0.03  # × taught recently: still fresh in class, cheap to consolidate


@dataclass(frozen=True)
class SelectionPolicy:
    """How many items, the desirable band of predicted success, how many points at once."""

    n_items: int = 10
    success_band: tuple[float, float] = DEFAULT_SUCCESS_BAND
    n_weak: int = 4
    max_items_per_kp: int = 3
    band_tolerance: float = 0.05  # how far outside the band a point's second or third item may be
    weak_level: float = WEAK_LEVEL
    type_weight: float = 0.15  # band-distance units charged for a type already making up a set
    weights: PriorityWeights = field(default_factory=PriorityWeights)

    def __post_init__(self) -> None:
        low, high = self.success_band
        if self.n_items < 1:
            raise ValueError(f"n_items must be at least 1, got {self.n_items}")
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(f"success_band must satisfy 0 ≤ low < high ≤ 1, got {low}, {high}")
        if self.n_weak < 1 or self.max_items_per_kp < 1:
            raise ValueError("n_weak and max_items_per_kp must be at least 1")


@dataclass(frozen=True)
class PointState:
    """One knowledge point as the student stands on it.

    ``is_taught``: taught to the student's class (it may be ranked as weak); other points the
    student has met before (earlier grades) may only come in as prerequisites.
    """

    kp_id: int
    name: str
    level: float
    logit_sd: float
    n_evidence: int
    is_taught: bool
    prerequisite_ids: tuple[int, ...] = ()
    n_dependants: int = 0
    is_recent: bool = False


@dataclass(frozen=True)
class CandidateItem:
    """An item of the bank the student could practise, on the points it mainly practises."""

    item_id: int
    item_type: str
    kp_ids: tuple[int, ...]
    predicted_success: float
    is_recently_correct: bool = False


@dataclass(frozen=True)
class PointChoice:
    """A targeted point: ``rank`` its place in the priority ranking (1 = most urgent)."""

    kp_id: int
    role: Role
    rank: int
    priority: float
    needed_by: tuple[int, ...]
    n_items: int
    reason: str


@dataclass(frozen=True)
class ItemChoice:
    """A chosen item, the target point it practises, and why."""

    item_id: int
    kp_id: int
    predicted_success: float
    is_in_band: bool
    reason: str


@dataclass(frozen=True)
class Selection:
    """``ranking``: taught points, most urgent first; ``targets`` and ``items`` in practice
    order."""

    ranking: tuple[int, ...]
    targets: tuple[PointChoice, ...]
    items: tuple[ItemChoice, ...]

    @property
    def weak_kp_ids(self) -> list[int]:
        """The points targeted as weak, most urgent first."""
        weak = [t for t in self.targets if t.role == "weak"]
        return [t.kp_id for t in sorted(weak, key=lambda t: t.rank)]


def priorities(
    level: npt.ArrayLike,
    logit_sd: npt.ArrayLike,
    importance: npt.ArrayLike,
    is_recent: npt.ArrayLike,
    weights: PriorityWeights | None = None,
) -> FloatArray:
    """Priority of points, elementwise (any shape): weakness plus the weighted nudges.

    ``importance`` is in [0, 1] (dependants ÷ the most any point has); the uncertainty nudge is
    ``min(logit_sd / UNCERTAIN_SD, 1)``.
    """
    w = weights or PriorityWeights()
    uncertainty = np.minimum(np.asarray(logit_sd, dtype=np.float64) / UNCERTAIN_SD, 1.0)
    value: FloatArray = (
        (1.0 - np.asarray(level, dtype=np.float64))
        + w.uncertainty * uncertainty
        + w.importance * np.asarray(importance, dtype=np.float64)
        + w.recency * np.asarray(is_recent, dtype=np.float64)
    )
    return value


def rank_points(
    points: Sequence[PointState], weights: PriorityWeights | None = None
) -> list[tuple[int, float]]:
    """Taught points as (kp_id, priority), most urgent first (ties: lower level, input order)."""
    taught = [p for p in points if p.is_taught]
    most = max((p.n_dependants for p in points), default=0)
    values = priorities(
        [p.level for p in taught],
        [p.logit_sd for p in taught],
        [p.n_dependants / most if most else 0.0 for p in taught],
        [p.is_recent for p in taught],
        weights,
    )
    order = sorted(range(len(taught)), key=lambda i: (-values[i], taught[i].level, i))
    return [(taught[i].kp_id, float(values[i])) for i in order]


@dataclass
class _Target:
    kp_id: int
    role: Role
    rank: int
    priority: float
    needed_by: list[int]
    picks: list[CandidateItem] = field(default_factory=list)


def select_practice(
    points: Sequence[PointState],
    items: Sequence[CandidateItem],
    policy: SelectionPolicy | None = None,
) -> Selection:
    """Choose up to ``policy.n_items`` items for one student (fewer only if the bank runs out)."""
    policy = policy or SelectionPolicy()
    by_id = {p.kp_id: p for p in points}
    ranked = rank_points(points, policy.weights)
    rank_of = {kp: (i + 1, value) for i, (kp, value) in enumerate(ranked)}
    usable: dict[int, list[CandidateItem]] = {}
    for item in items:
        if not item.is_recently_correct:
            for kp in item.kp_ids:
                usable.setdefault(kp, []).append(item)
    targets: list[_Target] = []
    upcoming = iter(kp for kp, _ in ranked)
    for _round in range(min(policy.n_weak, policy.n_items)):
        if not _add_weak(upcoming, targets, by_id, usable, rank_of, policy):
            break
    chosen: list[tuple[_Target, CandidateItem]] = []
    # A point's first item is the closest to the band whatever it is; more items on the same
    # point only from within the band, else the next ranked point joins (a set of items a
    # student mostly fails, or always solves, teaches little). Only when no point is left are
    # the closest items taken anyway.
    is_strict = True
    while len(chosen) < policy.n_items:
        added = False
        for target in list(targets):
            if len(chosen) >= policy.n_items:
                break
            if len(target.picks) >= policy.max_items_per_kp:
                continue
            pick = _best_item(usable[target.kp_id], chosen, policy)
            if pick is None:
                continue
            off_band = _band_distance(pick.predicted_success, policy.success_band)
            if is_strict and target.picks and off_band > policy.band_tolerance:
                continue
            target.picks.append(pick)
            chosen.append((target, pick))
            added = True
        if added or _add_weak(upcoming, targets, by_id, usable, rank_of, policy):
            continue
        if not is_strict:
            break
        is_strict = False
    _mix_types(chosen, usable, policy)
    return _selection(ranked, targets, by_id, policy)


def _add_weak(
    upcoming: Iterator[int],
    targets: list[_Target],
    by_id: dict[int, PointState],
    usable: dict[int, list[CandidateItem]],
    rank_of: dict[int, tuple[int, float]],
    policy: SelectionPolicy,
) -> bool:
    """Target the next ranked point that has items, after its weakest weak prerequisite."""
    targeted = {t.kp_id: t for t in targets}
    for kp in upcoming:
        if not usable.get(kp):
            continue
        rank, value = rank_of[kp]
        if kp in targeted:  # already there as a prerequisite, and weak in its own right
            targeted[kp].role, targeted[kp].rank, targeted[kp].priority = "weak", rank, value
            return True
        weak_prerequisites = [
            by_id[p]
            for p in by_id[kp].prerequisite_ids
            if p in by_id and by_id[p].level < policy.weak_level and usable.get(p)
        ]
        if weak_prerequisites:
            first = min(weak_prerequisites, key=lambda p: p.level)
            if first.kp_id in targeted:
                targeted[first.kp_id].needed_by.append(kp)
            else:
                prerequisite_rank, prerequisite_value = rank_of.get(first.kp_id, (0, 0.0))
                targets.append(
                    _Target(
                        first.kp_id, "prerequisite", prerequisite_rank, prerequisite_value, [kp]
                    )
                )
        targets.append(_Target(kp, "weak", rank, value, []))
        return True
    return False


def _band_distance(success: float, band: tuple[float, float]) -> float:
    return max(band[0] - success, 0.0, success - band[1])


def _item_cost(
    item: CandidateItem, type_counts: Counter[str], n_chosen: int, policy: SelectionPolicy
) -> float:
    band = policy.success_band
    centre = (band[0] + band[1]) / 2
    type_share = type_counts[item.item_type] / (n_chosen + 1)
    return (
        _band_distance(item.predicted_success, band)
        + policy.type_weight * type_share
        + TIE_BREAK * abs(item.predicted_success - centre)
    )


def _best_item(
    candidates: list[CandidateItem],
    chosen: list[tuple[_Target, CandidateItem]],
    policy: SelectionPolicy,
) -> CandidateItem | None:
    used = {item.item_id for _, item in chosen}
    free = [c for c in candidates if c.item_id not in used]
    if not free:
        return None
    counts = Counter(item.item_type for _, item in chosen)
    return min(free, key=lambda c: (_item_cost(c, counts, len(chosen), policy), c.item_id))


def _mix_types(
    chosen: list[tuple[_Target, CandidateItem]],
    usable: dict[int, list[CandidateItem]],
    policy: SelectionPolicy,
) -> None:
    """If every pick has one type, swap the pick farthest from the band for another type."""
    if len(chosen) < 2 or len({item.item_type for _, item in chosen}) > 1:
        return
    only = chosen[0][1].item_type
    used = {item.item_id for _, item in chosen}
    order = sorted(
        range(len(chosen)),
        key=lambda i: -_band_distance(chosen[i][1].predicted_success, policy.success_band),
    )
    for i in order:
        target, old = chosen[i]
        others = [c for c in usable[target.kp_id] if c.item_type != only and c.item_id not in used]
        if others:
            new = min(
                others,
                key=lambda c: (_band_distance(c.predicted_success, policy.success_band), c.item_id),
            )
            chosen[i] = (target, new)
            target.picks[target.picks.index(old)] = new
            return


def _practice_order(targets: list[_Target], by_id: dict[int, PointState]) -> list[_Target]:
    """Targets with items, each after the targeted points it builds on."""
    with_items = {t.kp_id: t for t in targets if t.picks}
    order: list[_Target] = []
    visiting: set[int] = set()

    def visit(target: _Target) -> None:
        if target.kp_id in visiting:
            return
        visiting.add(target.kp_id)
        for prerequisite in by_id[target.kp_id].prerequisite_ids:
            if prerequisite in with_items:
                visit(with_items[prerequisite])
        for other in with_items.values():
            if target.kp_id in other.needed_by:  # not a listed prerequisite, but chosen as one
                visit(other)
        order.append(target)

    for target in targets:
        if target.picks:
            visit(target)
    return order


def _selection(
    ranked: list[tuple[int, float]],
    targets: list[_Target],
    by_id: dict[int, PointState],
    policy: SelectionPolicy,
) -> Selection:
    most = max((p.n_dependants for p in by_id.values()), default=0)
    targeted = {t.kp_id: t for t in targets if t.picks}
    point_choices: list[PointChoice] = []
    item_choices: list[ItemChoice] = []
    low, high = policy.success_band
    for target in _practice_order(targets, by_id):
        reason = _point_reason(by_id[target.kp_id], target, by_id, targeted, most, policy)
        point_choices.append(
            PointChoice(
                kp_id=target.kp_id,
                role=target.role,
                rank=target.rank,
                priority=target.priority,
                needed_by=tuple(target.needed_by),
                n_items=len(target.picks),
                reason=reason,
            )
        )
        for item in sorted(target.picks, key=lambda c: (-c.predicted_success, c.item_id)):
            is_in_band = low <= item.predicted_success <= high
            if is_in_band:
                why = _("{reason}；预计答对率 {success}")
            else:
                why = _("{reason}；预计答对率 {success}（题库中最接近 {low}–{high} 的题）")
            item_choices.append(
                ItemChoice(
                    item_id=item.item_id,
                    kp_id=target.kp_id,
                    predicted_success=item.predicted_success,
                    is_in_band=is_in_band,
                    reason=why.format(
                        reason=reason,
                        success=f"{item.predicted_success:.2f}",
                        low=f"{low:.2f}",
                        high=f"{high:.2f}",
                    ),
                )
            )
    return Selection(
        ranking=tuple(kp for kp, _ in ranked),
        targets=tuple(point_choices),
        items=tuple(item_choices),
    )


def _point_reason(
    point: PointState,
    target: _Target,
    by_id: dict[int, PointState],
    targeted: dict[int, _Target],
    most_dependants: int,
    policy: SelectionPolicy,
) -> str:
    """Why this point is practised, e.g. 「一元一次方程的解法」需要巩固（掌握度 38%），其先修…"""
    word = levels.band_word(point.level, n_evidence=point.n_evidence)
    parts = [
        _("「{point}」{band}（掌握度 {level}）").format(
            point=point.name, band=word, level=f"{point.level:.0%}"
        )
    ]
    if target.role == "weak" and point.level >= policy.weak_level:
        parts.append(_("在已学知识点中相对较弱"))
    if target.role == "prerequisite" and target.needed_by:
        needs = join([by_id[k].name for k in target.needed_by[:2]], "、")
        parts.append(_("是「{points}」的先修，先打基础").format(points=needs))
    prerequisites = [by_id[p] for p in point.prerequisite_ids if p in by_id]
    weak_first = [p for p in prerequisites if p.kp_id in targeted and p.level < policy.weak_level]
    if weak_first:
        parts.append(_("其先修「{point}」也较弱，先练先修").format(point=weak_first[0].name))
    elif prerequisites:
        best = max(prerequisites, key=lambda p: p.level)
        if best.level >= policy.weak_level:
            parts.append(
                _("其先修「{point}」{band}").format(
                    point=best.name, band=levels.band_word(best.level)
                )
            )
    if point.n_evidence == 0:
        parts.append(_("尚无作答记录，按整体水平估计"))
    elif point.logit_sd >= UNCERTAIN_SD * 0.9:
        parts.append(_("作答记录少，多练以确认"))
    if point.n_dependants >= MANY_DEPENDANTS and point.n_dependants == most_dependants:
        parts.append(_("后续 {n} 个知识点以它为基础（最多）").format(n=point.n_dependants))
    elif point.n_dependants >= MANY_DEPENDANTS:
        parts.append(_("后续 {n} 个知识点以它为基础").format(n=point.n_dependants))
    if point.is_recent and point.is_taught:
        parts.append(_("近期新学"))
    return join(parts)
