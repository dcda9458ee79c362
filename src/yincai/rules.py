"""The platform's scoring rules and labels, stated once: every surface (home pages, reports,
cockpit, practice, print) imports them from here, so a student never sees two answers.

Pure: numpy only, no database, web or file access; item types are keyed by the string values
of ``domain.models.ItemType`` so this module needs nothing else of yincai.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.i18n import _

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# 三率 as shares of full marks: 优秀 / 良好 / 及格, the usual thresholds of Chinese schools.
EXCELLENT = 0.85
GOOD = 0.70
PASSING = 0.60
LOW_SCORE = 0.40  # 低分率: share of participants below 40 % of full marks
BORDERLINE_MARGIN = 5.0  # points: 临界生 sit this close below or above the 及格 and 优秀 lines
DISTRIBUTION_STEP = 10.0  # points: the width of a band of the 分数段统计表
CUTOFF_TOLERANCE = 1e-9  # relative: 70 % of 110 = 77.00000000000001 must still count as 77

# 等级 are the 三率 read per student (A 优秀, B 良好, C 及格, D 不及格), so a family's band
# and the teacher's 三率 count the same students; one band below 及格 avoids a finer label
# for the weakest students that no other figure of the platform uses.
GRADE_BANDS = (("A", EXCELLENT), ("B", GOOD), ("C", PASSING))
LOWEST_BAND = "D"

# One Chinese label per ItemType value; each reads back to its type in the item importer
# (hub.importers.parsing), so an exported label round-trips.
ITEM_TYPE_LABELS = {
    "single_choice": _("单选题"),
    "multiple_choice": _("多选题"),
    "true_false": _("判断题"),
    "fill_in": _("填空题"),
    "short_answer": _("简答题"),
    "essay": _("解答题"),
}
# Print layouts put the type in brackets beside the points, without the trailing 题.
ITEM_TYPE_SHORT_LABELS = {
    kind: label.removesuffix("题") for kind, label in ITEM_TYPE_LABELS.items()
}

MIN_SPREAD = 1e-6  # points (or z): a smaller SD is rounding noise, not a spread to divide by

# 偏科 in a joint exam (联考): a student's best and worst subject lie at least this many district
# SDs apart (standard scores within each subject's paper). Not 1.0: papers correlate about 0.6,
# so two subjects' z differ by about sqrt(2 × 0.4) ≈ 0.9 SD for a typical student, and the
# max − min of 3–5 subjects reaches 1.0 for half to two thirds of the demo's students; at 2.0
# about one in ten is flagged, whatever the number of subjects.
LOPSIDED_SPREAD = 2.0


def item_type_label(kind: str) -> str:
    """The Chinese label of an item type value (unknown values are shown as they are)."""
    return ITEM_TYPE_LABELS.get(str(kind), str(kind))


def at_or_above(values: npt.ArrayLike, cutoff: float) -> BoolArray:
    """Mask of values that meet ``cutoff`` (≥, tolerant of floating-point error)."""
    mask: BoolArray = np.asarray(values, dtype=np.float64) >= cutoff - CUTOFF_TOLERANCE * max(
        1.0, abs(cutoff)
    )
    return mask


@dataclass(frozen=True)
class Thresholds:
    """三率 cut-offs as shares of the full score: 优秀 / 良好 / 及格; below ``low`` is 低分."""

    excellent: float = EXCELLENT
    good: float = GOOD
    passing: float = PASSING
    low: float = LOW_SCORE

    def __post_init__(self) -> None:
        if not 0 < self.passing <= self.good <= self.excellent <= 1 or not 0 < self.low <= 1:
            raise ValueError(
                "thresholds must satisfy 0 < passing <= good <= excellent <= 1 and "
                f"0 < low <= 1, got {self.passing}, {self.good}, {self.excellent}, {self.low}"
            )


@dataclass(frozen=True)
class GradeBands:
    """等级 cut-offs as shares of the full score, best first; below the last is ``lowest``."""

    cutoffs: tuple[tuple[str, float], ...] = GRADE_BANDS
    lowest: str = LOWEST_BAND

    def __post_init__(self) -> None:
        shares = [share for _, share in self.cutoffs]
        if not shares or shares != sorted(shares, reverse=True) or not 0 < shares[-1] <= 1:
            raise ValueError(f"band cut-offs must fall within (0, 1], best first: {self.cutoffs}")

    def band_of(self, total: float, full_score: float) -> str:
        """The band of a total (at or above a cut-off earns that band)."""
        if full_score <= 0:
            raise ValueError(f"full_score must be positive, got {full_score}")
        for band, share in self.cutoffs:
            if bool(at_or_above(total, full_score * share)):
                return band
        return self.lowest


def grade_band(total: float, full_score: float) -> str:
    """The platform's 等级 of a total out of ``full_score``."""
    return GradeBands().band_of(total, full_score)


def sitting_totals(
    is_absent: npt.ArrayLike, recorded: npt.ArrayLike, item_sums: npt.ArrayLike
) -> FloatArray:
    """A student's total of a sitting, all (n,): NaN if absent; else the recorded total (the
    importer stores the sum of the item scores); else the sum of the item scores given (NaN:
    none); NaN when neither exists."""
    absent = np.asarray(is_absent, dtype=bool)
    stored = np.asarray(recorded, dtype=np.float64)
    summed = np.asarray(item_sums, dtype=np.float64)
    out: FloatArray = np.where(absent, np.nan, np.where(np.isnan(stored), summed, stored))
    return out


def standardise(values: npt.ArrayLike) -> FloatArray:
    """z-scores (ddof=1) over the finite values; NaN stays NaN, and all NaN when fewer than
    two values are finite or their SD is below ``MIN_SPREAD``."""
    x = np.asarray(values, dtype=np.float64)
    finite = x[np.isfinite(x)]
    if finite.size < 2 or finite.std(ddof=1) < MIN_SPREAD:
        return np.full(x.shape, np.nan)
    z: FloatArray = (x - finite.mean()) / finite.std(ddof=1)
    return z


# 标准分 (T-score): a paper's z-score on the familiar scale of mean 50 and SD 10, so scores of
# papers of different difficulty and full marks can be followed across a semester.
T_SCORE_MEAN = 50.0
T_SCORE_SD = 10.0


def t_score(values: npt.ArrayLike) -> FloatArray:
    """T-scores ``50 + 10 z`` of the totals of one paper (z by ``standardise``: over every
    participant of the paper, the district's); NaN stays NaN."""
    t: FloatArray = T_SCORE_MEAN + T_SCORE_SD * standardise(values)
    return t


@dataclass(frozen=True)
class GroupMeans:
    """Per group: count of finite values, their mean and its standard error (SD / sqrt(n));
    NaN where a group has too few values (mean: none, se: fewer than two)."""

    n: IntArray
    mean: FloatArray
    se: FloatArray


def group_means(values: npt.ArrayLike, codes: npt.ArrayLike, n_groups: int) -> GroupMeans:
    """Means of the finite ``values`` (n,) per group code 0 .. n_groups - 1; code -1 belongs
    to no group and non-finite values are left out."""
    x = np.asarray(values, dtype=np.float64)
    groups = np.asarray(codes, dtype=np.int64)
    kept = np.isfinite(x) & (groups >= 0)
    counts = np.bincount(groups[kept], minlength=n_groups)
    sums = np.bincount(groups[kept], weights=x[kept], minlength=n_groups)
    squares = np.bincount(groups[kept], weights=x[kept] ** 2, minlength=n_groups)
    mean = np.full(n_groups, np.nan)
    np.divide(sums, counts, out=mean, where=counts > 0)
    variance = np.full(n_groups, np.nan)
    spread = squares - counts * np.nan_to_num(mean) ** 2
    np.divide(spread, counts - 1.0, out=variance, where=counts > 1)
    se = np.full(n_groups, np.nan)
    np.sqrt(np.maximum(variance, 0.0) / np.maximum(counts, 1), out=se, where=counts > 1)
    return GroupMeans(counts.astype(np.int64), mean, se)


# Homework: work without a due time is due a week after it is set; a student is flagged for
# missing work (缺交较多) from this share of the work set, and at least this many pieces.
HOMEWORK_DEFAULT_DUE_DAYS = 7
HOMEWORK_MISSING_FLAG_SHARE = 0.2
HOMEWORK_MISSING_FLAG_MIN = 2


def has_many_missing(missing: int, assigned: int) -> bool:
    """True when a student missed enough homework to be flagged (缺交较多)."""
    return (
        missing >= HOMEWORK_MISSING_FLAG_MIN and missing >= HOMEWORK_MISSING_FLAG_SHARE * assigned
    )


# The classroom loop (yincai.classroom): an item or knowledge point of a quiz needs explaining in
# class (需要讲解) when fewer than this share of the answers to it are right, once at least
# CLASSROOM_ATTENTION_MIN_ANSWERS answers are in (one early wrong answer is no signal yet).
CLASSROOM_ATTENTION_BELOW = 0.6
CLASSROOM_ATTENTION_MIN_ANSWERS = 3


def needs_attention(n_right: int, n_answers: int) -> bool:
    """Whether a quiz item or point needs explaining in class (the one rule of the live page)."""
    return (
        n_answers >= CLASSROOM_ATTENTION_MIN_ANSWERS
        and n_right < CLASSROOM_ATTENTION_BELOW * n_answers
    )


def joint_totals(scores: npt.ArrayLike) -> FloatArray:
    """总分 of a joint exam (联考), (n,) from subject totals (n, n_subjects; NaN = not sat): the
    sum over the subjects, NaN unless every subject was sat (a subject missed is 缺考, never 0)."""
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"scores must be (n_students, n_subjects), got shape {values.shape}")
    complete = np.isfinite(values).all(axis=1) & (values.shape[1] > 0)
    totals: FloatArray = np.where(
        complete, np.where(complete[:, None], values, 0.0).sum(axis=1), np.nan
    )
    return totals


@dataclass(frozen=True)
class SubjectProfile:
    """Students' subject strengths in a joint exam, from their standard scores z (n, n_subjects;
    NaN where a subject was not sat): ``strengths`` = z minus the student's mean z over the
    subjects sat; ``spread`` = max z − min z (NaN with fewer than two subjects); ``is_lopsided``
    (偏科) when the spread reaches ``LOPSIDED_SPREAD``; ``weakest`` / ``strongest``: the column of
    the lowest / highest z (-1 with fewer than two subjects)."""

    strengths: FloatArray
    spread: FloatArray
    is_lopsided: BoolArray
    weakest: IntArray
    strongest: IntArray


def subject_profile(z: npt.ArrayLike) -> SubjectProfile:
    """Each student's strengths, spread and 偏科 flag from standard scores (n, n_subjects)."""
    values = np.asarray(z, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"z must be (n_students, n_subjects), got shape {values.shape}")
    finite = np.isfinite(values)
    counted = finite.sum(axis=1)
    enough = counted >= 2
    sums = np.where(finite, values, 0.0).sum(axis=1)
    mean = np.divide(sums, counted, out=np.full(counted.shape, np.nan), where=counted > 0)
    strengths: FloatArray = np.where(enough[:, None], values - mean[:, None], np.nan)
    high = np.where(finite, values, -np.inf)
    low = np.where(finite, values, np.inf)
    spread: FloatArray = np.where(
        enough, high.max(axis=1, initial=-np.inf) - low.min(axis=1, initial=np.inf), np.nan
    )
    is_lopsided = enough & at_or_above(np.nan_to_num(spread, nan=-1.0), LOPSIDED_SPREAD)
    weakest = np.where(enough, low.argmin(axis=1) if values.shape[1] else 0, -1)
    strongest = np.where(enough, high.argmax(axis=1) if values.shape[1] else 0, -1)
    return SubjectProfile(
        strengths=strengths,
        spread=spread,
        is_lopsided=np.asarray(is_lopsided, dtype=bool),
        weakest=weakest.astype(np.int64),
        strongest=strongest.astype(np.int64),
    )
