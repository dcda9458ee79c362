"""Score lines of one scope: custom lines (特控线、本科线 …) with the count and share at or above
each, 临界生 near the 及格 and 优秀 lines, and the 10-point 分数段统计表 — per class.

Pure functions on ``ExamData``; a total meets a line when it is at or above it
(``yincai.rules.at_or_above``); the 及格 and 优秀 lines are ``yincai.rules.Thresholds``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yincai.analysis.data import ExamData
from yincai.errors import Invalid
from yincai.i18n import _
from yincai.rules import CUTOFF_TOLERANCE, DISTRIBUTION_STEP, Thresholds, at_or_above
from yincai.science.base import BoolArray

MAX_LINES = 8
MAX_FIELDS = 50  # blank rows of a form are skipped, but a query is not read without end
MAX_LINE_NAME = 20  # characters


@dataclass(frozen=True)
class ScoreLine:
    name: str
    cutoff: float


@dataclass(frozen=True)
class LineCounts:
    """One group (the scope, a school or a class): participants and, per line, how many and
    which share are at or above it."""

    name: str
    n_participants: int
    counts: list[int]
    shares: list[float | None]


@dataclass(frozen=True)
class LineTable:
    lines: list[ScoreLine]
    rows: list[LineCounts]  # the scope first, then its schools or classes


@dataclass(frozen=True)
class BorderlineStudent:
    student_id: int
    student_number: str
    name: str
    total: float
    gap: float  # total minus the line: negative below it


@dataclass(frozen=True)
class BorderlineGroup:
    """The 临界生 of one class near one line: below (line − margin ≤ total < line) and above
    (line ≤ total < line + margin)."""

    class_name: str
    line: str
    cutoff: float
    below: list[BorderlineStudent]
    above: list[BorderlineStudent]


@dataclass(frozen=True)
class Borderline:
    margin: float
    lines: list[ScoreLine]
    groups: list[BorderlineGroup]  # class by class, each line in turn


@dataclass(frozen=True)
class BandTable:
    """The 分数段统计表: bands highest first (the top band includes the full score), a column
    per group (the scope first) with the count and the count at or above the band's floor."""

    labels: list[str]
    lowers: list[float]
    groups: list[str]
    counts: list[list[int]]  # [band][group]
    cumulative: list[list[int]]  # [band][group]
    totals: list[int]  # participants per group


def default_lines(full_score: float, thresholds: Thresholds) -> list[ScoreLine]:
    return [
        ScoreLine(str(_("优秀线")), full_score * thresholds.excellent),
        ScoreLine(str(_("良好线")), full_score * thresholds.good),
        ScoreLine(str(_("及格线")), full_score * thresholds.passing),
    ]


def parse_lines(
    names: Sequence[str], cutoffs: Sequence[str], *, full_score: float
) -> list[ScoreLine]:
    """Lines from a form's name and score fields (blank rows skipped), highest first; Invalid
    (422) names the first bad field."""
    if len(cutoffs) > MAX_FIELDS or len(names) > MAX_FIELDS:
        raise Invalid(_("最多设置 {n} 条分数线").format(n=MAX_LINES), code="report.too_many_lines")
    lines = []
    for index, raw in enumerate(cutoffs):
        name = (names[index] if index < len(names) else "").strip()
        text = raw.strip()
        if not text and not name:
            continue
        label = name or _("分数线 {n}").format(n=index + 1)
        if len(label) > MAX_LINE_NAME:
            raise Invalid(
                _("分数线名称不能超过 {n} 个字").format(n=MAX_LINE_NAME),
                code="report.line_name_too_long",
            )
        try:
            cutoff = float(text)
        except ValueError:
            cutoff = math.nan
        if not math.isfinite(cutoff) or not 0 <= cutoff <= full_score:
            raise Invalid(
                _("“{name}”的分数“{value}”无效：应为 0 到满分 {full} 之间的数").format(
                    name=label, value=text[:20], full=f"{full_score:g}"
                ),
                code="report.invalid_line",
            )
        lines.append(ScoreLine(str(label), cutoff))
    if len(lines) > MAX_LINES:
        raise Invalid(_("最多设置 {n} 条分数线").format(n=MAX_LINES), code="report.too_many_lines")
    return sorted(lines, key=lambda line: -line.cutoff)


def form_rows(names: Sequence[str], cutoffs: Sequence[str]) -> list[tuple[str, str]]:
    """The line form's rows: the filled ones as asked, then blank ones (at least three rows,
    one blank to add a line, at most ``MAX_LINES``)."""
    pairs = [(names[k] if k < len(names) else "", cutoff) for k, cutoff in enumerate(cutoffs)]
    filled = [(n, c) for n, c in pairs if n.strip() or c.strip()][:MAX_LINES]
    n_rows = min(MAX_LINES, max(3, len(filled) + 1))
    return filled + [("", "")] * (n_rows - len(filled))


def parse_margin(text: str | None, *, full_score: float, default: float) -> float:
    """The 临界生 margin in points: a number above 0 and at most half the full score."""
    if text is None or not text.strip():
        return default
    try:
        margin = float(text)
    except ValueError:
        margin = math.nan
    if not math.isfinite(margin) or not 0 < margin <= full_score / 2:
        raise Invalid(
            _("临界分差“{value}”无效：应为大于 0、不超过 {most} 的数").format(
                value=text.strip()[:20], most=f"{full_score / 2:g}"
            ),
            code="report.invalid_margin",
        )
    return margin


def line_table(
    data: ExamData, chosen: BoolArray, groups: list[tuple[str, BoolArray]], lines: list[ScoreLine]
) -> LineTable:
    """Counts at or above each line of the participants ``chosen`` and of each group."""
    rows = []
    for name, members in [("", chosen), *groups]:
        totals = data.totals[members & ~data.is_absent]
        counts = [int(at_or_above(totals, line.cutoff).sum()) for line in lines]
        rows.append(
            LineCounts(
                name=name,
                n_participants=int(totals.size),
                counts=counts,
                shares=[count / totals.size if totals.size else None for count in counts],
            )
        )
    return LineTable(lines=lines, rows=rows)


def borderline(
    data: ExamData, chosen: BoolArray, thresholds: Thresholds, margin: float
) -> Borderline:
    """The 临界生 of the participants ``chosen``, class by class, near the 及格 and 优秀 lines."""
    full = data.full_score
    lines = [
        ScoreLine(str(_("及格线")), full * thresholds.passing),
        ScoreLine(str(_("优秀线")), full * thresholds.excellent),
    ]
    present = chosen & ~data.is_absent
    # Class names repeat from school to school: across schools a class is named with its school.
    many_schools = np.unique(data.school_of_student[present]).size > 1
    groups = []
    for class_id in sorted({int(c) for c in data.class_of_student[present]}):
        rows = np.flatnonzero(present & (data.class_of_student == class_id))
        class_name = data.class_names[class_id]
        if many_schools:
            class_name = f"{data.school_names[data.school_of_class[class_id]]} {class_name}"
        totals = data.totals[rows]
        for line in lines:
            meets = at_or_above(totals, line.cutoff)
            below = ~meets & at_or_above(totals, line.cutoff - margin)
            above = meets & ~at_or_above(totals, line.cutoff + margin)
            groups.append(
                BorderlineGroup(
                    class_name=class_name,
                    line=line.name,
                    cutoff=line.cutoff,
                    below=_students(data, rows[below], line.cutoff),
                    above=_students(data, rows[above], line.cutoff),
                )
            )
    return Borderline(margin=margin, lines=lines, groups=groups)


def _students(data: ExamData, rows: np.ndarray, cutoff: float) -> list[BorderlineStudent]:
    found = [
        BorderlineStudent(
            student_id=int(data.student_ids[row]),
            student_number=data.student_numbers[row],
            name=data.student_names[row],
            total=float(data.totals[row]),
            gap=float(data.totals[row]) - cutoff,
        )
        for row in rows.tolist()
    ]
    return sorted(found, key=lambda student: (-student.total, student.student_number))


def band_edges(full_score: float, step: float = DISTRIBUTION_STEP) -> list[float]:
    """Lower edges of the bands: 0, 10, 20 … below the full score."""
    n = max(1, math.ceil(full_score / step - CUTOFF_TOLERANCE))
    return [step * k for k in range(n)]


def band_table(
    data: ExamData,
    chosen: BoolArray,
    groups: list[tuple[str, BoolArray]],
    step: float = DISTRIBUTION_STEP,
) -> BandTable:
    """The 分数段统计表 of the scope and each group: 0–9, 10–19 … (the top band includes the
    full score)."""
    full = data.full_score
    lowers = band_edges(full, step)
    n = len(lowers)
    names, counts_by_group, totals = [], [], []
    for name, members in [(str(_("本范围")), chosen), *groups]:
        values = data.totals[members & ~data.is_absent]
        band = np.floor((values + CUTOFF_TOLERANCE * max(1.0, full)) / step).astype(np.int64)
        counts = np.bincount(np.clip(band, 0, n - 1), minlength=n)[::-1]
        names.append(name)
        counts_by_group.append(counts)
        totals.append(int(values.size))
    matrix = np.array(counts_by_group).T  # [band highest first][group]
    cumulative = np.cumsum(matrix, axis=0)
    labels = []
    for k, lower in enumerate(lowers[::-1]):
        upper = full if k == 0 else lower + step - 1
        labels.append(f"{lower:g}–{upper:g}")
    return BandTable(
        labels=labels,
        lowers=lowers[::-1],
        groups=names,
        counts=matrix.tolist(),
        cumulative=cumulative.tolist(),
        totals=totals,
    )
