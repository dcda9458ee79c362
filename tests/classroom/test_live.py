"""The live page's figures and the marking of answers, without a database."""

from __future__ import annotations

from yincai.classroom.live import Answer, QuizItem, live_figures
from yincai.classroom.models import Verdict
from yincai.classroom.verdicts import is_valid_choice, verdict
from yincai.domain.models import ItemType
from yincai.rules import needs_attention

CHOICE = QuizItem(1, "1", ItemType.SINGLE_CHOICE, "?", ["a", "b", "c", "d"], "B", (10,))
MULTI = QuizItem(2, "2", ItemType.MULTIPLE_CHOICE, "?", ["a", "b", "c", "d"], "AC", (10, 11))
FILL = QuizItem(3, "3", ItemType.FILL_IN, "?", [], "1/2", (11,))
TRUTH = QuizItem(4, "4", ItemType.TRUE_FALSE, "?", ["正确", "错误"], "错误", (11,))
R, W, U = Verdict.RIGHT, Verdict.WRONG, Verdict.UNCERTAIN


def test_counts_distributions_missing_students_and_attention() -> None:
    answers = [
        Answer(100, 1, "B", R), Answer(101, 1, "C", W), Answer(102, 1, "C", W),
        Answer(103, 1, "D", W),
        Answer(100, 2, "AC", R), Answer(101, 2, "A", W),
        Answer(100, 3, "0.5", R), Answer(101, 3, "2", W), Answer(102, 3, "2", W),
        Answer(103, 3, "x+", U), Answer(104, 3, "3", W),
        Answer(100, 4, "错误", R), Answer(101, 4, "错误", R), Answer(102, 4, "正确", W),
    ]  # fmt: skip
    figures = live_figures([CHOICE, MULTI, FILL, TRUTH], answers, [104, 103, 102, 101, 100, 105])
    choice, multi, fill, truth = figures.items
    assert (choice.n_answers, choice.n_right, choice.share_right) == (4, 1, 0.25)
    assert [(o.option, o.n, o.is_key) for o in choice.options] == [
        ("A", 0, False), ("B", 1, True), ("C", 2, False), ("D", 1, False),
    ]  # fmt: skip
    assert choice.needs_attention  # 1 of 4 right
    assert [(o.option, o.n, o.is_key) for o in multi.options] == [
        ("A", 2, True), ("B", 0, False), ("C", 1, True), ("D", 0, False),
    ]  # fmt: skip
    assert not multi.needs_attention  # two answers: too few to say
    assert (fill.n_answers, fill.n_right, fill.n_uncertain) == (5, 1, 1)
    assert fill.share_right == 0.25  # the uncertain answer is not counted either way
    assert [(o.option, o.n) for o in fill.options] == [("2", 2), ("3", 1)]
    assert [(o.option, o.n, o.is_key) for o in truth.options] == [
        ("正确", 1, False), ("错误", 2, True),
    ]  # fmt: skip
    assert not truth.needs_attention  # 2 of 3 right: above 60 %
    assert figures.missing_student_ids == [105]
    assert figures.answered_student_ids == [104, 103, 102, 101, 100]
    by_kp = {k.kp_id: (k.n_answers, k.n_right, k.needs_attention) for k in figures.kps}
    assert by_kp == {10: (6, 2, True), 11: (9, 4, True)}
    assert [k.kp_id for k in figures.kps] == [10, 11]  # weakest first


def test_the_attention_rule_waits_for_enough_answers() -> None:
    assert not needs_attention(0, 2)
    assert needs_attention(1, 3)
    assert not needs_attention(3, 5)  # exactly 60 % is not below it
    assert needs_attention(2, 5)


def test_verdicts_of_each_item_type() -> None:
    assert verdict(ItemType.MULTIPLE_CHOICE, "ca", "AC") is R
    assert verdict(ItemType.SINGLE_CHOICE, "B", "A") is W
    assert verdict(ItemType.TRUE_FALSE, "正确", "正确") is R
    assert verdict(ItemType.FILL_IN, "0.5", "1/2") is R
    assert verdict(ItemType.FILL_IN, "3", "1/2") is W
    assert is_valid_choice(ItemType.SINGLE_CHOICE, "B", ["1", "2", "3", "4"])
    assert is_valid_choice(ItemType.MULTIPLE_CHOICE, "CA", ["1", "2", "3", "4"])
    assert not is_valid_choice(ItemType.SINGLE_CHOICE, "AB", ["1", "2", "3", "4"])
    assert not is_valid_choice(ItemType.MULTIPLE_CHOICE, "E", ["1", "2", "3", "4"])
    assert not is_valid_choice(ItemType.MULTIPLE_CHOICE, "AA", ["1", "2", "3", "4"])
    assert not is_valid_choice(ItemType.TRUE_FALSE, "对", ["正确", "错误"])
