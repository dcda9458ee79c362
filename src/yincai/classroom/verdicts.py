"""Marking a classroom answer: choice items by their key, fill-in items by value.

Choice answers are option letters (``A``, ``AC``: order and case do not matter), true/false
answers the option's text. Fill-in answers go through the platform's answer-equivalence rules
(``science.answer_equivalence``, docs/answer_equivalence.md): equal is right, different is
wrong, and an answer the rules cannot decide is ``uncertain``, recorded without a score, so it is
never evidence of either. Only these item types are set in a quiz (``AUTO_MARKED``).
"""

from __future__ import annotations

from yincai.classroom.models import Verdict
from yincai.domain.models import ItemType

AUTO_MARKED = (
    ItemType.SINGLE_CHOICE,
    ItemType.MULTIPLE_CHOICE,
    ItemType.TRUE_FALSE,
    ItemType.FILL_IN,
)
LETTERS = "ABCDEFGH"
MAX_ANSWER_LENGTH = 200  # characters: the equivalence rules refuse longer input as well


def letters(answer: str) -> str:
    """A choice answer in one canonical form: its letters, upper case, sorted, once each."""
    return "".join(sorted({ch for ch in answer.upper() if ch in LETTERS}))


def is_valid_choice(item_type: ItemType, answer: str, options: list[str]) -> bool:
    """Whether ``answer`` names options of the item (one for single choice, one or more for
    multiple choice, an option's text for true/false)."""
    if item_type is ItemType.TRUE_FALSE:
        return answer in options
    chosen = letters(answer)
    allowed = LETTERS[: len(options)]
    if not chosen or any(ch not in allowed for ch in chosen) or len(chosen) != len(answer):
        return False
    return item_type is ItemType.MULTIPLE_CHOICE or len(chosen) == 1


def verdict(item_type: ItemType, answer: str, key: str) -> Verdict:
    """Right, wrong or uncertain (fill-in answers only) for one answer."""
    if item_type is ItemType.TRUE_FALSE:
        return Verdict.RIGHT if answer.strip() == key.strip() else Verdict.WRONG
    if item_type in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        return Verdict.RIGHT if letters(answer) == letters(key) else Verdict.WRONG
    from yincai.science.answer_equivalence import judge  # sympy: loaded when first needed

    found = judge(answer, key).verdict
    if found == "equal":
        return Verdict.RIGHT
    return Verdict.WRONG if found == "different" else Verdict.UNCERTAIN
