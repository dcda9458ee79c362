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
