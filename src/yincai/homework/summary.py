"""Homework figures from arrays: who handed in what, on time or late, and how well.

Pure NumPy, no database: the service loads a :class:`HomeworkData` and every surface (page,
workbook, API) reads the figures computed here. The definitions, once:

* an assignment is **assigned** to a student when it was set to the student's class and its due
  time has passed (``as_of``); work not yet due is not counted;
* it is **completed** (已完成) when the student attempted at least one of its items, otherwise
  **missing** (缺交): ``completed + missing = assigned``;
* completed work is **late** (迟交) when its last attempt came after the due time, otherwise
  **on time** (按时): ``on_time + late = completed``;
* **accuracy** (正确率) is the mean score share (0..1) of the attempts; by knowledge point each
  attempt counts with its item's weight on the point (``item_kp``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Int8Array = npt.NDArray[np.int8]

NOT_ASSIGNED, ON_TIME, LATE, MISSING = 0, 1, 2, 3  # one student's status on one assignment


@dataclass(frozen=True)
class HomeworkData:
    """Assignments, who got them, and the attempts at them, as index arrays.

    Attributes
    ----------
    is_assigned : BoolArray, shape (n_students, n_assignments)
        Set to the student's class and due by ``as_of``.
    due_s : FloatArray, shape (n_assignments,)
        Due time, seconds since the epoch.
    week : IntArray, shape (n_assignments,)
        Week of the semester the assignment was set in (0 = the first).
    attempt_student, attempt_assignment, attempt_item : IntArray, shape (n_attempts,)
        Indices into the students, the assignments and the rows of ``item_kp``.
    attempt_s : FloatArray, shape (n_attempts,)
        Time of the attempt, seconds since the epoch.
    attempt_score : FloatArray, shape (n_attempts,)
        Score share 0..1 (NaN when the source gave none).
    item_kp : FloatArray, shape (n_items, n_kps)
        Each item's weight on each knowledge point.
    """

    is_assigned: BoolArray
    due_s: FloatArray
    week: IntArray
    attempt_student: IntArray
    attempt_assignment: IntArray
    attempt_item: IntArray
    attempt_s: FloatArray
    attempt_score: FloatArray
    item_kp: FloatArray

    def __post_init__(self) -> None:
        n_students, n_assignments = self.is_assigned.shape
        if self.due_s.shape != (n_assignments,) or self.week.shape != (n_assignments,):
            raise ValueError("due_s and week must have shape (n_assignments,)")
        n = self.attempt_student.shape
        for name in ("attempt_assignment", "attempt_item", "attempt_s", "attempt_score"):
            if getattr(self, name).shape != n:
                raise ValueError(f"{name} must have the shape of attempt_student {n}")
        if n[0] and (self.attempt_student.max() >= n_students or self.attempt_student.min() < 0):
            raise ValueError("attempt_student holds an index outside 0..n_students-1")
        if n[0] and (
            self.attempt_assignment.max() >= n_assignments or self.attempt_assignment.min() < 0
        ):
            raise ValueError("attempt_assignment holds an index outside 0..n_assignments-1")
        if n[0] and self.attempt_item.max() >= self.item_kp.shape[0]:
            raise ValueError("attempt_item holds an index outside the rows of item_kp")


@dataclass(frozen=True)
class Counts:
    """Per student (or per group): assignments and what became of them; rates are NaN without
    any assignment, accuracy NaN without any scored attempt."""

    assigned: IntArray
    completed: IntArray
    on_time: IntArray
    late: IntArray
    missing: IntArray
    n_attempts: IntArray
    accuracy: FloatArray

    @property
    def completion_rate(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.assigned > 0, self.completed / self.assigned, np.nan)

    @property
    def late_rate(self) -> FloatArray:
        """Late work as a share of completed work."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.completed > 0, self.late / self.completed, np.nan)


def status(data: HomeworkData) -> Int8Array:
    """Each student's status on each assignment, shape (n_students, n_assignments):
    ``NOT_ASSIGNED``, ``ON_TIME``, ``LATE`` or ``MISSING``."""
    shape = data.is_assigned.shape
    last = np.full(shape, -np.inf)
    np.maximum.at(last, (data.attempt_student, data.attempt_assignment), data.attempt_s)
    is_done = np.isfinite(last)
    is_late = is_done & (last > data.due_s[None, :])
    result = np.full(shape, NOT_ASSIGNED, dtype=np.int8)
    result[data.is_assigned & is_done & ~is_late] = ON_TIME
    result[data.is_assigned & is_late] = LATE
    result[data.is_assigned & ~is_done] = MISSING
    return result


def _counted_attempts(data: HomeworkData) -> BoolArray:
    """Attempts at work counted as assigned, with a score."""
    assigned = data.is_assigned[data.attempt_student, data.attempt_assignment]
    return assigned & np.isfinite(data.attempt_score)


def student_counts(data: HomeworkData, states: Int8Array | None = None) -> Counts:
    """Counts and accuracy of every student."""
    states = status(data) if states is None else states
    n_students = data.is_assigned.shape[0]
    keep = _counted_attempts(data)
    students = data.attempt_student[keep]
    n = np.bincount(students, minlength=n_students)
    total = np.bincount(students, weights=data.attempt_score[keep], minlength=n_students)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    on_time = (states == ON_TIME).sum(axis=1)
    late = (states == LATE).sum(axis=1)
    return Counts(
        assigned=(states != NOT_ASSIGNED).sum(axis=1).astype(np.int64),
        completed=(on_time + late).astype(np.int64),
        on_time=on_time.astype(np.int64),
        late=late.astype(np.int64),
        missing=(states == MISSING).sum(axis=1).astype(np.int64),
        n_attempts=n.astype(np.int64),
        accuracy=accuracy,
    )


def group_counts(counts: Counts, group: IntArray, n_groups: int) -> Counts:
    """Counts summed over the students of each group (class), accuracy pooled over attempts."""

    def add(values: npt.NDArray[np.int64]) -> IntArray:
        return np.bincount(group, weights=values, minlength=n_groups).astype(np.int64)

    n = add(counts.n_attempts)
    correct = np.bincount(
        group, weights=np.nan_to_num(counts.accuracy) * counts.n_attempts, minlength=n_groups
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(n > 0, correct / np.maximum(n, 1), np.nan)
    return Counts(
        assigned=add(counts.assigned),
        completed=add(counts.completed),
        on_time=add(counts.on_time),
        late=add(counts.late),
        missing=add(counts.missing),
        n_attempts=n,
        accuracy=accuracy,
    )


def kp_accuracy(
    data: HomeworkData, students: BoolArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Accuracy by knowledge point over the attempts of ``students`` (default: all).

    Returns
    -------
    accuracy : FloatArray, shape (n_kps,)
        Σ weight × score / Σ weight over the attempts; NaN for points never practised.
    weight : FloatArray, shape (n_kps,)
        Σ weight: how much evidence each point has (attempts, weighted).
    """
    keep = _counted_attempts(data)
    if students is not None:
        keep &= students[data.attempt_student]
    n_items = data.item_kp.shape[0]
    items = data.attempt_item[keep]
    n_per_item = np.bincount(items, minlength=n_items).astype(np.float64)
    score_per_item = np.bincount(items, weights=data.attempt_score[keep], minlength=n_items)
    weight = data.item_kp.T @ n_per_item
    earned = data.item_kp.T @ score_per_item
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(weight > 0, earned / np.where(weight > 0, weight, 1.0), np.nan)
    return accuracy, weight


@dataclass(frozen=True)
class Weekly:
    """Weekly series of a group of students: weeks set, completion rate and accuracy."""

    weeks: IntArray
    assigned: IntArray
    completed: IntArray
    late: IntArray
    completion_rate: FloatArray
    accuracy: FloatArray


def weekly(data: HomeworkData, states: Int8Array, students: BoolArray | None = None) -> Weekly:
    """Per week of the semester in which work was set: completion and accuracy of ``students``."""
    rows = np.ones(data.is_assigned.shape[0], dtype=bool) if students is None else students
    chosen = states[rows]
    weeks = np.unique(data.week[(chosen != NOT_ASSIGNED).any(axis=0)])
    position = np.searchsorted(weeks, data.week)
    known = np.isin(data.week, weeks)
    n_weeks = weeks.size

    def per_week(mask: BoolArray) -> IntArray:
        by_assignment = mask.sum(axis=0)
        return np.bincount(position[known], weights=by_assignment[known], minlength=n_weeks).astype(
            np.int64
        )

    assigned = per_week(chosen != NOT_ASSIGNED)
    late = per_week(chosen == LATE)
    completed = per_week(chosen == ON_TIME) + late
    keep = _counted_attempts(data) & rows[data.attempt_student]
    keep &= known[data.attempt_assignment]
    attempt_week = position[data.attempt_assignment[keep]]
    n = np.bincount(attempt_week, minlength=n_weeks)
    total = np.bincount(attempt_week, weights=data.attempt_score[keep], minlength=n_weeks)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(assigned > 0, completed / np.maximum(assigned, 1), np.nan)
        accuracy = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return Weekly(weeks.astype(np.int64), assigned, completed, late, rate, accuracy)
