"""Growth across exams: each paper's standard score (T = 50 + 10 z, ``rules.t_score``, z within
the paper over all its participants) followed over the semester, for a student beside their
class's mean, and for a class per subject.

The words students and families read (进步 / 稳定 / 退步) come from one rule, :func:`growth_word`:
a move of at least half a paper SD (``GROWTH_STEP_T`` T points) between two exams is progress or
decline, anything smaller is steady. Teachers may also read the T-scores.

Pure: numpy only; ``analysis.learner`` loads the papers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from yincai.analysis.totals import optional
from yincai.i18n import _
from yincai.rules import t_score
from yincai.science.base import FloatArray, IntArray

GROWTH_STEP_T = 5.0  # half a paper SD: a smaller move is within what one paper tells apart


class Growth(StrEnum):
    """How a standard score moved between two exams."""

    UP = "up"
    STEADY = "steady"
    DOWN = "down"


GROWTH_WORDS = {Growth.UP: _("进步"), Growth.STEADY: _("稳定"), Growth.DOWN: _("退步")}


def growth_word(before: float | None, after: float | None) -> Growth | None:
    """进步 when the T-score rose by ``GROWTH_STEP_T`` or more, 退步 when it fell as much, else
    稳定; None when either is missing."""
    if before is None or after is None or not np.isfinite(before) or not np.isfinite(after):
        return None
    change = after - before
    if change >= GROWTH_STEP_T:
        return Growth.UP
    if change <= -GROWTH_STEP_T:
        return Growth.DOWN
    return Growth.STEADY


@dataclass(frozen=True)
class Paper:
    """One exam paper's totals over all its participants (NaN: absent or nothing recorded)."""

    assessment_id: int
    code: str
    name: str
    held_on: date
    subject_code: str
    subject_name: str
    student_ids: IntArray
    class_ids: IntArray  # each participant's class
    totals: FloatArray

    def t_scores(self) -> FloatArray:
        """Every participant's T-score on this paper."""
        return t_score(self.totals)


@dataclass(frozen=True)
class GrowthPoint:
    """One exam of a student's curve: their T-score (None if absent) and their class's mean."""

    assessment_id: int
    code: str
    name: str
    held_on: date
    t_score: float | None
    class_mean_t: float | None
    change: Growth | None  # since the student's previous exam of the subject


@dataclass(frozen=True)
class SubjectGrowth:
    """A student's standard scores in one subject across the semester."""

    subject_code: str
    subject_name: str
    points: list[GrowthPoint]
    overall: Growth | None  # first exam sat → last exam sat
    latest: Growth | None  # the last change


@dataclass(frozen=True)
class ClassPoint:
    """A class's mean T-score on one exam, over its students who sat it."""

    assessment_id: int
    code: str
    name: str
    held_on: date
    mean_t: float | None
    n_students: int


@dataclass(frozen=True)
class ClassSubjectGrowth:
    """A class's mean standard score in one subject across the semester."""

    subject_code: str
    subject_name: str
    points: list[ClassPoint]
    overall: Growth | None


def _class_mean(t: FloatArray, members: np.ndarray) -> tuple[float | None, int]:
    values = t[members & np.isfinite(t)]
    return (float(values.mean()) if values.size else None), int(values.size)


def student_growth(papers: list[Paper], student_id: int, class_id: int) -> list[SubjectGrowth]:
    """The student's curve in each subject (papers in date order), with their class's mean;
    a paper the student was not in is left out, one they missed is a gap."""
    by_subject: dict[str, list[Paper]] = {}
    for paper in sorted(papers, key=lambda p: (p.held_on, p.assessment_id)):
        by_subject.setdefault(paper.subject_code, []).append(paper)
    curves: list[SubjectGrowth] = []
    for code, group in by_subject.items():
        points: list[GrowthPoint] = []
        previous: float | None = None
        for paper in group:
            rows = np.flatnonzero(paper.student_ids == student_id)
            if rows.size == 0:
                continue
            t = paper.t_scores()
            own = optional(t[rows[0]])
            mean, _n = _class_mean(t, paper.class_ids == class_id)
            points.append(
                GrowthPoint(
                    paper.assessment_id,
                    paper.code,
                    paper.name,
                    paper.held_on,
                    own,
                    mean,
                    growth_word(previous, own),
                )
            )
            if own is not None:
                previous = own
        if not points:
            continue
        sat = [p.t_score for p in points if p.t_score is not None]
        changes = [p.change for p in points if p.change is not None]
        curves.append(
            SubjectGrowth(
                code,
                group[0].subject_name,
                points,
                overall=growth_word(sat[0], sat[-1]) if len(sat) >= 2 else None,
                latest=changes[-1] if changes else None,
            )
        )
    return curves


def class_growth(papers: list[Paper], class_id: int) -> list[ClassSubjectGrowth]:
    """The class's mean T-score in each subject across the papers its students sat."""
    by_subject: dict[str, list[Paper]] = {}
    for paper in sorted(papers, key=lambda p: (p.held_on, p.assessment_id)):
        by_subject.setdefault(paper.subject_code, []).append(paper)
    curves: list[ClassSubjectGrowth] = []
    for code, group in by_subject.items():
        points = []
        for paper in group:
            members = paper.class_ids == class_id
            if not members.any():
                continue
            mean, n = _class_mean(paper.t_scores(), members)
            points.append(
                ClassPoint(paper.assessment_id, paper.code, paper.name, paper.held_on, mean, n)
            )
        means = [p.mean_t for p in points if p.mean_t is not None]
        if points:
            curves.append(
                ClassSubjectGrowth(
                    code,
                    group[0].subject_name,
                    points,
                    overall=growth_word(means[0], means[-1]) if len(means) >= 2 else None,
                )
            )
    return curves
