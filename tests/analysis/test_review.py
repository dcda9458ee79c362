"""The 试卷讲评 of small exams: option shares, the key, typical wrong answers, names."""

from __future__ import annotations

import numpy as np

from tests.analysis.builders import exam_data
from yincai.analysis.review import review_items
from yincai.domain.models import ItemType


def _exam():
    choices = np.array(
        [["B", "对"], ["B", None], ["A", "错"], ["C", "错"], ["C", "对"], [None, "错"]],
        dtype=object,
    )
    scores = np.array([[3, 2], [3, 0], [0, 0], [0, 0], [0, 2], [0, 0]], dtype=float)
    return exam_data(
        scores,
        [3.0, 2.0],
        class_of_student=[1] * 6,
        choices=choices,
        item_types=[ItemType.SINGLE_CHOICE, ItemType.FILL_IN],
        answers=["B", "对"],
    )


def test_option_shares_sum_to_one_and_mark_the_key() -> None:
    items = review_items(_exam(), np.ones(6, dtype=bool), with_names=True)
    choice = items[0]
    assert choice.is_choice
    assert [row.answer for row in choice.rows] == ["A", "B", "C", "D"]  # D offered, never chosen
    assert sum(row.share or 0 for row in choice.rows) == 1.0
    assert [row.answer for row in choice.rows if row.is_key] == ["B"]
    by_answer = {row.answer: row for row in choice.rows}
    assert by_answer["C"].count == 2 and by_answer["C"].students == ["学生4", "学生5"]
    assert by_answer["D"].count == 0
    assert [(w.answer, w.count) for w in choice.wrong_answers] == [("C", 2), ("A", 1)]


def test_other_items_list_score_values_and_their_wrong_answers() -> None:
    items = review_items(_exam(), np.ones(6, dtype=bool), with_names=False)
    fill = items[1]
    assert not fill.is_choice
    assert [(row.answer, row.count, row.is_key) for row in fill.rows] == [
        ("2", 2, True),
        ("0", 4, False),
    ]
    assert sum(row.share or 0 for row in fill.rows) == 1.0
    assert all(row.students == [] for row in fill.rows)
    assert [(w.answer, w.count) for w in fill.wrong_answers] == [("错", 3)]
