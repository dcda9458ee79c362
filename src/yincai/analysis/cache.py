"""Exams read once and kept between requests, until the next import changes the data.

A class report costs one read of every score of its exam (~50,000 rows in the demo district,
~200 ms) and then ~2 ms of arithmetic. The web platform keeps the arrays of recently viewed exams
here; an entry is keyed by the hub's data version, which every import moves on, so a new score
sheet (imported by the web page or by the CLI in another process) is seen on the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from yincai.analysis.data import ExamData
from yincai.analysis.growth import Paper
from yincai.analysis.joint import JointReport
from yincai.analysis.mastery_map import MasteryMap
from yincai.analysis.progress import PreviousExam
from yincai.domain.models import Assessment
from yincai.hub import service as hub_service
from yincai.lru import Lru
from yincai.science.base import FloatArray

DEFAULT_CAPACITY = 32  # exams; a district's term holds a few dozen


@dataclass(frozen=True)
class PreparedExam:
    """What every report of one exam starts from: its scores, the cohort's previous exam, and
    the district's item and knowledge-point score rates (the reference of every scope)."""

    data: ExamData
    previous: PreviousExam | None
    item_rates: FloatArray
    kp_rates: FloatArray
    reports: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """Reports built from it, by (scope, thresholds, show_ranks): they never change either."""


class ExamCache:
    """Prepared exams of recently viewed assessments, keyed by (assessment id, data version)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: Lru[tuple[int, int], PreparedExam] = Lru(capacity)
        self.hits = 0
        self.misses = 0

    def get(
        self,
        session: Session,
        assessment: Assessment,
        prepare: Callable[[Session, Assessment], PreparedExam],
    ) -> PreparedExam:
        key = (assessment.id, hub_service.data_version(session))
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        prepared = prepare(session, assessment)  # unlocked: other exams stay served meanwhile
        self._entries.put(key, prepared, replaces=lambda k: k[0] == assessment.id)
        return prepared

    def __len__(self) -> int:
        return len(self._entries)


PAPER_CAPACITY = 128  # exams' totals (~60 kB each on the demo): a district's school year
MAP_CAPACITY = 64  # class mastery maps (a few hundred kB each)
JOINT_CAPACITY = 32  # joint-exam reports of one scope


@dataclass
class KeptViews:
    """Other views kept between requests, each keyed by what it was built from (the hub's data
    version, the estimates' version), so a stale one is never served. One per web platform,
    i.e. per database: the keys name rows of that database."""

    papers: Lru[tuple[int, int], Paper] = field(default_factory=lambda: Lru(PAPER_CAPACITY))
    """An exam's totals by (assessment id, data version): a growth curve reads every exam of
    its subjects (~0.4 s on the demo district, ~1 ms once kept)."""
    mastery_maps: Lru[tuple[object, ...], tuple[MasteryMap, list[int]]] = field(
        default_factory=lambda: Lru(MAP_CAPACITY)
    )
    """A class's mastery map and the students it names, by (class, subject, untaught shown,
    estimates' version): ~0.2 s to build on the demo district."""
    joint_reports: Lru[tuple[object, ...], JointReport] = field(
        default_factory=lambda: Lru(JOINT_CAPACITY)
    )
    """A joint-exam report by (joint exam, scope, thresholds, ranks, data version): ~0.3 s."""
