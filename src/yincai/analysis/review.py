"""The 试卷讲评 of one scope: per item, who answered what.

A choice item lists each option with its share among those who answered (the key marked); any
other item lists its score values. Typical wrong answers are the most frequent raw answers
that did not earn full marks. The names behind each row are filled only when the caller asks
(the class scope, for the staff who see the class).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from yincai.analysis.data import ExamData
from yincai.domain.models import ItemType
from yincai.science.base import BoolArray

TYPICAL_WRONG = 3  # wrong answers listed per item
LETTERS = "ABCDEFGH"
SINGLE_CHOICE_OPTIONS = 4  # A–D, the usual paper
FULL_MARKS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class AnswerRow:
    """One option (choice items) or one score value (other items)."""

    answer: str
    count: int
    share: float | None
    is_key: bool
    students: list[str]


@dataclass(frozen=True)
class WrongAnswer:
    answer: str
    count: int


@dataclass(frozen=True)
class ReviewItem:
    label: str
    item_type: str | None
    full_score: float
    key: str | None
    is_choice: bool
    n_answered: int
    score_rate: float | None
    rows: list[AnswerRow]
    wrong_answers: list[WrongAnswer]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def typical_wrong(answers: Iterable[tuple[object, float]], full: float) -> list[WrongAnswer]:
    """The ``TYPICAL_WRONG`` most frequent raw answers (answer, score) below full marks, most
    frequent first (the 讲评's rule, also read by lesson plans)."""
    wrong = Counter(
        str(raw).strip()
        for raw, score in answers
        if not _blank(raw) and score < full - FULL_MARKS_TOLERANCE
    )
    ranked = sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))
    return [WrongAnswer(answer, count) for answer, count in ranked[:TYPICAL_WRONG]]


def review_items(data: ExamData, chosen: BoolArray, *, with_names: bool) -> list[ReviewItem]:
    """Every item of the paper for the participants ``chosen``."""
    rows = np.flatnonzero(chosen & ~data.is_absent)
    names = [data.student_names[row] for row in rows.tolist()]
    is_choice = data.is_choice
    items = []
    for j in range(data.n_items):
        scores = data.scores[rows, j]
        answered = ~np.isnan(scores)
        full = float(data.full_scores[j])
        rate = float(scores[answered].mean() / full) if answered.any() and full > 0 else None
        raw = data.choices[rows, j]
        wrong = typical_wrong(
            ((raw[k], float(scores[k])) for k in np.flatnonzero(answered).tolist()), full
        )
        key = data.item_answers[j] if is_choice[j] else None
        has_answers = any(not _blank(value) for value in raw)
        if is_choice[j] and has_answers:
            single = data.item_types[j] is ItemType.SINGLE_CHOICE
            answer_rows = _option_rows(raw, key or "", names, with_names, single=single)
        else:
            answer_rows = _score_rows(scores, answered, full, names, with_names)
        item_type = data.item_types[j]
        items.append(
            ReviewItem(
                label=data.item_labels[j],
                item_type=None if item_type is None else item_type.value,
                full_score=full,
                key=key,
                is_choice=bool(is_choice[j] and has_answers),
                n_answered=int(answered.sum()),
                score_rate=rate,
                rows=answer_rows,
                wrong_answers=wrong,
            )
        )
    return items


def _option_rows(
    raw: np.ndarray, key: str, names: list[str], with_names: bool, *, single: bool
) -> list[AnswerRow]:
    """One row per option chosen (a single-choice item lists A–D at least, chosen or not)."""
    chosen: dict[str, list[int]] = {}
    for k, value in enumerate(raw.tolist()):
        if not _blank(value):
            chosen.setdefault(str(value).strip(), []).append(k)
    n = sum(len(members) for members in chosen.values())
    options = set(chosen) | ({key} if key else set())
    if single and all(len(option) == 1 and option in LETTERS for option in options):
        last = max([LETTERS.index(option) for option in options] + [SINGLE_CHOICE_OPTIONS - 1])
        options |= set(LETTERS[: last + 1])
    return [
        AnswerRow(
            answer=option,
            count=len(chosen.get(option, [])),
            share=len(chosen.get(option, [])) / n if n else None,
            is_key=option == key,
            students=[names[k] for k in chosen.get(option, [])] if with_names else [],
        )
        for option in sorted(options)
    ]


def _score_rows(
    scores: np.ndarray, answered: np.ndarray, full: float, names: list[str], with_names: bool
) -> list[AnswerRow]:
    values = scores[answered]
    members = np.flatnonzero(answered)
    n = int(values.size)
    rows = []
    for value in sorted(set(values.tolist()), reverse=True):
        at = members[values == value]
        rows.append(
            AnswerRow(
                answer=f"{value:g}",
                count=int(at.size),
                share=at.size / n if n else None,
                is_key=value >= full - FULL_MARKS_TOLERANCE,
                students=[names[k] for k in at.tolist()] if with_names else [],
            )
        )
    return rows
