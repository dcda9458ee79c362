"""The option a demo student chose on a choice item (``Score.raw_answer``), from their score.

Choice items are marked all or nothing, so full marks mean the key. A wrong answer picks one of
the item's wrong answers with the item's own attractiveness: weights drawn once per item from a
Dirichlet, so one distractor usually draws most of the wrong answers (as a misconception does)
and the others few. A multiple-choice item's wrong answers are a part of the key (one option
missed) or the key with one wrong option added, or a wrong option alone. Seeded by the paper's
code and the item's, so the same demo always writes the same answers, whatever else is drawn.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import numpy.typing as npt

ATTRACTIVENESS = 0.7  # Dirichlet concentration: below 1, one or two distractors dominate
LETTERS = "ABCDEFGH"
CHOICE_TYPES = ("single_choice", "multiple_choice", "true_false")
FULL_MARKS_TOLERANCE = 1e-6


def wrong_answers(item_type: str, key: str, options: Sequence[str]) -> list[str]:
    """Every answer of a choice item that earns no marks, in a fixed order."""
    if item_type == "true_false":
        return [option for option in options if option != key]
    letters = LETTERS[: len(options)]
    if item_type == "single_choice":
        return [letter for letter in letters if letter != key]
    wrong = {"".join(part) for n in range(1, len(key)) for part in combinations(key, n)}
    others = [letter for letter in letters if letter not in key]
    wrong |= {"".join(sorted(key + letter)) for letter in others}
    wrong |= set(others)
    return sorted(wrong)


def choice_answers(
    scores: npt.NDArray[np.floating],
    *,
    paper_code: str,
    item_codes: Sequence[str],
    item_types: Sequence[str],
    keys: Sequence[str],
    options: Sequence[Sequence[str]],
    full_scores: Sequence[float],
) -> npt.NDArray[np.object_]:
    """(n_students, n_items) the raw answer of each choice item (None elsewhere and where no
    score was recorded), from the scores (n_students, n_items)."""
    answers = np.full(scores.shape, None, dtype=object)
    for k, kind in enumerate(item_types):
        if kind not in CHOICE_TYPES or not keys[k]:
            continue
        wrong = wrong_answers(kind, keys[k], options[k])
        if not wrong:
            continue
        seed = zlib.crc32(f"{paper_code}/{item_codes[k]}".encode())
        rng = np.random.default_rng(seed)
        weights = rng.dirichlet(np.full(len(wrong), ATTRACTIVENESS))
        column = scores[:, k]
        marked = ~np.isnan(column)
        right = marked & (column >= full_scores[k] - FULL_MARKS_TOLERANCE)
        missed = np.flatnonzero(marked & ~right)
        answers[right, k] = keys[k]
        picks = rng.choice(len(wrong), size=missed.size, p=weights)
        answers[missed, k] = np.array(wrong, dtype=object)[picks]
    return answers
