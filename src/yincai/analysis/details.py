"""The printed companions of an exam report, for one scope: 成绩单, 分数线 and 临界生, 分数段,
试卷讲评 and the classes (and teachers) side by side. Built from the same ``ExamData`` as the
report, so the page, the workbook and the PDF show the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yincai.analysis.classes import SideBySide, side_by_side
from yincai.analysis.data import ExamData
from yincai.analysis.exam import ReportScope, scope_mask
from yincai.analysis.lines import (
    BandTable,
    Borderline,
    LineTable,
    ScoreLine,
    band_table,
    borderline,
    line_table,
)
from yincai.analysis.review import ReviewItem, review_items
from yincai.analysis.transcript import Transcript, build_transcript, rank_levels
from yincai.rules import Thresholds
from yincai.science.base import BoolArray


@dataclass(frozen=True)
class ExamDetails:
    scope: ReportScope
    transcript: Transcript
    lines: LineTable
    borderline: Borderline
    bands: BandTable
    review: list[ReviewItem]
    side_by_side: SideBySide
    has_names: bool  # the 试卷讲评 names the students behind each answer (class scope)

    @property
    def student_ids(self) -> list[int]:
        """Everyone the details name: the whole 成绩单."""
        return [row.student_id for row in self.transcript.rows]


def _groups(data: ExamData, scope: ReportScope, chosen: BoolArray) -> list[tuple[str, BoolArray]]:
    """The columns beside the scope: its schools (district) or its classes (school); none for
    a class."""
    if scope.kind == "class":
        return []
    if scope.kind == "district":
        return [
            (name, np.asarray(data.school_of_student == school, dtype=bool))
            for school, name in sorted(data.school_names.items())
        ]
    class_ids = sorted({int(c) for c in data.class_of_student[chosen]})
    return [
        (data.class_names[c], np.asarray(data.class_of_student == c, dtype=bool)) for c in class_ids
    ]


def build_exam_details(
    data: ExamData,
    scope: ReportScope,
    *,
    thresholds: Thresholds,
    show_ranks: bool,
    margin: float,
    lines: list[ScoreLine],
    teacher_of_class: dict[int, str],
) -> ExamDetails:
    in_scope = scope_mask(data, scope)
    groups = _groups(data, scope, in_scope)
    school_id = scope.school_id
    if scope.kind == "class" and scope.school_class_id is not None:
        school_id = data.school_of_class.get(scope.school_class_id, school_id)
    has_names = scope.kind == "class"
    return ExamDetails(
        scope=scope,
        transcript=build_transcript(data, in_scope, rank_levels(scope.kind, show_ranks)),
        lines=line_table(data, in_scope, groups, lines),
        borderline=borderline(data, in_scope, thresholds, margin),
        bands=band_table(data, in_scope, groups),
        review=review_items(data, in_scope, with_names=has_names),
        side_by_side=side_by_side(
            data,
            school_id=None if scope.kind == "district" else school_id,
            teacher_of_class=teacher_of_class,
            thresholds=thresholds,
        ),
        has_names=has_names,
    )
