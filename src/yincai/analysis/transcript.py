"""The 成绩单 of one scope: every student with total, ranks and the score of every item (小题分).

Ranks are competition ranks among the participants (absentees have none), within the class,
the school and the whole exam; a scope shows the levels it covers (a class or school report the
class and school ranks, the district report all three) and none where ranks are turned off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from yincai.analysis.data import ExamData
from yincai.analysis.totals import group_competition_rank
from yincai.science.base import BoolArray, IntArray

RankLevel = Literal["class", "school", "district"]
TranscriptOrder = Literal["total", "total_asc", "number"]
ORDERS: tuple[TranscriptOrder, ...] = ("total", "total_asc", "number")


@dataclass(frozen=True)
class TranscriptRow:
    student_id: int
    student_number: str
    name: str
    class_name: str
    is_absent: bool
    total: float | None
    class_rank: int | None
    school_rank: int | None
    district_rank: int | None
    item_scores: list[float | None]


@dataclass(frozen=True)
class Transcript:
    """Rows highest total first (absentees last, by student number within a class)."""

    item_labels: list[str]
    full_scores: list[float]
    full_score: float
    rank_levels: tuple[RankLevel, ...]
    rows: list[TranscriptRow]

    @property
    def n_absent(self) -> int:
        return sum(row.is_absent for row in self.rows)

    def ordered(self, order: TranscriptOrder) -> list[TranscriptRow]:
        """The rows by total (highest or lowest first, absentees last) or by student number."""
        if order == "number":
            return sorted(self.rows, key=lambda row: (row.class_name, row.student_number))
        if order == "total_asc":
            present = [row for row in self.rows if not row.is_absent]
            return present[::-1] + [row for row in self.rows if row.is_absent]
        return self.rows


def rank_levels(scope_kind: str, show_ranks: bool) -> tuple[RankLevel, ...]:
    if not show_ranks:
        return ()
    if scope_kind == "district":
        return ("class", "school", "district")
    return ("class", "school")


def _ranks(data: ExamData, present: BoolArray, groups: IntArray) -> IntArray:
    ranks = np.zeros(data.student_ids.size, dtype=np.int64)
    ranks[present] = group_competition_rank(data.totals[present], groups[present])
    return ranks


def build_transcript(
    data: ExamData, in_scope: BoolArray, levels: tuple[RankLevel, ...]
) -> Transcript:
    """The 成绩单 of the students of ``in_scope`` (n_students,)."""
    present = ~data.is_absent
    by_class = _ranks(data, present, data.class_of_student)
    by_school = _ranks(data, present, data.school_of_student)
    by_district = _ranks(data, present, np.zeros(data.student_ids.size, dtype=np.int64))
    rows_in = np.flatnonzero(in_scope)
    # Highest total first; ties and absentees by class then student number (the data's order).
    totals = np.where(present[rows_in], data.totals[rows_in], -np.inf)
    order = rows_in[np.argsort(-totals, kind="stable")]
    scores = data.scores
    rows = []
    for row in order.tolist():
        is_absent = bool(data.is_absent[row])
        item_values = scores[row].tolist()
        rows.append(
            TranscriptRow(
                student_id=int(data.student_ids[row]),
                student_number=data.student_numbers[row],
                name=data.student_names[row],
                class_name=data.class_names[int(data.class_of_student[row])],
                is_absent=is_absent,
                total=None if is_absent else float(data.totals[row]),
                class_rank=int(by_class[row]) if "class" in levels and not is_absent else None,
                school_rank=int(by_school[row]) if "school" in levels and not is_absent else None,
                district_rank=int(by_district[row])
                if "district" in levels and not is_absent
                else None,
                item_scores=[None if value != value else value for value in item_values],
            )
        )
    return Transcript(
        item_labels=list(data.item_labels),
        full_scores=data.full_scores.tolist(),
        full_score=data.full_score,
        rank_levels=levels,
        rows=rows,
    )
