"""The options demo students chose: the key for full marks, a wrong answer otherwise, seeded."""

from __future__ import annotations

import numpy as np

from yincai.demo.answers import choice_answers, wrong_answers


def _answers(seed_code: str = "2026A-M7-1") -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    scores = np.where(rng.random((400, 4)) < 0.6, 1.0, 0.0) * np.array([3, 4, 2, 3])
    scores[0, :] = np.nan
    answers = choice_answers(
        scores,
        paper_code=seed_code,
        item_codes=["A1", "A2", "A3", "A4"],
        item_types=["single_choice", "multiple_choice", "true_false", "fill_in"],
        keys=["C", "AB", "正确", "12"],
        options=[("1", "2", "3", "4"), ("1", "2", "3", "4"), ("正确", "错误"), ()],
        full_scores=[3, 4, 2, 3],
    )
    return scores, answers


def test_full_marks_choose_the_key_and_others_a_wrong_answer() -> None:
    scores, answers = _answers()
    assert answers[0].tolist() == [None, None, None, None]  # nothing recorded, nothing chosen
    right = scores[1:, 0] == 3
    assert set(answers[1:, 0][right]) == {"C"}
    assert set(answers[1:, 0][~right]) <= {"A", "B", "D"}
    wrong_multi = set(answers[1:, 1][scores[1:, 1] == 0])
    assert (
        wrong_multi
        and "AB" not in wrong_multi
        and wrong_multi <= set(wrong_answers("multiple_choice", "AB", ("1", "2", "3", "4")))
    )
    assert set(answers[1:, 2][scores[1:, 2] == 0]) == {"错误"}
    assert all(value is None for value in answers[:, 3])  # fill-in items keep no option


def test_answers_are_seeded_and_distractors_differ_in_attractiveness() -> None:
    _, first = _answers()
    _, again = _answers()
    assert first.tolist() == again.tolist()
    wrong = [value for value in first[1:, 0] if value != "C"]
    counts = sorted((wrong.count(option) for option in "ABD"), reverse=True)
    assert counts[0] > 1.5 * counts[-1]  # not a uniform pick


def test_wrong_answers_of_each_type() -> None:
    assert wrong_answers("single_choice", "B", ("1", "2", "3", "4")) == ["A", "C", "D"]
    assert wrong_answers("true_false", "错误", ("正确", "错误")) == ["正确"]
    assert wrong_answers("multiple_choice", "AC", ("1", "2", "3", "4")) == [
        "A", "ABC", "ACD", "B", "C", "D",
    ]  # fmt: skip
