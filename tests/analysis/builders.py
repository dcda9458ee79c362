"""Synthetic ``ExamData`` for the analysis tests: arrays in, no database."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt

from yincai.analysis.data import ExamData
from yincai.domain.models import ItemType


def exam_data(
    scores: npt.ArrayLike,
    full_scores: npt.ArrayLike,
    *,
    class_of_student: npt.ArrayLike,
    school_of_class: dict[int, int] | None = None,
    is_absent: npt.ArrayLike | None = None,
    kp_weights: npt.ArrayLike | None = None,
    choices: npt.ArrayLike | None = None,
    item_types: list[ItemType | None] | None = None,
    answers: list[str | None] | None = None,
    student_ids: npt.ArrayLike | None = None,
    code: str = "T1",
) -> ExamData:
    """An exam of the given scores; classes 1.. belong to school 1 unless told otherwise."""
    matrix = np.asarray(scores, dtype=np.float64)
    n_students, n_items = matrix.shape
    classes = np.asarray(class_of_student, dtype=np.int64)
    absent = np.zeros(n_students, dtype=bool) if is_absent is None else np.asarray(is_absent, bool)
    matrix = np.where(absent[:, None], np.nan, matrix)
    schools = school_of_class or {int(c): 1 for c in np.unique(classes)}
    weights = np.eye(n_items) if kp_weights is None else np.asarray(kp_weights, float)
    ids = (
        np.arange(1, n_students + 1, dtype=np.int64)
        if student_ids is None
        else np.asarray(student_ids, dtype=np.int64)
    )
    return ExamData(
        assessment_id=1,
        code=code,
        name=f"测验 {code}",
        held_on=date(2026, 3, 1),
        grade_level=7,
        subject_id=1,
        subject_code="MATH",
        subject_name="数学",
        district_id=1,
        item_labels=[str(j + 1) for j in range(n_items)],
        item_codes=[f"I{j + 1}" for j in range(n_items)],
        item_types=item_types or [ItemType.SHORT_ANSWER] * n_items,
        item_answers=answers or [f"答案{j + 1}" for j in range(n_items)],
        item_stems=[f"题干{j + 1}" for j in range(n_items)],
        full_scores=np.asarray(full_scores, dtype=np.float64),
        student_ids=ids,
        student_numbers=[f"S{i:04d}" for i in ids.tolist()],
        student_names=[f"学生{i}" for i in ids.tolist()],
        class_of_student=classes,
        school_of_student=np.array([schools[int(c)] for c in classes], dtype=np.int64),
        class_names={int(c): f"{int(c)}班" for c in np.unique(classes)},
        school_of_class={int(c): s for c, s in schools.items()},
        school_codes={s: f"SCH{s}" for s in set(schools.values())},
        school_names={s: f"学校{s}" for s in set(schools.values())},
        sat_class_ids=frozenset(int(c) for c in np.unique(classes)),
        is_absent=absent,
        scores=matrix,
        choices=(
            np.full(matrix.shape, None, dtype=object)
            if choices is None
            else np.asarray(choices, dtype=object)
        ),
        totals=np.where(absent, np.nan, np.nansum(np.nan_to_num(matrix), axis=1)),
        kp_ids=list(range(1, weights.shape[1] + 1)),
        kp_codes=[f"K{k + 1}" for k in range(weights.shape[1])],
        kp_names=[f"知识点{k + 1}" for k in range(weights.shape[1])],
        kp_weights=weights,
    )
