"""Homework figures from arrays: the counts add up, late work is found, accuracy by point."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.homework import summary
from yincai.homework.summary import LATE, MISSING, NOT_ASSIGNED, ON_TIME, HomeworkData

DAY = 86_400.0


def _data(**changes: object) -> HomeworkData:
    """Two students, three assignments (due at days 1, 2, 3), the second student has none of
    the third; items 0 and 1 on points (A, B) with weights (1, 0) and (0.5, 0.5)."""
    fields: dict[str, object] = {
        "is_assigned": np.array([[True, True, True], [True, True, False]]),
        "due_s": np.array([1.0, 2.0, 3.0]) * DAY,
        "week": np.array([0, 1, 1]),
        # student 0: on time on 0, late on 1 (one attempt early, the last after the due time);
        # student 1: on time on 1 only; an attempt at assignment 2 by student 1 (not assigned)
        "attempt_student": np.array([0, 0, 0, 1, 1]),
        "attempt_assignment": np.array([0, 1, 1, 1, 2]),
        "attempt_item": np.array([0, 0, 1, 1, 0]),
        "attempt_s": np.array([0.5, 1.5, 2.5, 1.9, 2.5]) * DAY,
        "attempt_score": np.array([1.0, 0.0, 0.5, 1.0, 1.0]),
        "item_kp": np.array([[1.0, 0.0], [0.5, 0.5]]),
    }
    fields.update(changes)
    return HomeworkData(**fields)  # type: ignore[arg-type]


def test_late_work_is_work_whose_last_attempt_came_after_the_due_time() -> None:
    states = summary.status(_data())
    assert states.tolist() == [[ON_TIME, LATE, MISSING], [MISSING, ON_TIME, NOT_ASSIGNED]]


def test_an_attempt_exactly_at_the_due_time_is_on_time() -> None:
    data = _data(attempt_s=np.array([1.0, 1.5, 2.0, 1.9, 2.5]) * DAY)
    assert summary.status(data)[0].tolist() == [ON_TIME, ON_TIME, MISSING]


def test_counts_of_a_constructed_case() -> None:
    counts = summary.student_counts(_data())
    assert counts.assigned.tolist() == [3, 2]
    assert counts.completed.tolist() == [2, 1]
    assert counts.on_time.tolist() == [1, 1]
    assert counts.late.tolist() == [1, 0]
    assert counts.missing.tolist() == [1, 1]
    np.testing.assert_allclose(counts.completion_rate, [2 / 3, 1 / 2])
    np.testing.assert_allclose(counts.late_rate, [1 / 2, 0.0])
    # work not assigned (student 1 on assignment 2) does not count towards accuracy
    np.testing.assert_allclose(counts.accuracy, [(1.0 + 0.0 + 0.5) / 3, 1.0])


def test_counts_add_up_on_random_homework() -> None:
    rng = np.random.default_rng(3)
    n_students, n_assignments, n_attempts = 40, 12, 600
    data = HomeworkData(
        is_assigned=rng.random((n_students, n_assignments)) < 0.8,
        due_s=rng.uniform(0, 100, n_assignments),
        week=np.arange(n_assignments) // 3,
        attempt_student=rng.integers(0, n_students, n_attempts),
        attempt_assignment=rng.integers(0, n_assignments, n_attempts),
        attempt_item=rng.integers(0, 5, n_attempts),
        attempt_s=rng.uniform(0, 120, n_attempts),
        attempt_score=rng.random(n_attempts),
        item_kp=rng.random((5, 3)),
    )
    counts = summary.student_counts(data)
    assert (counts.completed + counts.missing == counts.assigned).all()
    assert (counts.on_time + counts.late == counts.completed).all()
    assert counts.assigned.sum() == data.is_assigned.sum()
    group = np.arange(n_students) % 4
    by_group = summary.group_counts(counts, group, 4)
    assert (by_group.completed + by_group.missing == by_group.assigned).all()
    assert by_group.assigned.sum() == counts.assigned.sum()
    series = summary.weekly(data, summary.status(data))
    assert series.assigned.sum() == counts.assigned.sum()
    assert series.completed.sum() == counts.completed.sum()
    assert series.late.sum() == counts.late.sum()


def test_accuracy_by_knowledge_point_equals_the_hand_computation() -> None:
    accuracy, weight = summary.kp_accuracy(_data())
    # counted attempts: (item 0, 1.0), (item 0, 0.0), (item 1, 0.5), (item 1, 1.0)
    # A: weights 1, 1, 0.5, 0.5 → (1 + 0 + 0.25 + 0.5) / 3;  B: 0.5, 0.5 → (0.25 + 0.5) / 1
    np.testing.assert_allclose(accuracy, [1.75 / 3, 0.75])
    np.testing.assert_allclose(weight, [3.0, 1.0])
    only_second = np.array([False, True])
    accuracy, weight = summary.kp_accuracy(_data(), only_second)
    np.testing.assert_allclose(accuracy, [1.0, 1.0])
    np.testing.assert_allclose(weight, [0.5, 0.5])


def test_a_point_never_practised_has_no_accuracy() -> None:
    data = _data(item_kp=np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]))
    accuracy, weight = summary.kp_accuracy(data)
    assert np.isnan(accuracy[2]) and weight[2] == 0


def test_weekly_series_by_week_set() -> None:
    series = summary.weekly(_data(), summary.status(_data()))
    assert series.weeks.tolist() == [0, 1]
    assert series.assigned.tolist() == [2, 3]
    assert series.completed.tolist() == [1, 2]
    assert series.late.tolist() == [0, 1]
    np.testing.assert_allclose(series.completion_rate, [0.5, 2 / 3])
    np.testing.assert_allclose(series.accuracy, [1.0, 0.5])  # week 1: 0.0, 0.5, 1.0


def test_a_student_without_work_has_no_rates() -> None:
    data = _data(is_assigned=np.zeros((2, 3), dtype=bool))
    counts = summary.student_counts(data)
    assert counts.assigned.tolist() == [0, 0]
    assert np.isnan(counts.completion_rate).all() and np.isnan(counts.accuracy).all()


def test_bad_shapes_name_the_argument() -> None:
    with pytest.raises(ValueError, match="attempt_item"):
        _data(attempt_item=np.array([0, 1]))
    with pytest.raises(ValueError, match="attempt_student"):
        _data(attempt_student=np.array([0, 0, 0, 1, 5]))
