from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

from yincai.analysis.progress import PreviousExam
from yincai.analysis.student import (
    StudentReport,
    TeacherStudentReport,
    build_student_report,
)
from yincai.domain.models import ItemType
from yincai.rules import GradeBands

from .builders import exam_data


@pytest.fixture
def data():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    full = np.array([3.0, 3.0, 4.0, 10.0])
    scores = np.round(rng.random((30, 4)) * full)
    scores[0] = [3, 0, 2, np.nan]  # right, wrong, partial, blank
    scores[1] = scores[2] = [3, 3, 4, 5]  # a tie
    choices = np.full(scores.shape, None, dtype=object)
    choices[0, :2] = ["A", "C"]
    absent = np.zeros(30, dtype=bool)
    absent[29] = True
    return exam_data(
        scores,
        full,
        class_of_student=np.repeat([1, 2, 3], 10),
        school_of_class={1: 1, 2: 1, 3: 2},
        is_absent=absent,
        kp_weights=[[1, 0], [1, 0], [0, 1], [0.5, 0.5]],
        choices=choices,
        item_types=[ItemType.SINGLE_CHOICE, ItemType.SINGLE_CHOICE, None, None],
        answers=["A", "B", "x=2", "略"],
    )


def _names_and_values(value: Any) -> list[str]:
    """Every field name of every nested dataclass, and every string value."""
    found: list[str] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            found.append(item.name)
            found.extend(_names_and_values(getattr(value, item.name)))
    elif isinstance(value, list | tuple):
        for element in value:
            found.extend(_names_and_values(element))
    elif isinstance(value, str):
        found.append(value)
    return found


def test_the_family_copy_has_no_rank_field_or_value(data) -> None:  # type: ignore[no-untyped-def]
    report = build_student_report(data, 1, audience="family", show_ranks=True)
    assert type(report) is StudentReport
    words = _names_and_values(report)
    assert not [word for word in words if "rank" in word.lower() or "名次" in word]
    assert "ranks" not in {item.name for item in dataclasses.fields(report)}


def test_the_teacher_copy_ranks_ties_like_pandas(data) -> None:  # type: ignore[no-untyped-def]
    report = build_student_report(data, 2, audience="teacher", show_ranks=True)
    assert isinstance(report, TeacherStudentReport) and report.ranks is not None
    frame = pd.DataFrame(
        {"total": data.totals, "class": data.class_of_student, "school": data.school_of_student}
    ).dropna()
    district = frame["total"].rank(method="min", ascending=False)
    in_class = frame.groupby("class")["total"].rank(method="min", ascending=False)
    in_school = frame.groupby("school")["total"].rank(method="min", ascending=False)
    assert report.ranks.district_rank == district[2] == district[1]
    assert (report.ranks.class_rank, report.ranks.n_class) == (in_class[2], 10)
    assert (report.ranks.school_rank, report.ranks.n_school) == (in_school[2], 20)
    assert report.ranks.n_district == 29
    hidden = build_student_report(data, 2, audience="teacher", show_ranks=False)
    assert isinstance(hidden, TeacherStudentReport) and hidden.ranks is None


def test_items_compare_with_the_class_average_and_the_mistakes_book_lists_the_rest(  # type: ignore[no-untyped-def]
    data,
) -> None:
    report = build_student_report(data, 0, audience="family")
    class_scores = pd.DataFrame(data.scores[:10])
    assert [item.class_mean for item in report.items] == pytest.approx(class_scores.mean().tolist())
    assert report.total == 5.0 and report.class_mean == pytest.approx(data.totals[:10].mean())
    mistakes = {m.label: m for m in report.mistakes}
    assert sorted(mistakes) == ["2", "3", "4"]
    assert mistakes["2"].answer_given == "C" and mistakes["2"].correct_answer == "B"
    assert mistakes["3"].is_partial and not mistakes["3"].is_unanswered
    assert mistakes["4"].is_unanswered and mistakes["4"].score == 0
    assert mistakes["4"].knowledge_points == ["知识点1", "知识点2"]
    own = {kp.code: kp.score_rate for kp in report.knowledge}
    assert own["K1"] == pytest.approx((3 + 0 + 0) / (3 + 3 + 5))
    assert report.mastery is None  # filled by the diagnosis service, never invented here


def test_grade_bands_meet_their_cut_offs_exactly() -> None:
    bands = GradeBands()
    assert [bands.band_of(t, 110) for t in (93.5, 93.4, 77, 66, 65.9, 0)] == [
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
    ]
    assert GradeBands(cutoffs=(("优", 0.9), ("良", 0.75)), lowest="待提高").band_of(80, 100) == "良"
    with pytest.raises(ValueError, match="cut-offs"):
        GradeBands(cutoffs=(("A", 0.6), ("B", 0.8)))


def test_progress_since_the_last_exam_and_an_absent_student(data) -> None:  # type: ignore[no-untyped-def]
    before = np.linspace(0, 20, 30)
    previous = PreviousExam("T0", "上次", 20.0, data.student_ids, before)
    report = build_student_report(data, 0, audience="family", previous=previous)
    assert report.progress is not None
    assert report.progress.previous_total == 0 and report.progress.previous_band == "D"
    absent = build_student_report(data, 29, audience="family", previous=previous)
    assert absent.is_absent and absent.total is None and absent.band is None
    assert absent.progress is None and absent.mistakes == []
