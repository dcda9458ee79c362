"""The exam report (考试分析报告) of one scope — district, school or class — built from arrays.

The scope's own figures sit beside the whole exam's (the reference); classes and schools are
compared with their context: in a district report every school and every class against the
district, in a school or class report the school's classes against the school.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

import numpy as np

from yincai.analysis.comparison import compare_groups
from yincai.analysis.data import ExamData
from yincai.analysis.items import ItemTable, analyse_items
from yincai.analysis.knowledge import KpTable, kp_score_rates, kp_table
from yincai.analysis.progress import PreviousExam, ProgressReport, build_progress
from yincai.analysis.totals import (
    DistributionBand,
    ScoreBandRow,
    TotalSummary,
    distribution,
    optional,
    score_band_table,
    summarise,
)
from yincai.i18n import _
from yincai.rules import Thresholds, at_or_above
from yincai.science.base import BoolArray, FloatArray, IntArray

ScopeKind = Literal["district", "school", "class"]


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a report shows: the whole district, one school, or one class."""

    kind: ScopeKind = "district"
    school_id: int | None = None
    school_class_id: int | None = None


@dataclass(frozen=True)
class Absentee:
    student_number: str
    name: str
    school_name: str
    class_name: str


@dataclass(frozen=True)
class GroupRow:
    """A class or school beside its context: totals, 三率, and how it differs from the rest."""

    name: str
    school_name: str
    n_participants: int
    n_absent: int
    mean: float | None
    sd: float | None
    max: float | None
    min: float | None
    excellent_rate: float | None
    good_rate: float | None
    pass_rate: float | None
    mean_difference: float | None
    cohens_d: float | None
    hedges_g: float | None
    p_value: float | None
    is_significant: bool
    low_rate: float | None = None


@dataclass(frozen=True)
class ExamReport:
    """Everything a teacher or leader reads about one exam in one scope, ready to render."""

    code: str
    name: str
    subject: str
    held_on: date
    grade_level: int
    n_items: int
    full_score: float
    scope: ReportScope
    scope_title: str
    thresholds: Thresholds
    summary: TotalSummary
    reference: TotalSummary
    absentees: list[Absentee]
    score_bands: list[ScoreBandRow]
    distribution: list[DistributionBand]
    items: ItemTable
    knowledge: KpTable
    schools: list[GroupRow]
    classes: list[GroupRow]
    progress: ProgressReport | None
    shows_ranks: bool = field(default=True)


def scope_mask(data: ExamData, scope: ReportScope) -> BoolArray:
    """(n_students,) the students of the scope."""
    if scope.kind == "school":
        return np.asarray(data.school_of_student == scope.school_id, dtype=bool)
    if scope.kind == "class":
        return np.asarray(data.class_of_student == scope.school_class_id, dtype=bool)
    return np.ones(data.student_ids.size, dtype=bool)


def scope_title(data: ExamData, scope: ReportScope) -> str:
    if scope.kind == "school" and scope.school_id is not None:
        return data.school_names.get(scope.school_id, "")
    if scope.kind == "class" and scope.school_class_id is not None:
        school = data.school_of_class.get(scope.school_class_id)
        school_name = data.school_names.get(school, "") if school is not None else ""
        return f"{school_name} {data.class_names.get(scope.school_class_id, '')}".strip()
    return _("全区")


def build_exam_report(
    data: ExamData,
    scope: ReportScope,
    *,
    thresholds: Thresholds,
    show_ranks: bool = True,
    previous: PreviousExam | None = None,
    reference_item_rates: FloatArray | None = None,
    reference_kp_rates: FloatArray | None = None,
) -> ExamReport:
    """The report of ``scope``; pass the whole exam's item and knowledge-point rates when
    building many scopes of one exam, so they are computed once."""
    present = ~data.is_absent
    in_scope = scope_mask(data, scope)
    chosen = in_scope & present
    totals = data.totals[chosen]
    full = data.full_score
    if reference_item_rates is None or reference_kp_rates is None:
        reference_item_rates, reference_kp_rates = reference_rates(data)
    context = _context_mask(data, scope)
    class_ids = sorted({int(c) for c in data.class_of_student[context]})
    school_ids = sorted(data.school_names) if scope.kind == "district" else _own_school(data, scope)
    knowledge = _knowledge(
        data,
        scope,
        context & present if scope.kind == "class" else chosen,
        class_ids,
        school_ids,
        reference_kp_rates,
    )
    return ExamReport(
        code=data.code,
        name=data.name,
        subject=data.subject_name,
        held_on=data.held_on,
        grade_level=data.grade_level,
        n_items=data.n_items,
        full_score=full,
        scope=scope,
        scope_title=scope_title(data, scope),
        thresholds=thresholds,
        summary=summarise(
            totals,
            full_score=full,
            n_absent=int((in_scope & ~present).sum()),
            thresholds=thresholds,
        ),
        reference=summarise(
            data.totals[present],
            full_score=full,
            n_absent=int(data.is_absent.sum()),
            thresholds=thresholds,
        ),
        absentees=_absentees(data, in_scope & ~present),
        score_bands=score_band_table(totals) if show_ranks else [],
        distribution=distribution(totals, full_score=full) if full > 0 else [],
        items=_items(data, chosen, reference_item_rates),
        knowledge=knowledge,
        schools=_group_rows(
            data, present, data.school_of_student, school_ids, thresholds, by_school=True
        ),
        classes=_group_rows(data, context & present, data.class_of_student, class_ids, thresholds),
        progress=None
        if previous is None
        else build_progress(
            data, previous, in_scope=in_scope, class_ids=class_ids, school_ids=school_ids
        ),
        shows_ranks=show_ranks,
    )


def reference_rates(data: ExamData) -> tuple[FloatArray, FloatArray]:
    """The whole exam's item score rates (n_items,) and knowledge-point rates (n_kps,)."""
    present = ~data.is_absent
    scores = data.scores[present]
    answered = (~np.isnan(scores)).sum(axis=0)
    sums = np.nansum(scores, axis=0) if scores.size else np.zeros(data.n_items)
    item_rates = np.full(data.n_items, np.nan)
    np.divide(sums, answered * data.full_scores, out=item_rates, where=answered > 0)
    kp_rates = kp_score_rates(
        scores, data.full_scores, data.kp_weights, np.zeros(scores.shape[0], dtype=np.int64), 1
    )[0]
    return item_rates, kp_rates


def _own_school(data: ExamData, scope: ReportScope) -> list[int]:
    if scope.school_id is not None:
        return [scope.school_id]
    if scope.school_class_id is not None and scope.school_class_id in data.school_of_class:
        return [data.school_of_class[scope.school_class_id]]
    return []


def _knowledge(
    data: ExamData,
    scope: ReportScope,
    rows: BoolArray,
    class_ids: list[int],
    school_ids: list[int],
    reference: FloatArray,
) -> KpTable:
    """Rates of the scope with a column per school (district) or per class of the school; in a
    class report the rows cover the school's classes and the scope rate is the class's own."""
    if scope.kind == "district":
        group_ids, group_of, names = school_ids, data.school_of_student, data.school_names
    else:
        group_ids, group_of, names = class_ids, data.class_of_student, data.class_names
    table = kp_table(
        data.scores[rows],
        data.full_scores,
        data.kp_weights,
        codes=data.kp_codes,
        names=data.kp_names,
        groups=np.searchsorted(np.array(group_ids, dtype=np.int64), group_of[rows]),
        group_names=[names[group] for group in group_ids],
        reference=reference,
    )
    if scope.kind != "class" or scope.school_class_id not in group_ids:
        return table
    own = group_ids.index(scope.school_class_id)
    return KpTable(
        groups=table.groups,
        rows=[replace(row, score_rate=row.group_rates[own]) for row in table.rows],
    )


def _context_mask(data: ExamData, scope: ReportScope) -> BoolArray:
    """Who the scope's classes are compared within: the district, or the scope's school."""
    if scope.kind == "district":
        return np.ones(data.student_ids.size, dtype=bool)
    school = scope.school_id
    if school is None and scope.school_class_id is not None:
        school = data.school_of_class.get(scope.school_class_id)
    return np.asarray(data.school_of_student == school, dtype=bool)


def _items(data: ExamData, rows: BoolArray, reference: FloatArray) -> ItemTable:
    return analyse_items(
        data.scores[rows],
        data.full_scores,
        labels=data.item_labels,
        item_codes=data.item_codes,
        item_types=[None if kind is None else kind.value for kind in data.item_types],
        choices=data.choices[rows],
        keys=[
            answer if is_choice else None
            for answer, is_choice in zip(data.item_answers, data.is_choice, strict=True)
        ],
        reference_score_rate=reference,
    )


def _absentees(data: ExamData, rows: BoolArray) -> list[Absentee]:
    return [
        Absentee(
            student_number=data.student_numbers[row],
            name=data.student_names[row],
            school_name=data.school_names[int(data.school_of_student[row])],
            class_name=data.class_names[int(data.class_of_student[row])],
        )
        for row in np.flatnonzero(rows).tolist()
    ]


def _group_rows(
    data: ExamData,
    present: BoolArray,
    group_of_student: IntArray,
    group_ids: list[int],
    thresholds: Thresholds,
    *,
    by_school: bool = False,
) -> list[GroupRow]:
    """Each group's totals and its comparison with the rest of ``present``."""
    if not group_ids:
        return []
    ids = np.array(group_ids)
    members = present & np.isin(group_of_student, ids)
    totals = data.totals[members]
    codes = np.searchsorted(ids, group_of_student[members])
    n_groups = ids.size
    compared = compare_groups(totals, codes, n_groups)
    full = data.full_score
    counts = {
        name: np.bincount(codes, weights=at_or_above(totals, full * share), minlength=n_groups)
        for name, share in (
            ("excellent", thresholds.excellent),
            ("good", thresholds.good),
            ("pass", thresholds.passing),
            ("not_low", thresholds.low),
        )
    }
    high = np.full(n_groups, -np.inf)
    low = np.full(n_groups, np.inf)
    np.maximum.at(high, codes, totals)
    np.minimum.at(low, codes, totals)
    absent = data.is_absent & np.isin(group_of_student, ids)
    n_absent = np.bincount(np.searchsorted(ids, group_of_student[absent]), minlength=n_groups)
    rows = []
    for k, group in enumerate(group_ids):
        n = int(compared.n[k])
        school = group if by_school else data.school_of_class[group]

        def share(name: str, k: int = k, n: int = n) -> float | None:
            return float(counts[name][k] / n) if n else None

        rows.append(
            GroupRow(
                name=data.school_names[group] if by_school else data.class_names[group],
                school_name=data.school_names[school],
                n_participants=n,
                n_absent=int(n_absent[k]),
                mean=optional(compared.mean[k]),
                sd=optional(compared.sd[k]),
                max=float(high[k]) if n else None,
                min=float(low[k]) if n else None,
                excellent_rate=share("excellent"),
                good_rate=share("good"),
                pass_rate=share("pass"),
                mean_difference=optional(compared.mean_difference[k]),
                cohens_d=optional(compared.cohens_d[k]),
                hedges_g=optional(compared.hedges_g[k]),
                p_value=optional(compared.p_value[k]),
                is_significant=bool(compared.is_significant[k]),
                low_rate=None if n == 0 else float(1 - counts["not_low"][k] / n),
            )
        )
    return rows
