"""The 成绩单: ranks per level, order, absentees, ranks off."""

from __future__ import annotations

import numpy as np

from tests.analysis.builders import exam_data
from yincai.analysis.transcript import build_transcript, rank_levels


def _exam():
    scores = np.array([[5, 5], [9, 1], [3, 0], [10, 10], [4, 4]], dtype=float)
    return exam_data(
        scores,
        [10.0, 10.0],
        class_of_student=[1, 1, 2, 2, 2],
        school_of_class={1: 1, 2: 2},
        is_absent=[False, False, False, False, True],
    )


def test_rows_run_from_the_highest_total_with_absentees_last_and_ranks_per_level() -> None:
    data = _exam()
    transcript = build_transcript(data, np.ones(5, dtype=bool), rank_levels("district", True))
    assert [row.total for row in transcript.rows] == [20.0, 10.0, 10.0, 3.0, None]
    assert transcript.rows[-1].is_absent and transcript.rows[-1].class_rank is None
    assert [row.district_rank for row in transcript.rows[:4]] == [1, 2, 2, 4]
    assert [row.class_rank for row in transcript.rows[:4]] == [1, 1, 1, 2]
    assert transcript.rows[0].item_scores == [10.0, 10.0]
    assert transcript.rows[-1].item_scores == [None, None]
    assert transcript.n_absent == 1


def test_orders_and_ranks_turned_off() -> None:
    data = _exam()
    transcript = build_transcript(data, data.class_of_student == 2, rank_levels("class", False))
    assert transcript.rank_levels == ()
    assert all(row.class_rank is None and row.district_rank is None for row in transcript.rows)
    assert [row.total for row in transcript.ordered("total_asc")] == [3.0, 20.0, None]
    assert [row.student_number for row in transcript.ordered("number")] == [
        "S0003",
        "S0004",
        "S0005",
    ]
    assert rank_levels("school", True) == ("class", "school")
