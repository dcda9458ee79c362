"""The live page's figures, from the answers in so far (pure: rows in, figures out).

Per item: how many answered, how many right, the share right among the decided answers, how
often each option was chosen (choice items) or the commonest wrong answers (fill-in items), and
whether it needs explaining in class (``rules.needs_attention``, the one rule). Per knowledge
point: the same over its items' answers. Plus who has not answered yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from yincai.classroom.models import Verdict
from yincai.classroom.verdicts import LETTERS, letters
from yincai.domain.models import ItemType
from yincai.rules import needs_attention

TOP_WRONG_ANSWERS = 3  # fill-in items: the commonest wrong answers shown


@dataclass(frozen=True)
class QuizItem:
    item_id: int
    label: str
    item_type: ItemType
    stem: str
    options: list[str]
    key: str
    kp_ids: tuple[int, ...]


@dataclass(frozen=True)
class Answer:
    student_id: int
    item_id: int
    answer: str
    verdict: Verdict


@dataclass(frozen=True)
class OptionCount:
    option: str  # the letter (choice), the option's text (true/false) or the answer (fill-in)
    text: str  # the option's text, for the teacher ("" for fill-in answers)
    n: int
    is_key: bool


@dataclass(frozen=True)
class ItemFigure:
    item: QuizItem
    n_answers: int
    n_right: int
    n_uncertain: int
    share_right: float | None  # among decided answers; None before any
    options: list[OptionCount]
    needs_attention: bool


@dataclass(frozen=True)
class KpFigure:
    kp_id: int
    n_answers: int
    n_right: int
    share_right: float | None
    needs_attention: bool


@dataclass(frozen=True)
class LiveFigures:
    items: list[ItemFigure]
    kps: list[KpFigure]  # weakest first
    answered_student_ids: list[int]
    missing_student_ids: list[int]  # in roster order


def _share(n_right: int, n_decided: int) -> float | None:
    return n_right / n_decided if n_decided else None


def _options(item: QuizItem, given: list[Answer]) -> list[OptionCount]:
    if item.item_type is ItemType.FILL_IN:
        wrong = Counter(a.answer.strip() for a in given if a.verdict is Verdict.WRONG)
        return [
            OptionCount(answer, "", n, False)
            for answer, n in sorted(wrong.items(), key=lambda pair: (-pair[1], pair[0]))[
                :TOP_WRONG_ANSWERS
            ]
        ]
    if item.item_type is ItemType.TRUE_FALSE:
        chosen = Counter(a.answer for a in given)
        return [OptionCount(o, o, chosen[o], o == item.key) for o in item.options]
    chosen = Counter(ch for a in given for ch in letters(a.answer))
    key = letters(item.key)
    return [
        OptionCount(LETTERS[k], text, chosen[LETTERS[k]], LETTERS[k] in key)
        for k, text in enumerate(item.options)
    ]


def live_figures(items: list[QuizItem], answers: list[Answer], roster: list[int]) -> LiveFigures:
    """The figures of a quiz given its items, the answers in so far and the class's students."""
    by_item: dict[int, list[Answer]] = {item.item_id: [] for item in items}
    for answer in answers:
        if answer.item_id in by_item:
            by_item[answer.item_id].append(answer)
    figures = []
    kp_counts: dict[int, list[int]] = {}  # kp → [decided, right]
    for item in items:
        given = by_item[item.item_id]
        n_right = sum(a.verdict is Verdict.RIGHT for a in given)
        n_uncertain = sum(a.verdict is Verdict.UNCERTAIN for a in given)
        n_decided = len(given) - n_uncertain
        figures.append(
            ItemFigure(
                item=item,
                n_answers=len(given),
                n_right=n_right,
                n_uncertain=n_uncertain,
                share_right=_share(n_right, n_decided),
                options=_options(item, given),
                needs_attention=needs_attention(n_right, n_decided),
            )
        )
        for kp in item.kp_ids:
            counts = kp_counts.setdefault(kp, [0, 0])
            counts[0] += n_decided
            counts[1] += n_right
    kps = [
        KpFigure(kp, n, right, _share(right, n), needs_attention(right, n))
        for kp, (n, right) in kp_counts.items()
    ]
    kps.sort(key=lambda k: (2.0 if k.share_right is None else k.share_right, k.kp_id))
    answered = {a.student_id for a in answers}
    return LiveFigures(
        items=figures,
        kps=kps,
        answered_student_ids=[s for s in roster if s in answered],
        missing_student_ids=[s for s in roster if s not in answered],
    )
