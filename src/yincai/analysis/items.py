"""Item analysis of one exam (小题分析): CTT statistics, option shares, flags in Chinese."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from yincai.analysis.totals import optional
from yincai.i18n import _
from yincai.science import ctt
from yincai.science.base import FloatArray

FLAG_TEXT = {
    "no_answers": _("无人作答，无法分析"),
    "negative_discrimination": _("区分度 {d:.2f} 为负：低分组得分高于高分组，请检查答案与题干"),
    "low_discrimination": _("区分度 {d:.2f} 低于 {min_d:.2f}：难以区分学生水平"),
    "too_easy": _("得分率 {rate:.0%} 高于 {easy:.0%}：题目过易"),
    "too_hard": _("得分率 {rate:.0%} 低于 {hard:.0%}：题目过难"),
    "attractive_distractor": _(
        "错误选项 {option} 被高分组 {upper:.0%} 选择、低分组仅 {lower:.0%}："
        "可能答案有误或选项有歧义"
    ),
}


@dataclass(frozen=True)
class OptionShare:
    """How often one option of a choice item was chosen."""

    option: str
    count: int
    share: float | None
    is_key: bool


@dataclass(frozen=True)
class ItemFlagText:
    """A problem with an item: ``code`` for programs, ``reason`` in Chinese for teachers."""

    code: str
    reason: str


@dataclass(frozen=True)
class ItemStatistics:
    """One item of the paper in one scope; None where a statistic is undefined."""

    label: str
    item_code: str | None
    item_type: str | None
    full_score: float
    n_answered: int
    mean: float | None
    score_rate: float | None
    reference_score_rate: float | None
    discrimination: float | None
    point_biserial: float | None
    item_rest: float | None
    options: list[OptionShare]
    flags: list[ItemFlagText]


@dataclass(frozen=True)
class ItemTable:
    """Every item of the paper plus the test's reliability in the same scope."""

    items: list[ItemStatistics]
    alpha: float | None
    sem: float | None
    n_complete: int


def _item_flags(
    analysis: ctt.ItemAnalysis,
    distractors: ctt.DistractorAnalysis | None,
    choice_columns: dict[int, int],
) -> dict[int, list[ItemFlagText]]:
    """The ctt flags of every item, worded in Chinese with their numbers."""
    texts: dict[int, list[ItemFlagText]] = {}
    for flag in ctt.flag_items(analysis):
        item = flag.item
        values = {
            "d": analysis.discrimination[item],
            "min_d": ctt.MIN_DISCRIMINATION,
            "rate": analysis.score_rate[item],
            "easy": ctt.EASY_RATE,
            "hard": ctt.HARD_RATE,
        }
        template = FLAG_TEXT.get(flag.code)
        reason = template.format(**values) if template else flag.reason
        texts.setdefault(item, []).append(ItemFlagText(flag.code, reason))
    if distractors is None:
        return texts
    item_of_column = {local: j for j, local in choice_columns.items()}
    for local, j in sorted(item_of_column.items()):
        for option in np.flatnonzero(distractors.is_attractive_to_strong[local]):
            reason = FLAG_TEXT["attractive_distractor"].format(
                option=distractors.options[option],
                upper=distractors.upper_share[local, option],
                lower=distractors.lower_share[local, option],
            )
            texts.setdefault(j, []).append(ItemFlagText("attractive_distractor", reason))
    return texts


def analyse_items(
    scores: FloatArray,
    full_scores: FloatArray,
    *,
    labels: list[str],
    item_codes: list[str | None],
    item_types: list[str | None],
    choices: npt.NDArray[np.object_] | None = None,
    keys: list[str | None] | None = None,
    reference_score_rate: FloatArray | None = None,
) -> ItemTable:
    """Item statistics of the participants' score matrix (n_students, n_items), NaN unanswered.

    ``choices`` (same shape) holds raw answers and ``keys`` the correct option of choice items
    (None for other items); option shares are given where raw answers were recorded.
    """
    n_students, n_items = scores.shape
    reference = (
        reference_score_rate if reference_score_rate is not None else np.full(n_items, np.nan)
    )
    if n_students == 0:
        empty = [
            ItemStatistics(
                label=labels[j],
                item_code=item_codes[j],
                item_type=item_types[j],
                full_score=float(full_scores[j]),
                n_answered=0,
                mean=None,
                score_rate=None,
                reference_score_rate=optional(reference[j]),
                discrimination=None,
                point_biserial=None,
                item_rest=None,
                options=[],
                flags=[ItemFlagText("no_answers", FLAG_TEXT["no_answers"])],
            )
            for j in range(n_items)
        ]
        return ItemTable(items=empty, alpha=None, sem=None, n_complete=0)
    analysis = ctt.item_analysis(scores, full_scores)
    distractors, choice_columns = _distractors(choices, keys, analysis.total)
    flags = _item_flags(analysis, distractors, choice_columns)
    items = []
    for j in range(n_items):
        local = choice_columns.get(j)
        options = (
            [
                OptionShare(
                    option=str(distractors.options[k]),
                    count=int(distractors.count[local, k]),
                    share=optional(distractors.share[local, k]),
                    is_key=bool(distractors.is_key[local, k]),
                )
                for k in range(distractors.options.size)
                if distractors.count[local, k] > 0 or distractors.is_key[local, k]
            ]
            if distractors is not None and local is not None
            else []
        )
        items.append(
            ItemStatistics(
                label=labels[j],
                item_code=item_codes[j],
                item_type=item_types[j],
                full_score=float(full_scores[j]),
                n_answered=int(analysis.n_answered[j]),
                mean=optional(analysis.mean[j]),
                score_rate=optional(analysis.score_rate[j]),
                reference_score_rate=optional(reference[j]),
                discrimination=optional(analysis.discrimination[j]),
                point_biserial=optional(analysis.point_biserial[j]),
                item_rest=optional(analysis.item_rest[j]),
                options=options,
                flags=flags.get(j, []),
            )
        )
    return ItemTable(
        items=items,
        alpha=optional(analysis.alpha),
        sem=optional(analysis.sem),
        n_complete=analysis.n_complete,
    )


def _distractors(
    choices: npt.NDArray[np.object_] | None, keys: list[str | None] | None, total: FloatArray
) -> tuple[ctt.DistractorAnalysis | None, dict[int, int]]:
    """Distractor analysis of the choice items that have a key and recorded answers."""
    if choices is None or keys is None:
        return None, {}
    recorded = np.array([choices[:, j] != None for j in range(choices.shape[1])])  # noqa: E711
    columns = [j for j, key in enumerate(keys) if key and recorded[j].any()]
    if not columns:
        return None, {}
    analysis = ctt.distractor_analysis(
        choices[:, columns], np.array([keys[j] for j in columns], dtype=object), total=total
    )
    return analysis, {j: local for local, j in enumerate(columns)}
