"""Total scores: summary statistics, 三率, the 一分一段表 and the score distribution.

Pure functions on a 1-D array of the participants' totals (absentees left out by the caller).
A threshold is met by a total at or above it (≥, ``yincai.rules.at_or_above``); the 三率
thresholds themselves are ``yincai.rules.Thresholds``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.rules import CUTOFF_TOLERANCE, Thresholds, at_or_above
from yincai.science.base import IntArray


@dataclass(frozen=True)
class Rates:
    """Counts and shares of participants at or above each 三率 cut-off (in points)."""

    excellent_cutoff: float
    good_cutoff: float
    pass_cutoff: float
    n_excellent: int
    n_good: int
    n_pass: int
    excellent_rate: float | None
    good_rate: float | None
    pass_rate: float | None
    low_cutoff: float = 0.0
    n_low: int = 0
    low_rate: float | None = None  # 低分率: below ``low_cutoff``


@dataclass(frozen=True)
class TotalSummary:
    """Participants' totals: count, centre, spread and 三率; None where undefined."""

    n_participants: int
    n_absent: int
    full_score: float
    mean: float | None
    median: float | None
    sd: float | None
    max: float | None
    min: float | None
    score_rate: float | None
    rates: Rates


@dataclass(frozen=True)
class ScoreBandRow:
    """One line of the 一分一段表: a score, how many got it, how many got it or more, the rank."""

    score: float
    count: int
    cumulative: int
    rank: int


@dataclass(frozen=True)
class DistributionBand:
    """Participants with lower <= total < upper (the last band includes the full score)."""

    lower: float
    upper: float
    count: int
    share: float | None


def optional(value: float) -> float | None:
    """A float for a report: None in place of NaN."""
    return None if np.isnan(value) else float(value)


def rates(totals: npt.ArrayLike, full_score: float, thresholds: Thresholds) -> Rates:
    """三率 of the participants' totals."""
    values = np.asarray(totals, dtype=np.float64)
    cutoffs = [
        full_score * share for share in (thresholds.excellent, thresholds.good, thresholds.passing)
    ]
    counts = [int(at_or_above(values, cutoff).sum()) for cutoff in cutoffs]
    shares = [count / values.size if values.size else None for count in counts]
    low_cutoff = full_score * thresholds.low
    n_low = int(values.size - at_or_above(values, low_cutoff).sum())
    return Rates(
        excellent_cutoff=cutoffs[0],
        good_cutoff=cutoffs[1],
        pass_cutoff=cutoffs[2],
        n_excellent=counts[0],
        n_good=counts[1],
        n_pass=counts[2],
        excellent_rate=shares[0],
        good_rate=shares[1],
        pass_rate=shares[2],
        low_cutoff=low_cutoff,
        n_low=n_low,
        low_rate=n_low / values.size if values.size else None,
    )


def summarise(
    totals: npt.ArrayLike,
    *,
    full_score: float,
    n_absent: int = 0,
    thresholds: Thresholds | None = None,
) -> TotalSummary:
    """Count, mean, median, SD (ddof=1), max, min, score rate and 三率 of participants' totals."""
    values = np.asarray(totals, dtype=np.float64)
    if values.ndim != 1 or np.isnan(values).any():
        raise ValueError(f"totals must be 1-D without NaN, got shape {values.shape}")
    n = values.size
    mean = float(values.mean()) if n else float("nan")
    return TotalSummary(
        n_participants=n,
        n_absent=n_absent,
        full_score=full_score,
        mean=optional(mean),
        median=optional(float(np.median(values))) if n else None,
        sd=optional(float(values.std(ddof=1))) if n > 1 else None,
        max=float(values.max()) if n else None,
        min=float(values.min()) if n else None,
        score_rate=mean / full_score if n and full_score > 0 else None,
        rates=rates(values, full_score, thresholds or Thresholds()),
    )


def competition_rank(values: npt.ArrayLike) -> IntArray:
    """Rank by descending value with ties sharing the best rank (1, 2, 2, 4)."""
    scores = np.asarray(values, dtype=np.float64)
    ordered = np.sort(scores)
    # Students strictly above = all minus those at or below.
    return (scores.size - np.searchsorted(ordered, scores, side="right") + 1).astype(np.int64)


def group_competition_rank(values: npt.ArrayLike, groups: npt.ArrayLike) -> IntArray:
    """Competition rank of each value within its group (same length arrays)."""
    scores = np.asarray(values, dtype=np.float64)
    codes = np.asarray(groups)
    ranks = np.zeros(scores.size, dtype=np.int64)
    for group in np.unique(codes):
        members = codes == group
        ranks[members] = competition_rank(scores[members])
    return ranks


def score_band_table(totals: npt.ArrayLike) -> list[ScoreBandRow]:
    """The 一分一段表: each distinct total, highest first, with count, cumulative count, rank."""
    values = np.asarray(totals, dtype=np.float64)
    distinct, counts = np.unique(values, return_counts=True)
    distinct, counts = distinct[::-1], counts[::-1]
    cumulative = np.cumsum(counts)
    ranks = cumulative - counts + 1
    return [
        ScoreBandRow(score=float(score), count=int(count), cumulative=int(total), rank=int(rank))
        for score, count, total, rank in zip(distinct, counts, cumulative, ranks, strict=True)
    ]


def distribution(
    totals: npt.ArrayLike, *, full_score: float, n_bands: int = 10
) -> list[DistributionBand]:
    """Counts in ``n_bands`` equal bands of the full score, lowest first."""
    if n_bands < 1 or full_score <= 0:
        raise ValueError(
            f"need n_bands >= 1 and a positive full score, got {n_bands}, {full_score}"
        )
    values = np.asarray(totals, dtype=np.float64)
    edges = np.linspace(0.0, full_score, n_bands + 1)
    band = np.searchsorted(edges, values + CUTOFF_TOLERANCE * full_score, side="right") - 1
    counts = np.bincount(np.clip(band, 0, n_bands - 1), minlength=n_bands)
    return [
        DistributionBand(
            lower=float(edges[k]),
            upper=float(edges[k + 1]),
            count=int(counts[k]),
            share=counts[k] / values.size if values.size else None,
        )
        for k in range(n_bands)
    ]
