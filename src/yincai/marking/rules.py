"""The marking rules in one place: how many marks each mode needs, when two marks agree, what
the final score is, and what a valid score looks like. Pure functions, no database.

- 单评: one mark is the score.
- 双评 (1+1): two independent marks; within the tolerance their mean is the score, otherwise
  the item leader arbitrates.
- 2+1: two independent marks; within the tolerance their mean, otherwise a third marker; the
  third mark averaged with the nearer of the first two when within the tolerance of it (a tie
  takes the higher, the student's benefit), otherwise the item leader arbitrates.
- Any flagged mark (blank, illegible, wrong region) sends the answer to the item leader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.marking.models import AnswerStatus, MarkingMode

SCORE_STEP = 0.5  # scores are given in half points
EPSILON = 1e-9  # float comparisons of half-point sums

BASE_MARKS = {MarkingMode.SINGLE: 1, MarkingMode.DOUBLE: 2, MarkingMode.DOUBLE_THIRD: 2}
MODE_NAMES = {
    MarkingMode.SINGLE: _("单评"),
    MarkingMode.DOUBLE: _("双评（1+1）"),
    MarkingMode.DOUBLE_THIRD: _("双评加三评（2+1）"),
}


@dataclass(frozen=True)
class Decision:
    """What the submitted marks of one answer decide."""

    status: AnswerStatus
    n_required: int
    final_score: float | None = None


def parse_score(text: str, full_score: float) -> float:
    """A score typed by a marker: a number from 0 to the full score in half-point steps."""
    cleaned = text.strip().replace("，", ".").replace("。", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise Invalid(_("请输入分数（数字）"), code="marking.score_not_number") from None
    check_score(value, full_score)
    return value


def check_score(value: float, full_score: float) -> None:
    """Invalid unless 0 ≤ value ≤ full score, in half-point steps."""
    if not math.isfinite(value):
        raise Invalid(_("请输入分数（数字）"), code="marking.score_not_number")
    if value < 0 or value > full_score + EPSILON:
        raise Invalid(
            _("分数应在 0 到 {full} 分之间").format(full=f"{full_score:g}"),
            code="marking.score_out_of_range",
        )
    steps = value / SCORE_STEP
    if abs(steps - round(steps)) > EPSILON:
        raise Invalid(_("分数只能以 0.5 分为单位"), code="marking.score_step")


def check_tolerance(value: float, full_score: float) -> None:
    """Invalid unless 0 ≤ tolerance ≤ full score."""
    if not math.isfinite(value) or value < 0 or value > full_score + EPSILON:
        raise Invalid(
            _("误差范围应在 0 到 {full} 分之间").format(full=f"{full_score:g}"),
            code="marking.tolerance_out_of_range",
        )


def agree(first: float, second: float, tolerance: float) -> bool:
    return abs(first - second) <= tolerance + EPSILON


def decide(
    mode: MarkingMode, tolerance: float, scores: dict[int, float], *, is_flagged: bool
) -> Decision:
    """The answer's state given its submitted live marks by slot (1, 2, 3)."""
    base = BASE_MARKS[mode]
    if is_flagged:
        return Decision(AnswerStatus.PROBLEM, base)
    if mode is MarkingMode.SINGLE:
        if 1 in scores:
            return Decision(AnswerStatus.DONE, 1, scores[1])
        return Decision(AnswerStatus.MARKING, 1)
    if 1 not in scores or 2 not in scores:
        return Decision(AnswerStatus.MARKING, base)
    first, second = scores[1], scores[2]
    if agree(first, second, tolerance):
        return Decision(AnswerStatus.DONE, 2, (first + second) / 2)
    if mode is MarkingMode.DOUBLE:
        return Decision(AnswerStatus.ARBITRATION, 2)
    if 3 not in scores:
        return Decision(AnswerStatus.MARKING, 3)
    third = scores[3]
    near = [s for s in (first, second) if agree(s, third, tolerance)]
    if not near:
        return Decision(AnswerStatus.ARBITRATION, 3)
    closest = min(near, key=lambda s: (abs(s - third), -s))
    return Decision(AnswerStatus.DONE, 3, (closest + third) / 2)
