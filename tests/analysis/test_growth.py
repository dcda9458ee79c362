"""Standard scores across exams: T = 50 + 10 z within each paper, one rule for 进步/稳定/退步."""

from __future__ import annotations

from datetime import date

import numpy as np

from yincai.analysis.growth import (
    GROWTH_STEP_T,
    Growth,
    Paper,
    class_growth,
    growth_word,
    student_growth,
)
from yincai.rules import t_score


def test_t_score_is_fifty_plus_ten_z() -> None:
    totals = np.array([60.0, 70.0, 80.0, np.nan])
    t = t_score(totals)
    assert t[1] == 50.0
    assert np.isclose(t[2], 60.0) and np.isclose(t[0], 40.0)  # SD (ddof=1) of 60,70,80 is 10
    assert np.isnan(t[3])


def test_growth_word_rule() -> None:
    assert growth_word(50.0, 50.0 + GROWTH_STEP_T) is Growth.UP
    assert growth_word(50.0, 50.0 - GROWTH_STEP_T) is Growth.DOWN
    assert growth_word(50.0, 50.0 + GROWTH_STEP_T - 0.01) is Growth.STEADY
    assert growth_word(None, 50.0) is None


def _paper(assessment_id: int, day: int, totals: list[float], subject: str = "MATH") -> Paper:
    return Paper(
        assessment_id=assessment_id,
        code=f"E{assessment_id}",
        name=f"exam {assessment_id}",
        held_on=date(2026, 9, day),
        subject_code=subject,
        subject_name=subject,
        student_ids=np.array([1, 2, 3, 4], dtype=np.int64),
        class_ids=np.array([100, 100, 200, 200], dtype=np.int64),
        totals=np.array(totals, dtype=np.float64),
    )


def test_student_curve_follows_their_t_scores_beside_the_class_mean() -> None:
    papers = [
        _paper(2, 20, [90.0, 60.0, 70.0, 80.0]),
        _paper(1, 1, [60.0, 70.0, 80.0, 90.0]),
        _paper(3, 25, [50.0, 50.0, 50.0, 50.0], subject="CHN"),  # no spread: no T-score
    ]
    curves = {curve.subject_code: curve for curve in student_growth(papers, 1, 100)}
    math = curves["MATH"]
    assert [p.assessment_id for p in math.points] == [1, 2]  # in date order
    first = t_score(np.array([60.0, 70.0, 80.0, 90.0]))
    second = t_score(np.array([90.0, 60.0, 70.0, 80.0]))
    assert math.points[0].t_score == first[0]
    assert math.points[1].t_score == second[0]
    assert math.points[1].class_mean_t == (second[0] + second[1]) / 2
    assert math.points[0].change is None and math.points[1].change is Growth.UP
    assert math.overall is Growth.UP and math.latest is Growth.UP
    assert curves["CHN"].points[0].t_score is None and curves["CHN"].overall is None


def test_class_curve_is_the_mean_t_of_its_students() -> None:
    papers = [_paper(1, 1, [60.0, 70.0, 80.0, 90.0]), _paper(2, 20, [90.0, 80.0, 70.0, 60.0])]
    (curve,) = class_growth(papers, 200)
    t = t_score(np.array([60.0, 70.0, 80.0, 90.0]))
    assert curve.points[0].mean_t == (t[2] + t[3]) / 2 and curve.points[0].n_students == 2
    assert curve.overall is Growth.DOWN
    assert class_growth(papers, 999) == []
