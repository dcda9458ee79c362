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
