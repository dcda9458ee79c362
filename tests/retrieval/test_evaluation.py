"""Scoring rankings against labelled questions: recall@k, reciprocal rank, the labelled file."""

from __future__ import annotations

import pytest

from yincai.retrieval.evaluation import (
    Labelled,
    evaluate,
    parse_questions,
    recall_at_k,
    reciprocal_rank,
)


def test_recall_counts_the_relevant_keys_in_the_first_k() -> None:
    assert recall_at_k(["a", "b", "c"], ["b", "z"], 2) == 0.5
    assert recall_at_k(["a", "b", "c"], ["c"], 2) == 0.0
    with pytest.raises(ValueError, match="at least one relevant"):
        recall_at_k(["a"], [], 1)


def test_the_reciprocal_rank_is_that_of_the_first_relevant_key() -> None:
    assert reciprocal_rank(["a", "b", "c"], ["c", "b"]) == 0.5
    assert reciprocal_rank(["a"], ["z"]) == 0.0


def test_evaluate_averages_over_questions_and_times_each_ranking() -> None:
    questions = [Labelled("q1", ("a",)), Labelled("q2", ("b", "c"))]
    rankings = {"q1": ["a", "x"], "q2": ["x", "b"]}
    ticks = iter([0.0, 0.010, 1.0, 1.030])  # 10 ms, then 30 ms
    result = evaluate(lambda q: rankings[q.question], questions, k=1, clock=lambda: next(ticks))
    assert result.recall_at_k == pytest.approx(0.5)  # q1: 1, q2: 0 within the first 1
    assert result.mrr == pytest.approx(0.75)  # 1 and 1/2
    assert result.p95_ms == pytest.approx(29.0)
    assert result.misses == [("q2", ["x"])]


def test_labelled_questions_are_read_from_json_lines_and_a_bad_line_is_named() -> None:
    lines = ['{"question": "绝对值？", "relevant": ["k#1"], "subject": "数学", "grade": 7}', ""]
    assert parse_questions(lines) == [Labelled("绝对值？", ("k#1",), "数学", 7)]
    with pytest.raises(ValueError, match="line 2"):
        parse_questions([lines[0], '{"question": "no relevant"}'])
