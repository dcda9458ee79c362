"""Classes of a school side by side, and the same by the teacher of the exam's subject.

Each row: participants, mean, 三率 and 低分率, the rank of the mean among the rows, and the
difference from the mean of the whole context (the school; in a district report the schools of
the district against the district). Teachers come from the teaching assignments of the subject.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yincai.analysis.data import ExamData
from yincai.analysis.totals import competition_rank, rates
from yincai.rules import Thresholds
from yincai.science.base import BoolArray


@dataclass(frozen=True)
class SideBySideRow:
    """A class, a school or a teacher's classes together."""

    name: str
    detail: tuple[str, ...]  # the teacher of a class, or the classes of a teacher
    n_participants: int
    mean: float | None
    excellent_rate: float | None
    good_rate: float | None
    pass_rate: float | None
    low_rate: float | None
    rank: int | None
    mean_difference: float | None


@dataclass(frozen=True)
class SideBySide:
    context: str
    context_mean: float | None
    groups: list[SideBySideRow]  # classes (or schools in a district report)
    teachers: list[SideBySideRow]
    by_school: bool


def _row(
    data: ExamData,
    members: BoolArray,
    name: str,
    detail: tuple[str, ...],
    thresholds: Thresholds,
    context_mean: float | None,
) -> SideBySideRow:
    totals = data.totals[members & ~data.is_absent]
    found = rates(totals, data.full_score, thresholds)
    mean = float(totals.mean()) if totals.size else None
    return SideBySideRow(
        name=name,
        detail=detail,
        n_participants=int(totals.size),
        mean=mean,
        excellent_rate=found.excellent_rate,
        good_rate=found.good_rate,
        pass_rate=found.pass_rate,
        low_rate=found.low_rate,
        rank=None,
        mean_difference=None if mean is None or context_mean is None else mean - context_mean,
    )


def _ranked(rows: list[SideBySideRow]) -> list[SideBySideRow]:
    means = np.array([-np.inf if row.mean is None else row.mean for row in rows])
    ranks = competition_rank(means) if rows else np.zeros(0, dtype=np.int64)
    ranked = [
        SideBySideRow(**{**row.__dict__, "rank": None if row.mean is None else int(rank)})
        for row, rank in zip(rows, ranks.tolist(), strict=True)
    ]
    return sorted(ranked, key=lambda row: (row.rank is None, row.rank or 0, row.name))


def side_by_side(
    data: ExamData,
    *,
    school_id: int | None,
    teacher_of_class: dict[int, str],
    thresholds: Thresholds,
) -> SideBySide:
    """The classes of ``school_id`` and their teachers; with no school, the district's schools."""
    present = ~data.is_absent
    if school_id is None:
        context = np.ones(data.student_ids.size, dtype=bool)
        title = ""
    else:
        context = np.asarray(data.school_of_student == school_id, dtype=bool)
        title = data.school_names.get(school_id, "")
    values = data.totals[context & present]
    context_mean = float(values.mean()) if values.size else None
    if school_id is None:
        groups = [
            _row(
                data,
                np.asarray(data.school_of_student == school, dtype=bool),
                name,
                (),
                thresholds,
                context_mean,
            )
            for school, name in sorted(data.school_names.items())
        ]
        return SideBySide(title, context_mean, _ranked(groups), [], by_school=True)
    class_ids = sorted({int(c) for c in data.class_of_student[context]})
    groups = [
        _row(
            data,
            np.asarray(data.class_of_student == class_id, dtype=bool),
            data.class_names[class_id],
            (teacher_of_class[class_id],) if class_id in teacher_of_class else (),
            thresholds,
            context_mean,
        )
        for class_id in class_ids
    ]
    classes_of: dict[str, list[int]] = {}
    for class_id in class_ids:
        teacher = teacher_of_class.get(class_id)
        if teacher:
            classes_of.setdefault(teacher, []).append(class_id)
    teachers = [
        _row(
            data,
            np.isin(data.class_of_student, ids),
            teacher,
            tuple(data.class_names[class_id] for class_id in ids),
            thresholds,
            context_mean,
        )
        for teacher, ids in sorted(classes_of.items())
    ]
    return SideBySide(title, context_mean, _ranked(groups), _ranked(teachers), by_school=False)
