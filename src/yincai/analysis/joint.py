"""Joint exams (联考): 总分 over the subjects, ranks, standard scores, 偏科 and subject-balanced
comparisons of classes and schools.

Pure NumPy on a ``JointData`` (one row per student, one column per subject's paper). The rules:

- **总分** is the sum of a student's subject scores, and only of a *complete* sitting: a student
  who missed a subject (absent, or no score recorded) gets no total and no rank, and is listed
  with the subjects missed (缺考), never given 0 for them;
- **standard scores** (z) are taken within each subject's paper over the whole district
  (``rules.standardise``), so a harder paper or a larger full score weighs no more than another;
- **偏科** is ``rules.subject_profile``: strengths = z minus the student's mean z, flagged when
  the best and worst subject lie ``rules.LOPSIDED_SPREAD`` apart, the weakest subject named;
- **subject-balanced comparison** ranks classes and schools by their *balanced index*, the mean
  over subjects of the group's mean z per subject, beside the raw mean 总分.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from yincai.analysis.exam import ReportScope
from yincai.analysis.joint_comparison import BalanceRow, balance_rows
from yincai.analysis.joint_scores import JointData, JointScores, joint_scores, tidy
from yincai.analysis.totals import (
    DistributionBand,
    Rates,
    TotalSummary,
    optional,
    rates,
    summarise,
)
from yincai.i18n import _
from yincai.rules import (
    CUTOFF_TOLERANCE,
    LOPSIDED_SPREAD,
    BoolArray,
    FloatArray,
    IntArray,
    Thresholds,
)

# The 总分 distribution's band width: the narrowest of these that needs at most MAX_BANDS bands
# (a 3-subject 360-point exam gets 20-point bands, a 5-subject 560-point one 50-point bands).
BAND_WIDTHS = (10.0, 20.0, 25.0, 50.0, 100.0)
MAX_BANDS = 20

__all__ = [
    "BalanceRow",
    "JointData",
    "JointReport",
    "JointScores",
    "StudentLine",
    "build_joint_report",
    "joint_scores",
    "total_bands",
]


@dataclass(frozen=True)
class SubjectColumn:
    code: str
    name: str
    full_score: float
    assessment_id: int


@dataclass(frozen=True)
class StudentLine:
    """One student of the scope: 总分 (None unless every subject was sat), ranks (None without a
    total, or when ranks are hidden), each subject's score, z and strength."""

    student_id: int
    student_number: str
    name: str
    school_name: str
    class_name: str
    total: float | None
    missing: list[str]  # names of the subjects not sat (缺考)
    class_rank: int | None
    school_rank: int | None
    district_rank: int | None
    scores: list[float | None]
    z: list[float | None]
    strengths: list[float | None]
    spread: float | None
    is_lopsided: bool
    weak_subject: str | None
    strong_subject: str | None


@dataclass(frozen=True)
class SubjectStats:
    """One subject within the scope: sitters, centre, 三率 and the scope's mean z."""

    code: str
    name: str
    full_score: float
    n_sat: int
    n_missing: int
    mean: float | None
    sd: float | None
    score_rate: float | None
    rates: Rates
    mean_z: float | None
    reference_mean_z: float | None  # of the context: the school (class scope) or the district


@dataclass(frozen=True)
class JointReport:
    """The joint-exam report of one scope (district, school or class)."""

    joint_exam_id: int
    code: str
    name: str
    held_on: date
    grade_level: int
    scope: ReportScope
    scope_title: str
    subjects: list[SubjectColumn]
    full_score: float
    thresholds: Thresholds
    summary: TotalSummary  # over complete sittings; n_absent = students missing a subject
    n_students: int
    distribution: list[DistributionBand]
    subject_stats: list[SubjectStats]
    students: list[StudentLine]  # by 总分, best first; incomplete sittings last
    lopsided: list[StudentLine]  # flagged 偏科, widest spread first
    scope_balance: list[float | None]  # the scope's mean z per subject
    context_balance: list[float | None]  # the context's (school, or district) mean z
    context_title: str
    schools: list[BalanceRow]  # district scope only
    classes: list[BalanceRow]  # of the district (district scope) or of the scope's school
    shows_ranks: bool
    lopsided_spread: float = LOPSIDED_SPREAD

    @property
    def n_complete(self) -> int:
        return self.summary.n_participants

    @property
    def n_incomplete(self) -> int:
        return self.summary.n_absent


def scope_mask(data: JointData, scope: ReportScope) -> BoolArray:
    """(n_students,) the students of the scope."""
    if scope.kind == "school":
        return np.asarray(data.school_of_student == scope.school_id, dtype=bool)
    if scope.kind == "class":
        return np.asarray(data.class_of_student == scope.school_class_id, dtype=bool)
    return np.ones(data.student_ids.size, dtype=bool)


def scope_title(data: JointData, scope: ReportScope) -> str:
    if scope.kind == "school" and scope.school_id is not None:
        return data.school_names.get(scope.school_id, "")
    if scope.kind == "class" and scope.school_class_id is not None:
        school = data.school_of_class.get(scope.school_class_id)
        school_name = data.school_names.get(school, "") if school is not None else ""
        return f"{school_name} {data.class_names.get(scope.school_class_id, '')}".strip()
    return _("全区")


def total_bands(totals: FloatArray, full_score: float) -> list[DistributionBand]:
    """Counts of the totals in equal bands of the narrowest ``BAND_WIDTHS`` width that needs
    at most ``MAX_BANDS`` bands; the last band ends at the full score and includes it."""
    if full_score <= 0:
        return []
    width = next(
        (w for w in BAND_WIDTHS if math.ceil(full_score / w) <= MAX_BANDS), BAND_WIDTHS[-1]
    )
    n_bands = math.ceil(full_score / width - CUTOFF_TOLERANCE)
    edges = np.minimum(np.arange(n_bands + 1) * width, full_score)
    band = np.searchsorted(edges, totals + CUTOFF_TOLERANCE * full_score, side="right") - 1
    counts = np.bincount(np.clip(band, 0, n_bands - 1), minlength=n_bands)
    return [
        DistributionBand(
            lower=float(edges[k]),
            upper=float(edges[k + 1]),
            count=int(counts[k]),
            share=counts[k] / totals.size if totals.size else None,
        )
        for k in range(n_bands)
    ]


def build_joint_report(
    data: JointData,
    computed: JointScores,
    scope: ReportScope,
    *,
    thresholds: Thresholds,
    show_ranks: bool = True,
) -> JointReport:
    """The report of ``scope`` from the district-wide ``computed`` scores."""
    in_scope = scope_mask(data, scope)
    complete = in_scope & computed.is_complete
    full = float(data.full_scores.sum())
    context, context_title = _context(data, scope)
    class_ids = sorted({int(c) for c in data.class_of_student[_class_context(data, scope)]})
    school_ids = sorted(data.school_names) if scope.kind == "district" else []
    students = _student_lines(data, computed, in_scope, show_ranks)
    lopsided = sorted(
        (line for line in students if line.is_lopsided),
        key=lambda line: (-(line.spread or 0.0), line.student_number),
    )
    current_class = scope.school_class_id if scope.kind == "class" else None
    return JointReport(
        joint_exam_id=data.joint_exam_id,
        code=data.code,
        name=data.name,
        held_on=data.held_on,
        grade_level=data.grade_level,
        scope=scope,
        scope_title=scope_title(data, scope),
        subjects=[
            SubjectColumn(code, name, float(full_score), assessment_id)
            for code, name, full_score, assessment_id in zip(
                data.subject_codes,
                data.subject_names,
                data.full_scores,
                data.assessment_ids,
                strict=True,
            )
        ],
        full_score=full,
        thresholds=thresholds,
        summary=summarise(
            computed.totals[complete],
            full_score=full,
            n_absent=int((in_scope & ~computed.is_complete).sum()),
            thresholds=thresholds,
        ),
        n_students=int(in_scope.sum()),
        distribution=total_bands(computed.totals[complete], full),
        subject_stats=_subject_stats(data, computed, in_scope, context, thresholds),
        students=students,
        lopsided=lopsided,
        scope_balance=_mean_z(computed.z, in_scope),
        context_balance=_mean_z(computed.z, context),
        context_title=context_title,
        schools=balance_rows(
            data, computed, data.school_of_student, school_ids, None, by_school=True
        ),
        classes=balance_rows(data, computed, data.class_of_student, class_ids, current_class),
        shows_ranks=show_ranks,
    )


def _own_school(data: JointData, scope: ReportScope) -> int | None:
    if scope.school_id is not None:
        return scope.school_id
    if scope.school_class_id is not None:
        return data.school_of_class.get(scope.school_class_id)
    return None


def _context(data: JointData, scope: ReportScope) -> tuple[BoolArray, str]:
    """Whom the scope's subject balance is set beside: a class's school, else the district."""
    if scope.kind != "class":
        return np.ones(data.student_ids.size, dtype=bool), _("全区")
    school = _own_school(data, scope)
    mask = np.asarray(data.school_of_student == school, dtype=bool)
    return mask, data.school_names.get(school, "") if school is not None else ""


def _class_context(data: JointData, scope: ReportScope) -> BoolArray:
    """Whose classes the comparison lists: the district's, or the scope's school's."""
    if scope.kind == "district":
        return np.ones(data.student_ids.size, dtype=bool)
    return np.asarray(data.school_of_student == _own_school(data, scope), dtype=bool)


def _mean_z(z: FloatArray, rows: BoolArray) -> list[float | None]:
    chosen = z[rows]
    out: list[float | None] = []
    for k in range(z.shape[1]):
        column = chosen[:, k]
        column = column[np.isfinite(column)]
        out.append(tidy(float(column.mean())) if column.size else None)
    return out


def _subject_stats(
    data: JointData,
    computed: JointScores,
    in_scope: BoolArray,
    context: BoolArray,
    thresholds: Thresholds,
) -> list[SubjectStats]:
    stats = []
    reference = _mean_z(computed.z, context)
    own = _mean_z(computed.z, in_scope)
    for k in range(data.n_subjects):
        column = data.scores[in_scope, k]
        sat = column[np.isfinite(column)]
        full = float(data.full_scores[k])
        mean = float(sat.mean()) if sat.size else float("nan")
        stats.append(
            SubjectStats(
                code=data.subject_codes[k],
                name=data.subject_names[k],
                full_score=full,
                n_sat=int(sat.size),
                n_missing=int(column.size - sat.size),
                mean=optional(mean),
                sd=float(sat.std(ddof=1)) if sat.size > 1 else None,
                score_rate=mean / full if sat.size and full > 0 else None,
                rates=rates(sat, full, thresholds),
                mean_z=own[k],
                reference_mean_z=reference[k],
            )
        )
    return stats


def _student_lines(
    data: JointData, computed: JointScores, in_scope: BoolArray, show_ranks: bool
) -> list[StudentLine]:
    rows = np.flatnonzero(in_scope)
    order = sorted(
        rows.tolist(),
        key=lambda r: (
            not computed.is_complete[r],
            -computed.totals[r] if computed.is_complete[r] else 0.0,
            data.student_numbers[r],
        ),
    )
    names = data.subject_names

    def value(x: float) -> float | None:
        return None if not math.isfinite(x) else float(x)

    def rank(ranks: IntArray, r: int) -> int | None:
        return int(ranks[r]) if show_ranks and ranks[r] > 0 else None

    lines = []
    for r in order:
        school = int(data.school_of_student[r])
        school_class = int(data.class_of_student[r])
        weak, strong = int(computed.weakest[r]), int(computed.strongest[r])
        lines.append(
            StudentLine(
                student_id=int(data.student_ids[r]),
                student_number=data.student_numbers[r],
                name=data.student_names[r],
                school_name=data.school_names.get(school, ""),
                class_name=data.class_names.get(school_class, ""),
                total=value(float(computed.totals[r])),
                missing=[
                    names[k] for k in range(data.n_subjects) if not np.isfinite(data.scores[r, k])
                ],
                class_rank=rank(computed.class_rank, r),
                school_rank=rank(computed.school_rank, r),
                district_rank=rank(computed.district_rank, r),
                scores=[value(x) for x in data.scores[r].tolist()],
                z=[value(x) for x in computed.z[r].tolist()],
                strengths=[value(x) for x in computed.strengths[r].tolist()],
                spread=value(float(computed.spread[r])),
                is_lopsided=bool(computed.is_lopsided[r]),
                weak_subject=names[weak] if weak >= 0 and computed.is_lopsided[r] else None,
                strong_subject=names[strong] if strong >= 0 and computed.is_lopsided[r] else None,
            )
        )
    return lines
