"""One student's report on one exam: total, grade band (等级), progress, items, mistakes book.

Two audiences. The family copy (学生/家长) follows the rule "no public ranking": it has no rank
field at all, only bands, progress and mastery. The teacher copy is a subclass that may add the
student's ranks when the caller allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

import numpy as np

from yincai.analysis.data import ExamData
from yincai.analysis.progress import PreviousExam, aligned
from yincai.analysis.totals import competition_rank, optional
from yincai.diagnosis import levels
from yincai.rules import GradeBands, standardise
from yincai.science.base import BoolArray

Audience = Literal["teacher", "family"]
N_WEAK_POINTS = 5  # a family reads a short list


@dataclass(frozen=True)
class StudentItem:
    """The student's score on one item beside the class's average."""

    label: str
    full_score: float
    score: float | None
    class_mean: float | None
    score_rate: float | None
    class_score_rate: float | None
    knowledge_points: list[str]


@dataclass(frozen=True)
class Mistake:
    """An entry of the mistakes book (错题本): an item answered wrongly, partly or not at all."""

    label: str
    item_code: str | None
    stem: str | None
    score: float
    full_score: float
    is_unanswered: bool
    is_partial: bool
    answer_given: str | None
    correct_answer: str | None
    knowledge_points: list[str]


@dataclass(frozen=True)
class KpResult:
    """The student's score rate on the items of one knowledge point in this exam."""

    code: str
    name: str
    score_rate: float | None
    class_score_rate: float | None


@dataclass(frozen=True)
class KpMastery:
    """Mastery of one knowledge point from the diagnosis service (``diagnosis.levels``): the level
    ``mastery``, its 80 % credible interval ``level_low`` .. ``level_high``, ``logit_sd`` the
    posterior SD, and the band in words that students and families read."""

    code: str
    name: str
    mastery: float
    logit_sd: float
    level_low: float
    level_high: float
    n_evidence: int
    band_word: str


@dataclass(frozen=True)
class StudentProgress:
    """Change since the previous exam of the same grade and subject."""

    previous_code: str
    previous_name: str
    previous_total: float
    previous_band: str
    z_change: float | None


@dataclass(frozen=True)
class StudentRanks:
    """Competition ranks among the participants (teacher copies only)."""

    class_rank: int
    n_class: int
    school_rank: int
    n_school: int
    district_rank: int
    n_district: int


@dataclass(frozen=True)
class TrendPoint:
    """The student's score rate on one assessment of the subject (for the trend chart)."""

    held_on: str
    name: str
    score_rate: float | None


@dataclass(frozen=True)
class StudentReport:
    """What a student and their family may read; no rank anywhere."""

    audience: Audience
    student_number: str
    name: str
    school_name: str
    class_name: str
    exam_code: str
    exam_name: str
    subject: str
    held_on: date
    full_score: float
    is_absent: bool
    total: float | None
    score_rate: float | None
    band: str | None
    class_mean: float | None
    progress: StudentProgress | None
    items: list[StudentItem]
    mistakes: list[Mistake]
    knowledge: list[KpResult]
    mastery: list[KpMastery] | None = None
    weak_points: list[str] | None = None
    mastery_note: str = ""


@dataclass(frozen=True)
class TeacherStudentReport(StudentReport):
    """The teacher's copy: the family copy plus ranks where the district allows them."""

    ranks: StudentRanks | None = field(default=None)


def build_student_report(
    data: ExamData,
    row: int,
    *,
    audience: Audience,
    show_ranks: bool = False,
    bands: GradeBands | None = None,
    previous: PreviousExam | None = None,
    mastery: list[KpMastery] | None = None,
    mastery_note: str = "",
) -> StudentReport:
    """The report of the student in ``row`` of ``data``."""
    bands = bands or GradeBands()
    class_id = int(data.class_of_student[row])
    school_id = int(data.school_of_student[row])
    present = ~data.is_absent
    classmates = present & (data.class_of_student == class_id)
    is_absent = bool(data.is_absent[row])
    total = None if is_absent else float(data.totals[row])
    full = data.full_score
    class_scores = data.scores[classmates]
    answered = (~np.isnan(class_scores)).sum(axis=0)
    class_item_mean = np.full(data.n_items, np.nan)
    np.divide(np.nansum(class_scores, axis=0), answered, out=class_item_mean, where=answered > 0)
    kp_names_of_item = [
        [data.kp_names[k] for k in np.flatnonzero(data.kp_weights[j] > 0)]
        for j in range(data.n_items)
    ]
    items = [
        StudentItem(
            label=data.item_labels[j],
            full_score=float(data.full_scores[j]),
            score=None if is_absent else optional(data.scores[row, j]),
            class_mean=optional(class_item_mean[j]),
            score_rate=None if is_absent else optional(data.scores[row, j] / data.full_scores[j]),
            class_score_rate=optional(class_item_mean[j] / data.full_scores[j]),
            knowledge_points=kp_names_of_item[j],
        )
        for j in range(data.n_items)
    ]
    report = StudentReport(
        audience=audience,
        student_number=data.student_numbers[row],
        name=data.student_names[row],
        school_name=data.school_names[school_id],
        class_name=data.class_names[class_id],
        exam_code=data.code,
        exam_name=data.name,
        subject=data.subject_name,
        held_on=data.held_on,
        full_score=full,
        is_absent=is_absent,
        total=total,
        score_rate=None if total is None or full <= 0 else total / full,
        band=None if total is None else bands.band_of(total, full),
        class_mean=float(data.totals[classmates].mean()) if classmates.any() else None,
        progress=None if is_absent else _progress(data, row, previous, bands),
        items=items,
        mistakes=[] if is_absent else _mistakes(data, row, kp_names_of_item),
        knowledge=[] if is_absent else _knowledge(data, row, classmates),
        mastery=mastery,
        weak_points=None if mastery is None else weak_points(mastery),
        mastery_note=mastery_note,
    )
    if audience == "family":
        return report
    shared = {item.name: getattr(report, item.name) for item in fields(report)}
    ranks = _ranks(data, row, class_id, school_id) if show_ranks and not is_absent else None
    return TeacherStudentReport(**shared, ranks=ranks)


def weak_points(mastery: list[KpMastery], *, limit: int = N_WEAK_POINTS) -> list[str]:
    """Names of the least-mastered weak knowledge points (``levels.is_weak``), weakest first."""
    weak = sorted(
        (entry for entry in mastery if levels.is_weak(entry.mastery)), key=lambda e: e.mastery
    )
    return [entry.name for entry in weak[:limit]]


def _mistakes(data: ExamData, row: int, kp_names_of_item: list[list[str]]) -> list[Mistake]:
    mistakes = []
    for j in range(data.n_items):
        score = data.scores[row, j]
        full = float(data.full_scores[j])
        if not np.isnan(score) and score >= full:
            continue
        raw = data.choices[row, j]
        mistakes.append(
            Mistake(
                label=data.item_labels[j],
                item_code=data.item_codes[j],
                stem=data.item_stems[j],
                score=0.0 if np.isnan(score) else float(score),
                full_score=full,
                is_unanswered=bool(np.isnan(score)),
                is_partial=bool(0 < score < full),
                answer_given=None if raw is None else str(raw),
                correct_answer=data.item_answers[j],
                knowledge_points=kp_names_of_item[j],
            )
        )
    return mistakes


def _knowledge(data: ExamData, row: int, classmates: BoolArray) -> list[KpResult]:
    """Weighted score rates by knowledge point (unanswered items count as 0 for the student)."""
    weights = data.kp_weights
    own = np.nan_to_num(data.scores[row])
    possible = data.full_scores @ weights
    own_rate = np.full(len(data.kp_codes), np.nan)
    np.divide(own @ weights, possible, out=own_rate, where=possible > 0)
    class_scores = data.scores[classmates]
    answered = (~np.isnan(class_scores)).sum(axis=0) * data.full_scores
    class_rate = np.full(len(data.kp_codes), np.nan)
    np.divide(
        np.nansum(class_scores, axis=0) @ weights,
        answered @ weights,
        out=class_rate,
        where=(answered @ weights) > 0,
    )
    return [
        KpResult(code, name, optional(own_rate[k]), optional(class_rate[k]))
        for k, (code, name) in enumerate(zip(data.kp_codes, data.kp_names, strict=True))
    ]


def _progress(
    data: ExamData, row: int, previous: PreviousExam | None, bands: GradeBands
) -> StudentProgress | None:
    if previous is None:
        return None
    before, before_z = aligned(previous, data.student_ids[row : row + 1])
    if np.isnan(before[0]):
        return None
    now_z = standardise(data.totals)[row]
    return StudentProgress(
        previous_code=previous.code,
        previous_name=previous.name,
        previous_total=float(before[0]),
        previous_band=bands.band_of(float(before[0]), previous.full_score),
        z_change=optional(float(now_z - before_z[0])),
    )


def _ranks(data: ExamData, row: int, class_id: int, school_id: int) -> StudentRanks:
    present = ~data.is_absent
    groups = {
        "class": present & (data.class_of_student == class_id),
        "school": present & (data.school_of_student == school_id),
        "district": present,
    }
    ranks: dict[str, tuple[int, int]] = {}
    for name, members in groups.items():
        position = int(np.flatnonzero(np.flatnonzero(members) == row)[0])
        ranks[name] = (int(competition_rank(data.totals[members])[position]), int(members.sum()))
    return StudentRanks(
        class_rank=ranks["class"][0],
        n_class=ranks["class"][1],
        school_rank=ranks["school"][0],
        n_school=ranks["school"][1],
        district_rank=ranks["district"][0],
        n_district=ranks["district"][1],
    )
