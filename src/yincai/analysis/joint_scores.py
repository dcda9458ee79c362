"""A joint exam's scores as arrays and what every scope's report shares: 总分 (only of a
complete sitting, ``rules.joint_totals``), ranks, standard scores and 偏科 (``rules``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from yincai.analysis.totals import group_competition_rank
from yincai.rules import (
    BoolArray,
    FloatArray,
    IntArray,
    joint_totals,
    standardise,
    subject_profile,
)


@dataclass(frozen=True)
class JointData:
    """One joint exam's scores: ``scores`` (n_students, n_subjects), NaN where a subject was not
    sat (absent, or no score recorded); subjects in a fixed order; students of every class that
    sat any of its papers."""

    joint_exam_id: int
    code: str
    name: str
    held_on: date
    grade_level: int
    district_id: int
    assessment_ids: list[int]
    subject_codes: list[str]
    subject_names: list[str]
    full_scores: FloatArray
    student_ids: IntArray
    student_numbers: list[str]
    student_names: list[str]
    class_of_student: IntArray
    school_of_student: IntArray
    class_names: dict[int, str]
    school_of_class: dict[int, int]
    school_names: dict[int, str]
    scores: FloatArray

    @property
    def n_subjects(self) -> int:
        return len(self.subject_codes)

    def row_of(self, student_id: int) -> int | None:
        rows = np.flatnonzero(self.student_ids == student_id)
        return int(rows[0]) if rows.size else None


@dataclass(frozen=True)
class JointScores:
    """What every scope's report of one joint exam shares, computed once over the district."""

    totals: FloatArray  # (n,) NaN unless complete
    is_complete: BoolArray
    z: FloatArray  # (n, n_subjects)
    strengths: FloatArray
    spread: FloatArray
    is_lopsided: BoolArray
    weakest: IntArray
    strongest: IntArray
    class_rank: IntArray  # 0 where no total
    school_rank: IntArray
    district_rank: IntArray


def joint_scores(data: JointData) -> JointScores:
    """Totals, standard scores, 偏科 and ranks of every student of the joint exam."""
    scores = data.scores
    totals = joint_totals(scores)
    is_complete = np.isfinite(totals)
    z = (
        np.column_stack([standardise(scores[:, k]) for k in range(data.n_subjects)])
        if data.n_subjects
        else np.zeros((scores.shape[0], 0))
    )
    profile = subject_profile(z)
    return JointScores(
        totals=totals,
        is_complete=is_complete,
        z=z,
        strengths=profile.strengths,
        spread=profile.spread,
        is_lopsided=profile.is_lopsided,
        weakest=profile.weakest,
        strongest=profile.strongest,
        class_rank=group_ranks(totals, is_complete, data.class_of_student),
        school_rank=group_ranks(totals, is_complete, data.school_of_student),
        district_rank=group_ranks(totals, is_complete, np.zeros(totals.size, dtype=np.int64)),
    )


def group_ranks(totals: FloatArray, is_complete: BoolArray, groups: IntArray) -> IntArray:
    """Competition rank (1, 2, 2, 4) of each complete total within its group; 0 elsewhere."""
    out = np.zeros(totals.size, dtype=np.int64)
    out[is_complete] = group_competition_rank(totals[is_complete], groups[is_complete])
    return out


def tidy(value: float) -> float | None:
    """A mean of z-scores for a report: None for NaN, and rounding noise around 0 (the
    district's mean is 0 by construction, not -1e-17) shown as 0."""
    return None if not math.isfinite(value) else float(round(value, 9)) + 0.0
