"""Early-warning detectors: pure functions on arrays, no database.

Every threshold is read off the data's own spread (a median and a scaled median absolute
deviation), never off labelled cases, so a district with noisier exams gets wider limits:

- declining students: exam standing and homework (how much is handed in, how much is right)
  both fall against classmates who started alike; the three signals are robust z-scores,
  combined by Stouffer's rule and flagged beyond ``DECLINE_LIMIT``;
- chronic absence: absent from so many exams that the district's ordinary absence rate would
  produce that many in fewer than ``EXPECTED_FALSE_ALARMS`` students of the whole district;
- underperforming classes: a class's mean standing far below the other classes of its own
  school (school and setting effects cancel out), beyond ``CLASS_LIMIT`` once sampling error
  and the ordinary spread between classes are allowed for (``MIN_GROUP_SIZE`` students at
  least, on both sides);
- widening gaps: a school's students lose standing from the first exam to the last, beyond a
  Bonferroni limit over the district's schools and by enough to matter;
- missing scores: a class that sat the grade's other exams has no scores for one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from yincai.rules import group_means

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAD_TO_SD = 1.4826  # scaled MAD estimates the SD of a normal distribution
DECLINE_LIMIT = -4.0  # combined z; P(z < -4) ≈ 3e-5, under one false alarm per 10,000 students
EXPECTED_FALSE_ALARMS = 1.0  # chronic absence: ordinary absentees expected above the limit
CLASS_LIMIT = -3.0  # z below the school's other classes (P ≈ 0.001 per class)
MIN_CLASS_SHORTFALL = 0.5  # standard deviations of students: smaller gaps are not for leaders
FAMILY_ALPHA = 0.05  # chance of any false alarm among a district's schools (Bonferroni)
MIN_GAP_CHANGE = 0.15  # standard deviations lost by a whole school before it is flagged
MIN_GROUP_SIZE = 5  # students a class or school needs before its mean is compared
MIN_SPREAD = 1e-6


@dataclass(frozen=True)
class Limits:
    """The detectors' limits. ``STANDARD`` keeps the list short (about one ordinary case per
    kind and district would cross a limit by chance); ``SENSITIVE`` misses less and accepts a
    few more false alarms, for a leader who would rather check extra names."""

    decline: float = DECLINE_LIMIT
    absence_false_alarms: float = EXPECTED_FALSE_ALARMS
    class_z: float = CLASS_LIMIT
    school_alpha: float = FAMILY_ALPHA


STANDARD = Limits()
SENSITIVE = Limits(decline=-3.5, absence_false_alarms=5.0, class_z=-2.0, school_alpha=0.2)


def robust_z(values: npt.ArrayLike) -> FloatArray:
    """(x - median) / (1.4826 · MAD) over the finite values; NaN stays NaN, and all NaN when
    fewer than three values are finite or they do not vary."""
    x = np.asarray(values, dtype=np.float64)
    finite = x[np.isfinite(x)]
    if finite.size < 3:
        return np.full(x.shape, np.nan)
    median = float(np.median(finite))
    spread = MAD_TO_SD * float(np.median(np.abs(finite - median)))
    if spread < MIN_SPREAD:
        spread = float(finite.std(ddof=1))
    if spread < MIN_SPREAD:
        return np.full(x.shape, np.nan)
    z: FloatArray = (x - median) / spread
    return z


def residual_z(before: npt.ArrayLike, after: npt.ArrayLike) -> FloatArray:
    """Robust z of the residual of ``after`` regressed on ``before`` (both (n,)): how much
    worse or better than students who started alike; NaN where either is missing."""
    x = np.asarray(before, dtype=np.float64)
    y = np.asarray(after, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"before and after must be 1-d of one shape, got {x.shape}, {y.shape}")
    both = np.isfinite(x) & np.isfinite(y)
    residual = np.full(x.shape, np.nan)
    if both.sum() < 3 or np.var(x[both]) < MIN_SPREAD:
        return residual
    slope, intercept = np.polyfit(x[both], y[both], 1)
    residual[both] = y[both] - (intercept + slope * x[both])
    return robust_z(residual)


def combine(*signals: FloatArray) -> FloatArray:
    """Stouffer's combination of z-score signals, each (n,): sum of the finite ones over the
    square root of their count; NaN where none is finite."""
    stacked = np.vstack(signals)
    finite = np.isfinite(stacked)
    count = finite.sum(axis=0)
    total = np.where(finite, stacked, 0.0).sum(axis=0)
    out = np.full(count.shape, np.nan)
    np.divide(total, np.sqrt(count), out=out, where=count > 0)
    return out


def logit_rate(successes: npt.ArrayLike, trials: npt.ArrayLike) -> FloatArray:
    """Empirical logit log((s + ½) / (n − s + ½)), NaN where there were no trials."""
    s = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    out = np.log((s + 0.5) / (n - s + 0.5))
    return np.where(n > 0, out, np.nan)


@dataclass(frozen=True)
class DeclineSignals:
    """Per student (n,): robust z of each signal and their combination (NaN: no evidence)."""

    exam: FloatArray
    homework_done: FloatArray
    homework_correct: FloatArray
    combined: FloatArray
    is_flagged: BoolArray


def detect_decline(
    *,
    z_before: FloatArray,
    z_after: FloatArray,
    done_before: FloatArray,
    done_after: FloatArray,
    correct_before: FloatArray,
    correct_after: FloatArray,
    class_of_student: IntArray,
    limit: float = DECLINE_LIMIT,
) -> DeclineSignals:
    """Students whose standing and homework fall together.

    Parameters
    ----------
    z_before, z_after : FloatArray, shape (n,)
        Exam standing (z within each exam) at the first exam and over the latest ones; NaN if
        absent.
    done_before, done_after : FloatArray, shape (n,)
        Homework attempts in a baseline window and in a recent window.
    correct_before, correct_after : FloatArray, shape (n,)
        Correct homework attempts in the same windows.
    class_of_student : IntArray, shape (n,)
        Class codes 0..k-1; homework volume is compared with the class's median, since classes
        are set different amounts.
    limit : float
        Combined z at or below which a student is flagged.
    """
    exam = residual_z(z_before, z_after)
    share_before = _share_of_class(done_before, class_of_student)
    share_after = _share_of_class(done_after, class_of_student)
    with np.errstate(divide="ignore", invalid="ignore"):
        done_change = np.log(share_after) - np.log(share_before)
    done_change[~np.isfinite(done_change)] = np.nan
    homework_done = robust_z(done_change)
    correct_change = logit_rate(correct_after, done_after) - logit_rate(correct_before, done_before)
    homework_correct = residual_z(
        logit_rate(correct_before, done_before), logit_rate(correct_after, done_after)
    )
    homework_correct[~np.isfinite(correct_change)] = np.nan
    combined = combine(exam, homework_done, homework_correct)
    is_flagged = np.isfinite(combined) & (combined <= limit)
    return DeclineSignals(exam, homework_done, homework_correct, combined, is_flagged)


def _share_of_class(counts: FloatArray, class_of_student: IntArray) -> FloatArray:
    """Each student's count over their class's median count (NaN where the median is 0)."""
    out = np.full(counts.shape, np.nan)
    for code in np.unique(class_of_student):
        members = class_of_student == code
        median = float(np.median(counts[members]))
        if median > 0:
            out[members] = counts[members] / median
    return out


def absence_limit(
    n_absent: IntArray, n_expected: IntArray, *, false_alarms: float = EXPECTED_FALSE_ALARMS
) -> tuple[float, IntArray]:
    """The district's ordinary absence rate and, per student, the fewest absences that
    ordinary absence would reach in fewer than ``false_alarms`` students (binomial tail).

    ``n_absent`` and ``n_expected`` (n,): exams missed and exams the student's class sat.
    The rate pools the students with at most one absence, so that chronic absentees do not
    inflate the baseline they are measured against.
    """
    absent = np.asarray(n_absent, dtype=np.int64)
    expected = np.asarray(n_expected, dtype=np.int64)
    ordinary = absent <= 1
    rate = float(absent[ordinary].sum() / max(expected[ordinary].sum(), 1))
    rate = min(max(rate, 1e-4), 0.5)
    n_students = max(int((expected > 0).sum()), 1)
    limits = np.full(absent.shape, np.iinfo(np.int64).max, dtype=np.int64)
    for n in np.unique(expected[expected > 0]):
        # smallest k with n_students · P(X ≥ k) < false_alarms, X ~ Binomial(n, rate)
        tail = stats.binom.sf(np.arange(int(n) + 1) - 1, int(n), rate)
        below = np.flatnonzero(n_students * tail < false_alarms)
        k = int(below[0]) if below.size else int(n) + 1
        limits[expected == n] = max(k, 2)
    return rate, limits


def detect_chronic_absence(
    n_absent: IntArray, n_expected: IntArray, *, false_alarms: float = EXPECTED_FALSE_ALARMS
) -> tuple[BoolArray, float]:
    """Students absent at least their binomial limit (see ``absence_limit``); and the rate."""
    rate, limits = absence_limit(n_absent, n_expected, false_alarms=false_alarms)
    return np.asarray(n_absent) >= limits, rate


@dataclass(frozen=True)
class ClassShortfall:
    """Per class (k,): mean standing, the mean of the school's other classes, the difference,
    its standard error and z = difference / sqrt(τ² + se²); ``is_flagged`` where z and the
    difference are both large."""

    n_students: IntArray
    mean: FloatArray
    others: FloatArray
    shortfall: FloatArray
    se: FloatArray
    z: FloatArray
    is_flagged: BoolArray


def detect_class_shortfall(
    standing: FloatArray,
    class_of_student: IntArray,
    school_of_class: IntArray,
    *,
    limit: float = CLASS_LIMIT,
    min_shortfall: float = MIN_CLASS_SHORTFALL,
) -> ClassShortfall:
    """Classes far below the other classes of their own school.

    ``standing`` (n,): each student's mean exam z (NaN: none); ``class_of_student`` (n,) codes
    0..k-1; ``school_of_class`` (k,) school codes. The shortfall's sampling error (from the
    spread within the classes and their sizes) and the spread of true class differences τ (the
    robust spread of the shortfalls less the typical sampling error) both widen the limit, so
    a small class is not flagged for noise. A school with one class has nothing to compare with.
    """
    x = np.asarray(standing, dtype=np.float64)
    classes = np.asarray(class_of_student, dtype=np.int64)
    schools = np.asarray(school_of_class, dtype=np.int64)
    n_classes = schools.size
    kept = np.isfinite(x)
    n = np.bincount(classes[kept], minlength=n_classes).astype(np.float64)
    total = np.bincount(classes[kept], weights=x[kept], minlength=n_classes)
    squares = np.bincount(classes[kept], weights=x[kept] ** 2, minlength=n_classes)
    mean = np.full(n_classes, np.nan)
    np.divide(total, n, out=mean, where=n > 0)
    variance = np.zeros(n_classes)
    np.divide(squares - n * np.nan_to_num(mean) ** 2, n - 1, out=variance, where=n > 1)
    n_codes = int(schools.max()) + 1 if n_classes else 0
    school_n = np.bincount(schools, weights=n, minlength=n_codes)[schools]
    school_total = np.bincount(schools, weights=total, minlength=n_codes)[schools]
    school_spread = np.bincount(schools, weights=variance * n, minlength=n_codes)[schools]
    others = np.full(n_classes, np.nan)
    has_others = (school_n - n >= MIN_GROUP_SIZE) & (n >= MIN_GROUP_SIZE)
    np.divide(school_total - total, school_n - n, out=others, where=has_others)
    shortfall = mean - others
    within = np.divide(school_spread, school_n, out=np.zeros(n_classes), where=school_n > 0)
    se = np.sqrt(
        np.divide(within, n, out=np.full(n_classes, np.nan), where=has_others)
        + np.divide(within, school_n - n, out=np.full(n_classes, np.nan), where=has_others)
    )
    valid = has_others & np.isfinite(shortfall)
    z = np.full(n_classes, np.nan)
    if valid.sum() >= 3:
        centre = float(np.median(shortfall[valid]))
        spread = MAD_TO_SD * float(np.median(np.abs(shortfall[valid] - centre)))
        tau2 = max(spread**2 - float(np.median(se[valid] ** 2)), 0.0)
        z[valid] = (shortfall[valid] - centre) / np.sqrt(tau2 + se[valid] ** 2)
    is_flagged = np.isfinite(z) & (z <= limit) & (shortfall <= -min_shortfall)
    return ClassShortfall(n.astype(np.int64), mean, others, shortfall, se, z, is_flagged)


@dataclass(frozen=True)
class SchoolChange:
    """Per school (m,): mean change of students' standing first → last exam, its standard
    error, t = change / se, and the flag."""

    n_matched: IntArray
    change: FloatArray
    se: FloatArray
    t: FloatArray
    is_flagged: BoolArray


def detect_school_decline(
    change_of_student: FloatArray,
    school_of_student: IntArray,
    n_schools: int,
    *,
    alpha: float = FAMILY_ALPHA,
    min_change: float = MIN_GAP_CHANGE,
) -> SchoolChange:
    """Schools whose students lose standing between the first and the last exam.

    ``change_of_student`` (n,): z_last − z_first (NaN if either is missing), the change
    measured against the whole district (mean ≈ 0); ``school_of_student`` (n,) codes
    0..n_schools-1. A school is flagged when t = change / se is below the one-sided normal
    quantile of alpha / (schools compared) and the change is at least ``min_change``.
    """
    by_school = group_means(change_of_student, school_of_student, n_schools)
    n, mean, se = by_school.n, by_school.mean, by_school.se
    t = np.full(n_schools, np.nan)
    np.divide(mean, se, out=t, where=(np.nan_to_num(se) > 0) & (n >= MIN_GROUP_SIZE))
    n_compared = max(int(np.isfinite(t).sum()), 1)
    t_limit = float(stats.norm.ppf(alpha / n_compared))
    is_flagged = np.isfinite(t) & (t <= t_limit) & (mean <= -min_change)
    return SchoolChange(n.astype(np.int64), mean, se, t, is_flagged)


def detect_missing_classes(sat: BoolArray, eligible: BoolArray) -> BoolArray:
    """(n_exams, n_classes) cells where a class with students missed an exam of its grade
    although it sat at least one other exam of that grade.

    ``sat`` (n_exams, n_classes): the class has scores for the exam; ``eligible``
    (n_exams, n_classes): the exam is for the class's grade and the class has students.
    """
    sat = np.asarray(sat, dtype=bool)
    eligible = np.asarray(eligible, dtype=bool)
    if sat.shape != eligible.shape:
        raise ValueError(f"sat and eligible differ in shape: {sat.shape}, {eligible.shape}")
    sat_some: BoolArray = np.asarray((sat & eligible).any(axis=0))
    missing: BoolArray = eligible & ~sat & sat_some[np.newaxis, :]
    return missing
