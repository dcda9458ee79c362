"""The marking rules of each mode, and score validation with Chinese messages."""

from __future__ import annotations

import pytest

from yincai.errors import Invalid
from yincai.marking.models import AnswerStatus, MarkingMode
from yincai.marking.rules import decide, parse_score

SINGLE, DOUBLE, THIRD = MarkingMode.SINGLE, MarkingMode.DOUBLE, MarkingMode.DOUBLE_THIRD


def test_single_marking_takes_the_one_mark() -> None:
    assert decide(SINGLE, 1.0, {}, is_flagged=False).status is AnswerStatus.MARKING
    done = decide(SINGLE, 1.0, {1: 7.5}, is_flagged=False)
    assert (done.status, done.final_score) == (AnswerStatus.DONE, 7.5)


def test_double_marks_within_tolerance_are_averaged_and_beyond_go_to_the_leader() -> None:
    assert decide(DOUBLE, 1.0, {1: 6.0}, is_flagged=False).status is AnswerStatus.MARKING
    agreed = decide(DOUBLE, 1.0, {1: 6.0, 2: 7.0}, is_flagged=False)
    assert (agreed.status, agreed.final_score) == (AnswerStatus.DONE, 6.5)
    apart = decide(DOUBLE, 1.0, {1: 6.0, 2: 7.5}, is_flagged=False)
    assert apart.status is AnswerStatus.ARBITRATION


def test_two_plus_one_asks_a_third_marker_then_the_leader() -> None:
    apart = decide(THIRD, 1.0, {1: 2.0, 2: 8.0}, is_flagged=False)
    assert (apart.status, apart.n_required) == (AnswerStatus.MARKING, 3)
    near_second = decide(THIRD, 1.0, {1: 2.0, 2: 8.0, 3: 7.0}, is_flagged=False)
    assert (near_second.status, near_second.final_score) == (AnswerStatus.DONE, 7.5)
    tie = decide(THIRD, 1.0, {1: 4.0, 2: 6.5, 3: 5.0}, is_flagged=False)  # 4 is nearer
    assert tie.final_score == 4.5
    even = decide(THIRD, 2.0, {1: 4.0, 2: 6.5, 3: 5.25}, is_flagged=False)  # equally near
    assert even.final_score == pytest.approx((6.5 + 5.25) / 2)  # the higher: the student's benefit
    still_apart = decide(THIRD, 1.0, {1: 2.0, 2: 8.0, 3: 5.0}, is_flagged=False)
    assert still_apart.status is AnswerStatus.ARBITRATION


def test_a_flag_sends_the_answer_to_the_leader_in_every_mode() -> None:
    for mode in MarkingMode:
        assert decide(mode, 1.0, {1: 3.0}, is_flagged=True).status is AnswerStatus.PROBLEM


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "请输入分数"),
        ("11", "0 到 10 分"),
        ("-1", "0 到 10 分"),
        ("3.3", "0.5 分"),
        ("nan", "请输入分数"),
        ("inf", "请输入分数"),
    ],
)
def test_bad_scores_are_refused_in_chinese(text: str, words: str) -> None:
    with pytest.raises(Invalid) as problem:
        parse_score(text, 10.0)
    assert words in problem.value.message


def test_good_scores_parse_in_half_points() -> None:
    assert parse_score(" 7.5 ", 10.0) == 7.5
    assert parse_score("10", 10.0) == 10.0
    assert parse_score("0", 10.0) == 0.0
