"""Value added (增值评价) between an exam and the cohort's previous one.

Totals are standardised within each exam over all its participants (``rules.standardise``).
Over the students present at both, this exam's z is regressed on the previous one's; a
student's residual is how much better they did than students who started where they did, and a
class's value added is the mean residual of its students.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.analysis.data import ExamData
from yincai.analysis.totals import optional
from yincai.rules import group_means, standardise
from yincai.science.base import BoolArray, FloatArray, IntArray

N_MOVERS = 5  # students listed as rising or falling most


@dataclass(frozen=True)
class PreviousExam:
    """The cohort's previous exam: its totals by student (NaN for absentees)."""

    code: str
    name: str
    full_score: float
    student_ids: IntArray
    totals: FloatArray


@dataclass(frozen=True)
class ValueAdded:
    """Regression of z_now on z_previous and its residuals; arrays by student or group."""

    intercept: float
    slope: float
    residual: FloatArray
    group_n: IntArray
    group_value_added: FloatArray
    group_se: FloatArray


@dataclass(frozen=True)
class GroupValueAdded:
    """A class's (or school's) value added: mean residual and its standard error."""

    name: str
    n_matched: int
    value_added: float | None
    se: float | None


@dataclass(frozen=True)
class Mover:
    """A student who rose or fell the most against expectation."""

    student_number: str
    name: str
    class_name: str
    previous_total: float
    total: float
    z_change: float
    residual: float


@dataclass(frozen=True)
class ProgressReport:
    """Value added since the previous exam of the same grade and subject."""

    previous_code: str
    previous_name: str
    n_matched: int
    slope: float | None
    classes: list[GroupValueAdded]
    schools: list[GroupValueAdded]
    risers: list[Mover]
    fallers: list[Mover]


def value_added(
    previous_z: npt.ArrayLike, current_z: npt.ArrayLike, groups: npt.ArrayLike, n_groups: int
) -> ValueAdded:
    """Least-squares regression of ``current_z`` on ``previous_z`` over all the students given
    (both (n,), no NaN) and the mean residual of each group 0 .. n_groups - 1 (-1: none)."""
    x = np.asarray(previous_z, dtype=np.float64)
    y = np.asarray(current_z, dtype=np.float64)
    codes = np.asarray(groups, dtype=np.int64)
    if not (x.shape == y.shape == codes.shape) or x.ndim != 1:
        raise ValueError(
            f"previous_z, current_z and groups differ: {x.shape}, {y.shape}, {codes.shape}"
        )
    if x.size < 3 or np.var(x) == 0:
        slope = intercept = float("nan")
        residual = np.full(x.shape, np.nan)
    else:
        slope = float(np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1))
        intercept = float(y.mean() - slope * x.mean())
        residual = y - (intercept + slope * x)
    means = group_means(residual, codes, n_groups)
    return ValueAdded(intercept, slope, residual, _counts(codes, n_groups), means.mean, means.se)


def _counts(codes: IntArray, n_groups: int) -> IntArray:
    """Matched students per group, also where the regression (so each mean) is undefined."""
    return np.bincount(codes[codes >= 0], minlength=n_groups).astype(np.int64)


def aligned(previous: PreviousExam, student_ids: IntArray) -> tuple[FloatArray, FloatArray]:
    """The previous totals and z-scores (z over all its participants) of ``student_ids``,
    NaN for students who were absent from it or not in it."""
    z = standardise(previous.totals)
    out_totals = np.full(student_ids.size, np.nan)
    out_z = np.full(student_ids.size, np.nan)
    if previous.student_ids.size == 0:
        return out_totals, out_z
    order = np.argsort(previous.student_ids, kind="stable")
    sorted_ids = previous.student_ids[order]
    position = np.clip(np.searchsorted(sorted_ids, student_ids), 0, sorted_ids.size - 1)
    found = sorted_ids[position] == student_ids
    out_totals[found] = previous.totals[order][position][found]
    out_z[found] = z[order][position][found]
    return out_totals, out_z


def build_progress(
    data: ExamData,
    previous: PreviousExam,
    *,
    in_scope: BoolArray,
    class_ids: list[int],
    school_ids: list[int],
    n_movers: int = N_MOVERS,
) -> ProgressReport:
    """Value added since ``previous``, the regression fitted on every student present at both;
    classes and schools listed by id; movers taken from the students ``in_scope``."""
    now_z = standardise(data.totals)
    before, before_z = aligned(previous, data.student_ids)
    matched = np.isfinite(now_z) & np.isfinite(before_z)
    class_codes = _codes(data.class_of_student, class_ids)
    school_codes = _codes(data.school_of_student, school_ids)
    fitted = value_added(before_z[matched], now_z[matched], class_codes[matched], len(class_ids))
    residual = np.full(data.student_ids.size, np.nan)
    residual[matched] = fitted.residual
    school_means = group_means(fitted.residual, school_codes[matched], len(school_ids))
    school_n = _counts(school_codes[matched], len(school_ids))
    rows = np.flatnonzero(matched & in_scope)
    ranked = rows[np.argsort(-residual[rows], kind="stable")]

    def mover(row: int) -> Mover:
        return Mover(
            student_number=data.student_numbers[row],
            name=data.student_names[row],
            class_name=data.class_names[int(data.class_of_student[row])],
            previous_total=float(before[row]),
            total=float(data.totals[row]),
            z_change=float(now_z[row] - before_z[row]),
            residual=float(residual[row]),
        )

    return ProgressReport(
        previous_code=previous.code,
        previous_name=previous.name,
        n_matched=int(matched.sum()),
        slope=optional(fitted.slope),
        classes=[
            GroupValueAdded(
                data.class_names[class_id],
                int(fitted.group_n[k]),
                optional(fitted.group_value_added[k]),
                optional(fitted.group_se[k]),
            )
            for k, class_id in enumerate(class_ids)
        ],
        schools=[
            GroupValueAdded(
                data.school_names[school_id],
                int(school_n[k]),
                optional(school_means.mean[k]),
                optional(school_means.se[k]),
            )
            for k, school_id in enumerate(school_ids)
        ],
        risers=[mover(row) for row in ranked[:n_movers].tolist() if residual[row] > 0],
        fallers=[mover(row) for row in ranked[::-1][:n_movers].tolist() if residual[row] < 0],
    )


def _codes(values: IntArray, ids: list[int]) -> IntArray:
    """Position of each value in ``ids``, -1 where it is not there."""
    if not ids:
        return np.full(values.size, -1, dtype=np.int64)
    table = np.array(ids, dtype=np.int64)
    order = np.argsort(table)
    position = np.clip(np.searchsorted(table[order], values), 0, table.size - 1)
    return np.where(table[order][position] == values, order[position], -1).astype(np.int64)
