"""Pydantic schemas of the analysis JSON API: the exam and student reports, field for field as the
report dataclasses (``exam.py``, ``student.py``), so the OpenAPI document describes them.

Read them from a report with ``ExamReportRead.model_validate(report)`` (attributes are read).
The family copy of a student report has no ``ranks`` key at all; the teacher's copy always has
one (null where the district or the page leaves ranks out).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from yincai.web.json_types import FiniteFloat


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReportScopeRead(_Read):
    kind: Literal["district", "school", "class"]
    school_id: int | None
    school_class_id: int | None


class ThresholdsRead(_Read):
    """三率 cut-offs as shares of the full score."""

    excellent: float
    good: float
    passing: float
    low: float


class RatesRead(_Read):
    excellent_cutoff: float
    good_cutoff: float
    pass_cutoff: float
    n_excellent: int
    n_good: int
    n_pass: int
    excellent_rate: FiniteFloat
    good_rate: FiniteFloat
    pass_rate: FiniteFloat
    low_cutoff: float
    n_low: int
    low_rate: FiniteFloat


class TotalSummaryRead(_Read):
    n_participants: int
    n_absent: int
    full_score: float
    mean: FiniteFloat
    median: FiniteFloat
    sd: FiniteFloat
    max: FiniteFloat
    min: FiniteFloat
    score_rate: FiniteFloat
    rates: RatesRead


class AbsenteeRead(_Read):
    student_number: str
    name: str
    school_name: str
    class_name: str


class ScoreBandRowRead(_Read):
    """One row of the 一分一段表."""

    score: float
    count: int
    cumulative: int
    rank: int


class DistributionBandRead(_Read):
    lower: float
    upper: float
    count: int
    share: FiniteFloat


class OptionShareRead(_Read):
    option: str
    count: int
    share: FiniteFloat
    is_key: bool


class ItemFlagTextRead(_Read):
    code: str
    reason: str


class ItemStatisticsRead(_Read):
    label: str
    item_code: str | None
    item_type: str | None
    full_score: float
    n_answered: int
    mean: FiniteFloat
    score_rate: FiniteFloat
    reference_score_rate: FiniteFloat
    discrimination: FiniteFloat
    point_biserial: FiniteFloat
    item_rest: FiniteFloat
    options: list[OptionShareRead]
    flags: list[ItemFlagTextRead]


class ItemTableRead(_Read):
    items: list[ItemStatisticsRead]
    alpha: FiniteFloat
    sem: FiniteFloat
    n_complete: int


class KpRowRead(_Read):
    code: str
    name: str
    n_items: int
    score_rate: FiniteFloat
    reference_score_rate: FiniteFloat
    group_rates: list[FiniteFloat]


class KpTableRead(_Read):
    groups: list[str]
    rows: list[KpRowRead]


class GroupRowRead(_Read):
    """One school or class of the comparison, with its effect size against the rest."""

    name: str
    school_name: str
    n_participants: int
    n_absent: int
    mean: FiniteFloat
    sd: FiniteFloat
    max: FiniteFloat
    min: FiniteFloat
    excellent_rate: FiniteFloat
    good_rate: FiniteFloat
    pass_rate: FiniteFloat
    mean_difference: FiniteFloat
    cohens_d: FiniteFloat
    hedges_g: FiniteFloat
    p_value: FiniteFloat
    is_significant: bool
    low_rate: FiniteFloat


class GroupValueAddedRead(_Read):
    name: str
    n_matched: int
    value_added: FiniteFloat
    se: FiniteFloat


class MoverRead(_Read):
    student_number: str
    name: str
    class_name: str
    previous_total: float
    total: float
    z_change: float
    residual: float


class ProgressReportRead(_Read):
    """Value added since the cohort's previous exam, and the biggest risers and fallers."""

    previous_code: str
    previous_name: str
    n_matched: int
    slope: FiniteFloat
    classes: list[GroupValueAddedRead]
    schools: list[GroupValueAddedRead]
    risers: list[MoverRead]
    fallers: list[MoverRead]


class ExamReportRead(_Read):
    """The exam report of one scope: totals, 三率, score bands, items, knowledge points,
    comparison of schools and classes, and progress since the previous exam."""

    code: str
    name: str
    subject: str
    held_on: date
    grade_level: int
    n_items: int
    full_score: float
    scope: ReportScopeRead
    scope_title: str
    thresholds: ThresholdsRead
    summary: TotalSummaryRead
    reference: TotalSummaryRead
    absentees: list[AbsenteeRead]
    score_bands: list[ScoreBandRowRead]
    distribution: list[DistributionBandRead]
    items: ItemTableRead
    knowledge: KpTableRead
    schools: list[GroupRowRead]
    classes: list[GroupRowRead]
    progress: ProgressReportRead | None
    shows_ranks: bool


class StudentItemRead(_Read):
    label: str
    full_score: float
    score: FiniteFloat
    class_mean: FiniteFloat
    score_rate: FiniteFloat
    class_score_rate: FiniteFloat
    knowledge_points: list[str]


class MistakeRead(_Read):
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


class KpResultRead(_Read):
    code: str
    name: str
    score_rate: FiniteFloat
    class_score_rate: FiniteFloat


class KpMasteryRead(_Read):
    code: str
    name: str
    mastery: float
    logit_sd: float
    level_low: float
    level_high: float
    n_evidence: int
    band_word: str


class StudentProgressRead(_Read):
    previous_code: str
    previous_name: str
    previous_total: float
    previous_band: str
    z_change: FiniteFloat


class StudentRanksRead(_Read):
    class_rank: int
    n_class: int
    school_rank: int
    n_school: int
    district_rank: int
    n_district: int


class FamilyStudentReportRead(_Read):
    """A student's report on one exam, the family copy: bands, progress and mastery, no rank."""

    audience: Literal["teacher", "family"]
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
    total: FiniteFloat
    score_rate: FiniteFloat
    band: str | None
    class_mean: FiniteFloat
    progress: StudentProgressRead | None
    items: list[StudentItemRead]
    mistakes: list[MistakeRead]
    knowledge: list[KpResultRead]
    mastery: list[KpMasteryRead] | None
    weak_points: list[str] | None
    mastery_note: str


class TeacherStudentReportRead(FamilyStudentReportRead):
    """The teacher's copy: the family copy plus ranks where the district allows them."""

    ranks: StudentRanksRead | None


StudentReportRead = TeacherStudentReportRead | FamilyStudentReportRead
