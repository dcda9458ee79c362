"""Choosing what a class should be re-taught: the points, and the items that diagnose them best.

Pure, like ``selection``. A point is worth re-teaching when the class is weak on it on average,
when many students are below ``weak_level``, and when many later points build on it:

    priority = (1 - mean level) + share of students below weak_level + w × importance,

with importance the point's dependants ÷ the most any point has. The ``n_min`` most urgent points
are always kept, and up to ``n_max`` while a further point still has ``share_floor`` of the class
below. For each point, the most diagnostic items are those with the highest Fisher information
about it, averaged over the class's students at their own estimates: high discrimination, with a
difficulty near where the class stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.i18n import _, join
from yincai.practice.selection import MANY_DEPENDANTS, WEAK_LEVEL

FloatArray = npt.NDArray[np.float64]

N_MIN_POINTS, N_MAX_POINTS = 3, 5
SHARE_FLOOR = 1 / 3  # a fourth or fifth point joins only if a third of the class is below
IMPORTANCE_WEIGHT = 0.15  # foundations first, among points the class is similarly weak on
N_DIAGNOSTIC_ITEMS = 3


@dataclass(frozen=True)
class ClassPoint:
    """One point taught to the class: each student's level (n_students,) and its dependants."""

    kp_id: int
    name: str
    levels: FloatArray
    n_dependants: int = 0


@dataclass(frozen=True)
class ReteachChoice:
    kp_id: int
    mean_level: float
    n_below: int
    n_students: int
    priority: float
    reason: str


@dataclass(frozen=True)
class DiagnosticCandidate:
    """An item on a point: its information about the point averaged over the class, and the
    class's mean predicted success."""

    item_id: int
    information: float
    class_success: float
    discrimination: float
    difficulty: float


@dataclass(frozen=True)
class DiagnosticChoice:
    item_id: int
    information: float
    class_success: float
    reason: str


def rank_reteach(
    points: Sequence[ClassPoint],
    *,
    n_min: int = N_MIN_POINTS,
    n_max: int = N_MAX_POINTS,
    weak_level: float = WEAK_LEVEL,
    share_floor: float = SHARE_FLOOR,
    importance_weight: float = IMPORTANCE_WEIGHT,
) -> list[ReteachChoice]:
    """The points to re-teach, most urgent first: ``n_min`` to ``n_max`` of them (fewer only if
    fewer points were taught)."""
    if not 1 <= n_min <= n_max:
        raise ValueError(f"need 1 ≤ n_min ≤ n_max, got {n_min} and {n_max}")
    most = max((p.n_dependants for p in points), default=0)
    scored: list[tuple[float, float, float, int, ClassPoint]] = []
    for position, point in enumerate(points):
        if point.levels.size == 0:
            continue
        mean = float(point.levels.mean())
        share = float((point.levels < weak_level).mean())
        importance = point.n_dependants / most if most else 0.0
        priority = (1.0 - mean) + share + importance_weight * importance
        scored.append((priority, mean, share, position, point))
    scored.sort(key=lambda s: (-s[0], s[1], s[3]))
    chosen: list[ReteachChoice] = []
    for priority, mean, share, _position, point in scored:
        if len(chosen) >= n_max or (len(chosen) >= n_min and share < share_floor):
            break
        n_below = int((point.levels < weak_level).sum())
        parts = [
            _("「{point}」全班平均掌握水平 {mean}").format(point=point.name, mean=f"{mean:.2f}"),
            _("{n} 人中 {n_below} 人低于 {level}").format(
                n=point.levels.size, n_below=n_below, level=f"{weak_level:.2f}"
            ),
        ]
        if point.n_dependants >= MANY_DEPENDANTS:
            parts.append(_("后续 {n} 个知识点以它为基础").format(n=point.n_dependants))
        chosen.append(
            ReteachChoice(
                kp_id=point.kp_id,
                mean_level=mean,
                n_below=n_below,
                n_students=int(point.levels.size),
                priority=priority,
                reason=join(parts),
            )
        )
    return chosen


def pick_diagnostic(
    candidates: Sequence[DiagnosticCandidate], n_items: int = N_DIAGNOSTIC_ITEMS
) -> list[DiagnosticChoice]:
    """The ``n_items`` most informative items about the point for this class, best first."""
    best = sorted(candidates, key=lambda c: (-c.information, -c.discrimination, c.item_id))
    return [
        DiagnosticChoice(
            item_id=c.item_id,
            information=c.information,
            class_success=c.class_success,
            reason=_(
                "区分度 {discrimination}、难度 {difficulty}；本班预计答对率 {success}，"
                "在本班水平附近信息量 {information}（第 {place} 高），最能区分会与不会"
            ).format(
                discrimination=f"{c.discrimination:.2f}",
                difficulty=f"{c.difficulty:+.2f}",
                success=f"{c.class_success:.2f}",
                information=f"{c.information:.2f}",
                place=place,
            ),
        )
        for place, c in enumerate(best[:n_items], start=1)
    ]
