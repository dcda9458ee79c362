"""Input checks shared by the models: shapes, ranges and missing values (NaN, never -1)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from yincai.science.base import FloatArray, IntArray


def check_matrix(values: npt.ArrayLike, *, name: str, allow_nan: bool = True) -> FloatArray:
    """A 2-D float array; NaN marks a missing cell when ``allow_nan``."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(f"{name} contains NaN but missing values are not allowed here")
    return array


def check_responses(
    responses: npt.ArrayLike, *, name: str = "responses", binary: bool = True
) -> FloatArray:
    """(n_students, n_items) 0/1 matrix (scores in [0, 1] unless ``binary``); NaN = missing."""
    array = check_matrix(responses, name=name)
    # Boolean masks only (one byte a cell): no float copy of a large response matrix.
    if binary and not ((array == 0) | (array == 1) | np.isnan(array)).all():
        raise ValueError(f"{name} must hold only 0, 1 or NaN (missing)")
    if not binary and ((array < 0) | (array > 1)).any():  # NaN compares False: allowed
        raise ValueError(f"{name} must hold values in [0, 1] or NaN (missing)")
    return array


def check_q_matrix(q_matrix: npt.ArrayLike, n_items: int) -> IntArray:
    """(n_items, n_kps) 0/1 matrix in which every item measures at least one knowledge point."""
    array = np.asarray(q_matrix)
    if array.ndim != 2:
        raise ValueError(f"q_matrix must be 2-D, got shape {array.shape}")
    if array.shape[0] != n_items:
        raise ValueError(f"q_matrix has {array.shape[0]} rows but responses have {n_items} items")
    if not np.isin(array, (0, 1)).all():
        raise ValueError("q_matrix must hold only 0 and 1")
    q = array.astype(np.int64)
    empty = np.flatnonzero(q.sum(axis=1) == 0)
    if empty.size:
        raise ValueError(f"q_matrix rows {empty.tolist()} measure no knowledge point")
    return q


def check_sequences(
    students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
) -> tuple[IntArray, IntArray, FloatArray]:
    """Long-format attempts, in time order within each student: equal-length 1-D arrays.

    ``students`` and ``skills`` are non-negative integer codes; ``correct`` is 0/1.
    """
    student_codes = np.asarray(students)
    skill_codes = np.asarray(skills)
    outcome = np.asarray(correct, dtype=np.float64)
    for name, array in (("students", student_codes), ("skills", skill_codes), ("correct", outcome)):
        if array.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if not (student_codes.shape == skill_codes.shape == outcome.shape):
        raise ValueError(
            "students, skills and correct must have equal length, got "
            f"{student_codes.shape[0]}, {skill_codes.shape[0]} and {outcome.shape[0]}"
        )
    if student_codes.size == 0:
        raise ValueError("no attempts given")
    if not np.isin(outcome, (0.0, 1.0)).all():
        raise ValueError("correct must hold only 0 and 1")
    for name, array in (("students", student_codes), ("skills", skill_codes)):
        if not np.issubdtype(array.dtype, np.integer) or (array < 0).any():
            raise ValueError(f"{name} must be non-negative integer codes")
    return student_codes.astype(np.int64), skill_codes.astype(np.int64), outcome
