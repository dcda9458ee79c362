"""Cockpit indicators: quality (score, pass and excellence rates by school and by knowledge point),
equity (urban–rural gap, between-school variance share, spread of school means) and their trends
over the exam rounds of a semester.

Standing is the z-score of a total within its exam over every student who sat it, so rounds and
grades with papers of different difficulty can be pooled. The pure functions at the top take
arrays; the builders below read a :class:`~yincai.cockpit.data.DistrictData`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from yincai.cockpit.data import DistrictData, KpScores
from yincai.cockpit.warnings import BoolArray, FloatArray, IntArray
from yincai.domain.models import Setting
from yincai.rules import EXCELLENT, PASSING, at_or_above, group_means, standardise

N_WEAKEST_KPS = 12


def icc(values: npt.ArrayLike, groups: npt.ArrayLike) -> float:
    """Between-group share of variance, ICC(1) by one-way ANOVA with unequal group sizes:
    (MSB − MSW) / (MSB + (n0 − 1) MSW), n0 = (N − Σ n_j² / N) / (J − 1); floored at 0.
    NaN with fewer than two groups or no within-group spread."""
    x = np.asarray(values, dtype=np.float64)
    codes = np.asarray(groups, dtype=np.int64)
    kept = np.isfinite(x)
    x, codes = x[kept], codes[kept]
    labels, inverse = np.unique(codes, return_inverse=True)
    n_groups, n_total = labels.size, x.size
    if n_groups < 2 or n_total <= n_groups:
        return float("nan")
    counts = np.bincount(inverse)
    means = np.bincount(inverse, weights=x) / counts
    grand = x.mean()
    ms_between = float((counts * (means - grand) ** 2).sum() / (n_groups - 1))
    ms_within = float(((x - means[inverse]) ** 2).sum() / (n_total - n_groups))
    n0 = (n_total - (counts**2).sum() / n_total) / (n_groups - 1)
    denominator = ms_between + (n0 - 1) * ms_within
    if denominator <= 0:
        return float("nan")
    return max(0.0, float((ms_between - ms_within) / denominator))


def rates(totals: FloatArray, full_scores: FloatArray) -> tuple[float, float, float]:
    """Mean score rate, pass rate and excellence rate of the present students (NaN: none)."""
    share = np.asarray(totals, dtype=np.float64) / np.asarray(full_scores, dtype=np.float64)
    share = share[np.isfinite(share)]
    if share.size == 0:
        return float("nan"), float("nan"), float("nan")
    return (
        float(share.mean()),
        float(at_or_above(share, PASSING).mean()),
        float(at_or_above(share, EXCELLENT).mean()),
    )


def optional(value: float) -> float | None:
    """None for NaN, so JSON and templates show a dash instead of NaN."""
    return None if not np.isfinite(value) else round(float(value), 4)


@dataclass(frozen=True)
class Standing:
    """``z`` (n_exams, n_students): z-score of each present total within its exam."""

    z: FloatArray
    share: FloatArray  # total ÷ full score, same shape


def standing(data: DistrictData) -> Standing:
    z = np.vstack([standardise(row) for row in data.totals]) if data.exams else data.totals
    full = np.array([exam.full_score for exam in data.exams])[:, np.newaxis]
    return Standing(z=z, share=data.totals / np.maximum(full, 1e-9))


def rounds(data: DistrictData) -> list[list[int]]:
    """Exam indices by round (the k-th exam of every grade and subject)."""
    n_rounds = max((exam.round for exam in data.exams), default=-1) + 1
    return [[k for k, e in enumerate(data.exams) if e.round == r] for r in range(n_rounds)]


def round_label(data: DistrictData, exam_indices: list[int]) -> str:
    """The name the round's exams share (七年级数学期中考试, 八年级… → 数学期中考试)."""
    names = [data.exams[k].name for k in exam_indices]
    if len(names) == 1:
        return names[0]
    suffix = names[0]
    for name in names[1:]:
        while not name.endswith(suffix):
            suffix = suffix[1:]
    return suffix.removeprefix("年级") or names[0]


@dataclass(frozen=True)
class Kpis:
    n_schools: int
    n_classes: int
    n_students: int
    n_exams: int
    latest_round: str | None
    participation: float | None
    score_rate: float | None
    pass_rate: float | None
    excellent_rate: float | None


@dataclass(frozen=True)
class SchoolQuality:
    school_id: int
    code: str
    name: str
    setting: str
    n_students: int
    score_rate: float | None
    pass_rate: float | None
    excellent_rate: float | None
    mean_z: float | None
    change_z: float | None  # mean standing, latest round minus first round


@dataclass(frozen=True)
class ClassQuality:
    school_class_id: int
    name: str
    grade_level: int
    n_students: int
    score_rate: float | None
    pass_rate: float | None
    excellent_rate: float | None
    mean_z: float | None
    change_z: float | None


@dataclass(frozen=True)
class KpQuality:
    knowledge_point_id: int
    code: str
    name: str
    score_rate: float | None
    urban: float | None
    township: float | None
    rural: float | None


@dataclass(frozen=True)
class TrendPoint:
    round: int
    label: str
    participation: float | None
    score_rate: float | None
    pass_rate: float | None
    urban_rural_gap: float | None  # mean z urban − rural (district view only)
    icc: float | None  # between-school share of variance
    school_sd: float | None  # SD of school mean z


@dataclass(frozen=True)
class Equity:
    """Latest round: urban − rural mean standing, ICC and spread of school means, in SD."""

    urban_rural_gap: float | None
    first_urban_rural_gap: float | None
    icc: float | None
    school_sd: float | None
    school_range: float | None


def round_mean(values: FloatArray, exams: list[int]) -> FloatArray:
    """Each student's mean of ``values`` (n_exams, n_students) over the ``exams`` sat (finite),
    NaN for a student who sat none of them."""
    rows = values[exams]
    present = np.isfinite(rows)
    n_sat = present.sum(axis=0)
    total = np.where(present, rows, 0.0).sum(axis=0)
    mean: FloatArray = np.divide(total, n_sat, out=np.full(n_sat.shape, np.nan), where=n_sat > 0)
    return mean


def _round_arrays(
    data: DistrictData, view: Standing, exams: list[int], in_scope: BoolArray
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray]:
    """Pooled over a round's exams: z, share, present and expected, each (n_students,) with
    NaN/False outside scope. A student who sits several subjects of the round (a joint exam)
    stands on the mean over the papers sat."""
    z = round_mean(view.z, exams)
    share = round_mean(view.share, exams)
    expected = data.expected[exams].any(axis=0) & in_scope
    present = np.isfinite(share) & expected
    z[~present] = np.nan
    share[~present] = np.nan
    return z, share, present, expected


def kpis(data: DistrictData, view: Standing, in_scope: BoolArray) -> Kpis:
    """Counts in scope and the latest round's participation and 三率."""
    by_round = rounds(data)
    schools = np.unique(data.student_school[in_scope])
    classes = np.unique(data.student_class[in_scope])
    if not by_round:
        return Kpis(schools.size, classes.size, int(in_scope.sum()), 0, None, *([None] * 4))
    latest = by_round[-1]
    _, share, present, expected = _round_arrays(data, view, latest, in_scope)
    score_rate, pass_rate, excellent = rates(share, np.ones_like(share))
    exams_in_scope = data.expected[:, in_scope].any(axis=1)
    return Kpis(
        n_schools=int(schools.size),
        n_classes=int(classes.size),
        n_students=int(in_scope.sum()),
        n_exams=int(exams_in_scope.sum()),
        latest_round=round_label(data, latest),
        participation=optional(present.sum() / max(expected.sum(), 1)),
        score_rate=optional(score_rate),
        pass_rate=optional(pass_rate),
        excellent_rate=optional(excellent),
    )


def school_quality(data: DistrictData, view: Standing, in_scope: BoolArray) -> list[SchoolQuality]:
    """Latest-round 三率, mean standing and its change since the first round, per school."""
    return [
        SchoolQuality(
            school_id=school_id,
            code=data.school_codes[k],
            name=data.school_names[k],
            setting=data.school_settings[k].value,
            **numbers,
        )
        for k, school_id, numbers in _group_quality(
            data, view, in_scope, data.student_school, data.school_ids
        )
    ]


def class_quality(data: DistrictData, view: Standing, in_scope: BoolArray) -> list[ClassQuality]:
    """The same per class in scope (a school's cockpit compares its classes)."""
    return [
        ClassQuality(
            school_class_id=class_id,
            name=data.class_names[k],
            grade_level=int(data.class_grade[k]),
            **numbers,
        )
        for k, class_id, numbers in _group_quality(
            data, view, in_scope, data.student_class, data.class_ids
        )
    ]


def _group_quality(
    data: DistrictData, view: Standing, in_scope: BoolArray, group: IntArray, ids: list[int]
) -> list[tuple[int, int, dict[str, Any]]]:
    """(index, id, numbers) of every group with results in scope, in the order of ``ids``."""
    by_round = rounds(data)
    n_groups = len(ids)
    if by_round:
        z_last, share_last, _, _ = _round_arrays(data, view, by_round[-1], in_scope)
        z_first, _, _, _ = _round_arrays(data, view, by_round[0], in_scope)
    else:
        z_last = share_last = z_first = np.full(data.student_ids.size, np.nan)
    mean_last = group_means(z_last, group, n_groups).mean
    mean_first = group_means(z_first, group, n_groups).mean
    out = []
    for k, group_id in enumerate(ids):
        members = (group == k) & in_scope
        if not np.isfinite(share_last[members]).any():
            continue  # no exam results (e.g. a primary school with no exams yet)
        score_rate, pass_rate, excellent = rates(share_last[members], np.ones(members.sum()))
        numbers = {
            "n_students": int(members.sum()),
            "score_rate": optional(score_rate),
            "pass_rate": optional(pass_rate),
            "excellent_rate": optional(excellent),
            "mean_z": optional(mean_last[k]),
            "change_z": optional(mean_last[k] - mean_first[k]),
        }
        out.append((k, group_id, numbers))
    return out


def kp_quality(
    data: DistrictData, scores: KpScores, in_scope_schools: BoolArray
) -> list[KpQuality]:
    """Score rate of each knowledge point in scope and by setting, weakest first."""
    settings = np.array([s.value for s in data.school_settings])

    def rate(columns: BoolArray) -> FloatArray:
        earned = scores.earned[:, columns].sum(axis=1)
        possible = scores.possible[:, columns].sum(axis=1)
        out = np.full(earned.shape, np.nan)
        np.divide(earned, possible, out=out, where=possible > 0)
        return out

    overall = rate(in_scope_schools)
    by_setting = {s.value: rate(in_scope_schools & (settings == s.value)) for s in Setting}
    rows = [
        KpQuality(
            knowledge_point_id=kp_id,
            code=scores.kp_codes[k],
            name=scores.kp_names[k],
            score_rate=optional(overall[k]),
            urban=optional(by_setting["urban"][k]),
            township=optional(by_setting["township"][k]),
            rural=optional(by_setting["rural"][k]),
        )
        for k, kp_id in enumerate(scores.kp_ids)
        if np.isfinite(overall[k])
    ]
    return sorted(rows, key=lambda row: (row.score_rate or 0.0, row.code))


def _equity_of(
    data: DistrictData, z: FloatArray
) -> tuple[float | None, float | None, float | None, float | None]:
    """Urban − rural gap, ICC, SD and range of school means of one round's z (n_students,)."""
    school = data.student_school
    settings = np.array([s.value for s in data.school_settings])[school]
    urban = z[(settings == Setting.URBAN.value) & np.isfinite(z)]
    rural = z[(settings == Setting.RURAL.value) & np.isfinite(z)]
    gap = float(urban.mean() - rural.mean()) if urban.size and rural.size else float("nan")
    means = group_means(z, school, len(data.school_ids)).mean
    means = means[np.isfinite(means)]
    sd = float(means.std(ddof=1)) if means.size > 1 else float("nan")
    spread = float(means.max() - means.min()) if means.size > 1 else float("nan")
    return optional(gap), optional(icc(z, school)), optional(sd), optional(spread)


def equity(data: DistrictData, view: Standing) -> Equity:
    """The district's equity indicators at the latest round (gap also at the first)."""
    by_round = rounds(data)
    everyone = np.ones(data.student_ids.size, dtype=bool)
    if not by_round:
        return Equity(None, None, None, None, None)
    z_last, _, _, _ = _round_arrays(data, view, by_round[-1], everyone)
    z_first, _, _, _ = _round_arrays(data, view, by_round[0], everyone)
    gap, share, sd, spread = _equity_of(data, z_last)
    return Equity(gap, _equity_of(data, z_first)[0], share, sd, spread)


def trends(
    data: DistrictData, view: Standing, in_scope: BoolArray, *, with_equity: bool
) -> list[TrendPoint]:
    """One point per round: participation, 三率 and (district view) the equity indicators."""
    everyone = np.ones(data.student_ids.size, dtype=bool)
    points = []
    for r, exams in enumerate(rounds(data)):
        _, share, present, expected = _round_arrays(data, view, exams, in_scope)
        score_rate, pass_rate, _ = rates(share, np.ones_like(share))
        gap = share_between = sd = None
        if with_equity:
            z_all, _, _, _ = _round_arrays(data, view, exams, everyone)
            gap, share_between, sd, _ = _equity_of(data, z_all)
        points.append(
            TrendPoint(
                round=r + 1,
                label=round_label(data, exams),
                participation=optional(present.sum() / max(expected.sum(), 1)),
                score_rate=optional(score_rate),
                pass_rate=optional(pass_rate),
                urban_rural_gap=gap,
                icc=share_between,
                school_sd=sd,
            )
        )
    return points
