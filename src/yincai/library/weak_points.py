"""Which knowledge points to recommend material for, in which order, and why.

Pure: the recommendation service hands in each point's stored mastery; nothing here reads the
database. The rules are the platform's own: a point is weak when its band is 需要巩固
(``diagnosis.levels.is_weak``, on a point the student has met and answered); the points a
student reads about come weakest first, each after its prerequisites that are weak too, so the
foundation comes first. A class's points are those the most students are weak on.

A student and a family read words (the band and their own share of marks on the point); staff
also read the level and its 80 % interval, the figures the heatmap shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from yincai.diagnosis import levels
from yincai.i18n import _, join

Role = Literal["weak", "prerequisite"]

N_WEAK = 5  # a student's weakest points listed: enough for a few weeks' revision
N_CLASS_POINTS = 5  # a class's points: as many as a re-teaching plan holds


@dataclass(frozen=True)
class PointStanding:
    """A student's stored standing on one knowledge point.

    ``is_met``: taught to the student's class, or of a lower grade; ``recent_scores``: the
    shares of marks (score ÷ full score) of their most recent responses on the point.
    """

    kp_id: int
    code: str
    name: str
    level: float
    level_low: float
    level_high: float
    n_evidence: int
    is_met: bool
    prerequisite_ids: tuple[int, ...] = ()
    recent_scores: tuple[float, ...] = ()

    @property
    def is_weak(self) -> bool:
        """Weak by the platform's one rule, on evidence of the student's own."""
        return self.is_met and self.n_evidence > 0 and levels.is_weak(self.level)

    @property
    def band_word(self) -> str:
        return levels.band_word(self.level, n_evidence=self.n_evidence, is_taught=self.is_met)

    @property
    def recent_rate(self) -> float | None:
        if not self.recent_scores:
            return None
        return sum(self.recent_scores) / len(self.recent_scores)


@dataclass(frozen=True)
class WeakPoint:
    """A point to read about: ``needed_by`` the weak points it is a prerequisite of."""

    point: PointStanding
    role: Role
    needed_by: tuple[str, ...]
    weak_prerequisites: tuple[str, ...]
    reason: str  # for the student and the family: words and their own share of marks
    staff_reason: str  # for teachers: the level and its interval too


def student_points(points: Sequence[PointStanding], *, n_weak: int = N_WEAK) -> list[WeakPoint]:
    """The student's ``n_weak`` weakest points (lowest level first), each after its weakest
    prerequisite that is weak too (as practice targets it: the foundation first). A prerequisite
    that is itself among the weakest brings its own; one that is not is listed alone, so the
    list holds at most ``2 × n_weak`` points, each once."""
    by_id = {p.kp_id: p for p in points}
    weak = sorted((p for p in points if p.is_weak), key=lambda p: (p.level, p.code))[:n_weak]
    chosen = {p.kp_id for p in weak}
    needed_by: dict[int, list[str]] = {}
    foundation: dict[int, PointStanding] = {}
    order: list[int] = []
    visiting: set[int] = set()

    def visit(point: PointStanding) -> None:
        if point.kp_id in order or point.kp_id in visiting:  # listed, or a cycle in the data
            return
        visiting.add(point.kp_id)
        prerequisites = [by_id[k] for k in point.prerequisite_ids if k in by_id]
        first = min(
            (p for p in prerequisites if p.is_weak), key=lambda p: (p.level, p.code), default=None
        )
        if first is not None:
            foundation[point.kp_id] = first
            needed_by.setdefault(first.kp_id, []).append(point.name)
            if first.kp_id in chosen:
                visit(first)
            elif first.kp_id not in order:
                order.append(first.kp_id)
        order.append(point.kp_id)

    for point in weak:
        visit(point)
    result = []
    for kp_id in order:
        point = by_id[kp_id]
        role: Role = "weak" if kp_id in chosen else "prerequisite"
        before = (foundation[kp_id].name,) if kp_id in foundation else ()
        after = tuple(dict.fromkeys(needed_by.get(kp_id, [])))
        result.append(
            WeakPoint(
                point=point,
                role=role,
                needed_by=after,
                weak_prerequisites=before,
                reason=_reason(point, before, after, with_level=False),
                staff_reason=_reason(point, before, after, with_level=True),
            )
        )
    return result


def _reason(
    point: PointStanding, before: tuple[str, ...], after: tuple[str, ...], *, with_level: bool
) -> str:
    """E.g. 「二次函数的图像」需要巩固（最近 12 次作答得分率 42%），先复习前置知识「一次函数」."""
    figures = []
    if with_level:
        figures.append(
            _("掌握度 {level}，{percent}% 区间 {low}–{high}").format(
                level=f"{point.level:.0%}",
                percent=levels.CREDIBLE_PERCENT,
                low=f"{point.level_low:.0%}",
                high=f"{point.level_high:.0%}",
            )
        )
    rate = point.recent_rate
    if rate is not None:
        figures.append(
            _("最近 {n} 次作答得分率 {rate}").format(n=len(point.recent_scores), rate=f"{rate:.0%}")
        )
    if figures:
        head = _("「{point}」{band}（{figures}）").format(
            point=point.name, band=point.band_word, figures=join(figures, "，")
        )
    else:
        head = _("「{point}」{band}").format(point=point.name, band=point.band_word)
    parts = [head]
    if after and before:
        parts.append(
            _("它是「{after}」的前置知识；复习它之前先复习「{before}」").format(
                after=join(after, "、"), before=join(before, "、")
            )
        )
    elif after:
        parts.append(_("它是「{points}」的前置知识，先复习它").format(points=join(after, "、")))
    elif before:
        parts.append(_("先复习前置知识「{points}」").format(points=join(before, "、")))
    return join(parts, "，")


@dataclass(frozen=True)
class ClassPointStanding:
    """A class's standing on one point it has met: how many students are weak on it (by the
    one rule), how many have evidence, and their mean level."""

    kp_id: int
    code: str
    name: str
    n_weak: int
    n_answered: int
    n_students: int
    mean_level: float | None
    prerequisite_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ClassPoint:
    point: ClassPointStanding
    weak_prerequisite: ClassPointStanding | None
    reason: str


def class_points(
    points: Sequence[ClassPointStanding], *, n_points: int = N_CLASS_POINTS
) -> list[ClassPoint]:
    """The ``n_points`` points the most students of the class are weak on (ties: the lower mean
    level first), each with its prerequisite the most students are weak on, if any."""
    by_id = {p.kp_id: p for p in points}
    ranked = sorted(
        (p for p in points if p.n_weak > 0),
        key=lambda p: (-p.n_weak, p.mean_level if p.mean_level is not None else 1.0, p.code),
    )[:n_points]
    result = []
    for point in ranked:
        prerequisites = [
            by_id[k] for k in point.prerequisite_ids if k in by_id and by_id[k].n_weak > 0
        ]
        first = min(prerequisites, key=lambda p: (-p.n_weak, p.code), default=None)
        result.append(ClassPoint(point, first, _class_reason(point, first)))
    return result


def _class_reason(point: ClassPointStanding, prerequisite: ClassPointStanding | None) -> str:
    """E.g. 「一元二次方程」：全班 12 / 45 名学生需要巩固（有作答的 40 人平均掌握度 46%）…"""
    band = levels.BAND_WORDS[levels.MasteryBand.NEEDS_WORK]
    text = _("「{point}」：{n_weak} / {n} 名学生{band}").format(
        point=point.name, n_weak=point.n_weak, n=point.n_students, band=band
    )
    parts = [text]
    if point.mean_level is not None:
        parts.append(
            _("有作答的 {n} 人平均掌握度 {level}").format(
                n=point.n_answered, level=f"{point.mean_level:.0%}"
            )
        )
    if prerequisite is not None:
        parts.append(
            _("其前置知识「{point}」也有 {n} 人{band}").format(
                point=prerequisite.name, n=prerequisite.n_weak, band=band
            )
        )
    return join(parts, "，")
