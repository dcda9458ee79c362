"""Classical test theory: item statistics, reliability, distractors and flags for bad items.

Scores are an (n_students, n_items) matrix with NaN where a student did not answer; partial-credit
items score 0 .. full score. Per-item statistics use the students who answered that item; a
student's total counts unanswered items as 0; reliability uses the students who answered every
item (listwise), as Cronbach's alpha needs complete rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.science.base import BoolArray, FloatArray, IntArray
from yincai.science.validation import check_matrix

GROUP_SHARE = 0.27  # Kelley's upper/lower 27 %: maximises the contrast of the two groups
MIN_DISCRIMINATION = 0.2  # Ebel: below 0.2 an item separates students poorly
EASY_RATE = 0.9  # score rates above this say little about most students
HARD_RATE = 0.2


@dataclass(frozen=True)
class ItemAnalysis:
    """Classical statistics of every item, shapes (n_items,) unless stated.

    Attributes
    ----------
    n_answered : students who answered the item.
    mean, sd : mean and SD (ddof=1) of the item score among them.
    score_rate : mean / full score, the classical difficulty P (high = easy).
    discrimination : (mean of upper 27 % - mean of lower 27 %) / full score, by total score.
    point_biserial : correlation of the item score with the total (point-biserial for 0/1 items).
    item_rest : correlation of the item score with the total of the other items.
    alpha_if_deleted : Cronbach's alpha of the test without the item.
    total : (n_students,) total score, unanswered items counting 0.
    alpha : Cronbach's alpha (KR-20 for 0/1 items) over the n_complete students with no gaps.
    sem : standard error of measurement, SD(total) * sqrt(1 - alpha), on those students.
    """

    n_answered: IntArray
    mean: FloatArray
    sd: FloatArray
    score_rate: FloatArray
    discrimination: FloatArray
    point_biserial: FloatArray
    item_rest: FloatArray
    alpha_if_deleted: FloatArray
    total: FloatArray
    alpha: float
    sem: float
    n_complete: int


def _safe_divide(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Elementwise ratio, NaN where the denominator is not positive (no warnings)."""
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def check_scores(
    scores: npt.ArrayLike, full_scores: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Validate a score matrix (n_students, n_items) against full scores (n_items,)."""
    matrix = check_matrix(scores, name="scores")
    full = np.asarray(full_scores, dtype=np.float64)
    if full.shape != (matrix.shape[1],):
        raise ValueError(
            f"full_scores must have shape ({matrix.shape[1]},) to match scores, got {full.shape}"
        )
    if not (np.isfinite(full).all() and (full > 0).all()):
        raise ValueError("full_scores must be positive")
    observed = ~np.isnan(matrix)
    if ((matrix < 0) & observed).any() or ((matrix > full) & observed).any():
        raise ValueError("scores must lie between 0 and each item's full score")
    return matrix, full


def upper_lower_groups(
    total: FloatArray, share: float = GROUP_SHARE
) -> tuple[BoolArray, BoolArray]:
    """Masks (n_students,) of the top and bottom ``share`` of students by total score.

    Both groups have round(share * n) students (at most half each); ties at a boundary are
    broken by row order, so the groups never overlap.
    """
    if not 0.0 < share <= 0.5:
        raise ValueError(f"share must be in (0, 0.5], got {share}")
    n_students = total.size
    size = min(max(1, round(share * n_students)), n_students // 2)
    order = np.argsort(total, kind="stable")
    upper = np.zeros(n_students, dtype=bool)
    lower = np.zeros(n_students, dtype=bool)
    if size:
        upper[order[-size:]] = True
        lower[order[:size]] = True
    return upper, lower


def _column_correlation(x: FloatArray, y: FloatArray, mask: FloatArray) -> FloatArray:
    """Pearson correlation of x[:, j] and y[:, j] over rows where mask[:, j] is 1, for all j."""
    n = mask.sum(axis=0)
    x_mean = _safe_divide((x * mask).sum(axis=0), n)
    y_mean = _safe_divide((y * mask).sum(axis=0), n)
    dx = np.where(mask > 0, x - x_mean, 0.0)
    dy = np.where(mask > 0, y - y_mean, 0.0)
    return _safe_divide((dx * dy).sum(axis=0), np.sqrt((dx**2).sum(axis=0) * (dy**2).sum(axis=0)))


def _reliability(complete: FloatArray) -> tuple[float, float, FloatArray]:
    """Alpha, SEM and alpha-if-deleted (n_items,) from rows without gaps."""
    n_students, n_items = complete.shape
    nan_items = np.full(n_items, np.nan)
    if n_students < 2 or n_items < 2:
        return float("nan"), float("nan"), nan_items
    covariance = np.atleast_2d(np.cov(complete, rowvar=False))
    item_variance = np.diag(covariance)
    total_variance = float(covariance.sum())
    if total_variance <= 0:
        return float("nan"), float("nan"), nan_items
    alpha = n_items / (n_items - 1) * (1.0 - item_variance.sum() / total_variance)
    sem = float(np.sqrt(total_variance * max(1.0 - alpha, 0.0)))
    if n_items < 3:
        return alpha, sem, nan_items
    rest_variance = total_variance - 2.0 * covariance.sum(axis=1) + item_variance
    ratio = _safe_divide(item_variance.sum() - item_variance, rest_variance)
    return alpha, sem, (n_items - 1) / (n_items - 2) * (1.0 - ratio)


def cronbach_alpha(scores: npt.ArrayLike) -> float:
    """Cronbach's alpha (KR-20 for 0/1 items) of an (n_students, n_items) matrix; rows with NaN
    are left out. NaN with fewer than two complete rows or items, or no total variance."""
    matrix = check_matrix(scores, name="scores")
    return _reliability(matrix[~np.isnan(matrix).any(axis=1)])[0]


def item_analysis(
    scores: npt.ArrayLike, full_scores: npt.ArrayLike, *, group_share: float = GROUP_SHARE
) -> ItemAnalysis:
    """Classical item analysis of a score matrix.

    Parameters
    ----------
    scores : (n_students, n_items) scores 0 .. full score, NaN where not answered.
    full_scores : (n_items,) full score of each item.
    group_share : share of students in each of the upper and lower groups.
    """
    matrix, full = check_scores(scores, full_scores)
    answered = ~np.isnan(matrix)
    mask = answered.astype(np.float64)
    filled = np.where(answered, matrix, 0.0)
    total = filled.sum(axis=1)
    n_answered = answered.sum(axis=0)
    mean = _safe_divide(filled.sum(axis=0), n_answered.astype(np.float64))
    squares = np.where(answered, (filled - mean) ** 2, 0.0).sum(axis=0)
    sd = np.sqrt(_safe_divide(squares, n_answered - 1.0))
    upper, lower = upper_lower_groups(total, group_share)
    upper_mean = _safe_divide(filled[upper].sum(axis=0), mask[upper].sum(axis=0))
    lower_mean = _safe_divide(filled[lower].sum(axis=0), mask[lower].sum(axis=0))
    totals = np.broadcast_to(total[:, None], matrix.shape)
    alpha, sem, alpha_if_deleted = _reliability(matrix[answered.all(axis=1)])
    return ItemAnalysis(
        n_answered=n_answered.astype(np.int64),
        mean=mean,
        sd=sd,
        score_rate=mean / full,
        discrimination=(upper_mean - lower_mean) / full,
        point_biserial=_column_correlation(filled, totals, mask),
        item_rest=_column_correlation(filled, totals - filled, mask),
        alpha_if_deleted=alpha_if_deleted,
        total=total,
        alpha=float(alpha),
        sem=sem,
        n_complete=int(answered.all(axis=1).sum()),
    )


def standard_error_of_measurement(scores: npt.ArrayLike) -> float:
    """SD(total) * sqrt(1 - alpha) over the complete rows of an (n_students, n_items) matrix."""
    matrix = check_matrix(scores, name="scores")
    return _reliability(matrix[~np.isnan(matrix).any(axis=1)])[1]


@dataclass(frozen=True)
class DistractorAnalysis:
    """How the options of choice items were chosen; arrays (n_items, n_options) unless stated.

    Attributes
    ----------
    options : (n_options,) every option label seen, sorted; the columns of the other arrays.
    is_key : True for each item's key.
    count : students choosing the option.
    share : count / students who answered the item.
    mean_total : mean total score of the students choosing the option (NaN if none did).
    upper_share, lower_share : share of the upper / lower 27 % group (by total) choosing it.
    is_attractive_to_strong : a distractor chosen more by the upper group than the lower one.
    n_answered : (n_items,) students who chose any option.
    """

    options: npt.NDArray[np.str_]
    is_key: BoolArray
    count: IntArray
    share: FloatArray
    mean_total: FloatArray
    upper_share: FloatArray
    lower_share: FloatArray
    is_attractive_to_strong: BoolArray
    n_answered: IntArray


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and np.isnan(value))


def distractor_analysis(
    choices: npt.ArrayLike,
    keys: npt.ArrayLike,
    *,
    total: npt.ArrayLike | None = None,
    group_share: float = GROUP_SHARE,
) -> DistractorAnalysis:
    """Option-level analysis of choice items.

    Parameters
    ----------
    choices : (n_students, n_items) chosen option labels ("A", "B", ...); None, NaN or "" where
        not answered.
    keys : (n_items,) the correct label of each item.
    total : (n_students,) total test score that ranks the students; by default the number of
        these items answered correctly.
    group_share : share of students in each of the upper and lower groups.
    """
    picked = np.asarray(choices, dtype=object)
    if picked.ndim != 2 or 0 in picked.shape:
        raise ValueError(f"choices must be a non-empty 2-D array, got shape {picked.shape}")
    key = np.asarray(keys, dtype=object)
    if key.shape != (picked.shape[1],):
        raise ValueError(f"keys must have shape ({picked.shape[1]},), got {key.shape}")
    blank = np.frompyfunc(_is_blank, 1, 1)(picked).astype(bool)
    labels = np.where(blank, "", picked).astype(str)
    key_labels = key.astype(str)
    options = np.unique(np.concatenate([labels[~blank], key_labels]))
    codes = np.searchsorted(options, labels)
    chosen = (codes[:, :, None] == np.arange(options.size)) & ~blank[:, :, None]
    if total is None:
        scores = (labels == key_labels) & ~blank
        ranking = scores.sum(axis=1).astype(np.float64)
    else:
        ranking = np.asarray(total, dtype=np.float64)
        if ranking.shape != (picked.shape[0],) or not np.isfinite(ranking).all():
            raise ValueError(f"total must be finite with shape ({picked.shape[0]},)")
    upper, lower = upper_lower_groups(ranking, group_share)
    count = chosen.sum(axis=0)
    n_answered = (~blank).sum(axis=0)
    upper_share = _safe_divide(
        chosen[upper].sum(axis=0).astype(np.float64), (~blank[upper]).sum(axis=0)[:, None] * 1.0
    )
    lower_share = _safe_divide(
        chosen[lower].sum(axis=0).astype(np.float64), (~blank[lower]).sum(axis=0)[:, None] * 1.0
    )
    is_key = options[None, :] == key_labels[:, None]
    attractive = ~is_key & (count > 0) & (np.nan_to_num(upper_share) > np.nan_to_num(lower_share))
    return DistractorAnalysis(
        options=options,
        is_key=is_key,
        count=count.astype(np.int64),
        share=_safe_divide(count * 1.0, n_answered[:, None] * 1.0),
        mean_total=_safe_divide(np.einsum("n,njo->jo", ranking, chosen), count * 1.0),
        upper_share=upper_share,
        lower_share=lower_share,
        is_attractive_to_strong=attractive,
        n_answered=n_answered.astype(np.int64),
    )


@dataclass(frozen=True)
class ItemFlag:
    """One problem with one item: ``code`` for programs, ``reason`` for people."""

    item: int
    code: str
    reason: str


def flag_items(
    analysis: ItemAnalysis,
    distractors: DistractorAnalysis | None = None,
    *,
    min_discrimination: float = MIN_DISCRIMINATION,
    easy_rate: float = EASY_RATE,
    hard_rate: float = HARD_RATE,
) -> list[ItemFlag]:
    """Items that misbehave, in item order, with the reason in words.

    Codes: ``no_answers``, ``negative_discrimination``, ``low_discrimination``, ``too_easy``,
    ``too_hard`` and ``attractive_distractor`` (a wrong option drawing the upper group more than
    the lower one; needs ``distractors`` for the same items).
    """
    n_items = analysis.n_answered.size
    if distractors is not None and distractors.n_answered.size != n_items:
        raise ValueError(
            f"distractors cover {distractors.n_answered.size} items, the analysis {n_items}"
        )
    flags: list[ItemFlag] = []
    for item in range(n_items):
        if analysis.n_answered[item] == 0:
            flags.append(ItemFlag(item, "no_answers", "nobody answered this item"))
            continue
        d = analysis.discrimination[item]
        rest = analysis.item_rest[item]
        if d < 0:
            flags.append(
                ItemFlag(
                    item,
                    "negative_discrimination",
                    f"discrimination {d:.2f} is negative: the weakest 27% scored better than the "
                    f"strongest 27% (item-rest correlation {rest:.2f}); check the key and wording",
                )
            )
        elif d < min_discrimination:
            flags.append(
                ItemFlag(
                    item,
                    "low_discrimination",
                    f"discrimination {d:.2f} is below {min_discrimination:.2f}: the item barely "
                    "separates strong from weak students",
                )
            )
        rate = analysis.score_rate[item]
        if rate > easy_rate:
            flags.append(
                ItemFlag(
                    item, "too_easy", f"score rate {rate:.0%} is above {easy_rate:.0%}: too easy"
                )
            )
        elif rate < hard_rate:
            flags.append(
                ItemFlag(
                    item, "too_hard", f"score rate {rate:.0%} is below {hard_rate:.0%}: too hard"
                )
            )
        if distractors is None:
            continue
        for option in np.flatnonzero(distractors.is_attractive_to_strong[item]):
            flags.append(
                ItemFlag(
                    item,
                    "attractive_distractor",
                    f"wrong option {distractors.options[option]} was chosen by "
                    f"{distractors.upper_share[item, option]:.0%} of the upper group but only "
                    f"{distractors.lower_share[item, option]:.0%} of the lower group; it may be "
                    "defensible or the key may be wrong",
                )
            )
    return flags
