"""A district read and analysed once and kept between requests, until an import changes the data.

Reading a district (every sitting's total, homework counts, knowledge-point sums) takes seconds on
the demo district; the cockpit and the warnings page then need only milliseconds of arithmetic on
it. The web platform keeps the analysed district here, keyed by the hub's data version, which every
import moves on. One request computes an entry; concurrent requests for the same entry wait for it
instead of repeating the work. The CLI and the benchmarks pass no cache and compute afresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yincai.cockpit import indicators
from yincai.cockpit.data import DistrictData, KpScores, load_district, load_kp_scores
from yincai.cockpit.detection import EarlyWarning, detect_all
from yincai.cockpit.warnings import Limits
from yincai.domain.models import District
from yincai.hub import service as hub_service
from yincai.lru import Lru

DEFAULT_CAPACITY = 4  # districts; a deployment serves one or a few

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysedDistrict:
    """A district's arrays and standing; the rest is derived on first use and kept."""

    data: DistrictData
    view: indicators.Standing
    _derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per key (e.g. the warnings under one set of limits); re-entrant, as
        one derived value may need another."""
        with self._lock:
            if key not in self._derived:
                self._derived[key] = compute()
            return self._derived[key]

    def warnings(self, limits: Limits) -> list[EarlyWarning]:
        found: list[EarlyWarning] = self.derived(
            ("warnings", limits), lambda: detect_all(self.data, self.view, limits)
        )
        return found

    def kp_scores(self, session: Session) -> KpScores:
        scores: KpScores = self.derived(
            "kp_scores",
            lambda: load_kp_scores(session, self.data, [exam.id for exam in self.data.exams]),
        )
        return scores


def analyse(session: Session, district_id: int) -> AnalysedDistrict:
    data = load_district(session, district_id)
    return AnalysedDistrict(data=data, view=indicators.standing(data))


class CockpitCache:
    """Analysed districts keyed by (district id, data version)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: Lru[tuple[int, int], AnalysedDistrict] = Lru(capacity)
        self._building: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, session: Session, district_id: int) -> AnalysedDistrict:
        key = (district_id, hub_service.data_version(session))
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        with self._guard:
            lock = self._building.setdefault(district_id, threading.Lock())
        with lock:  # one request reads the district, the others wait for its result
            found = self._entries.get(key)
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
            analysed = analyse(session, district_id)
            self._entries.put(key, analysed, replaces=lambda k: k[0] == district_id)
            return analysed

    def __len__(self) -> int:
        return len(self._entries)


def analysed(session: Session, district_id: int, cache: CockpitCache | None) -> AnalysedDistrict:
    """The district from ``cache`` when given, else read afresh."""
    return analyse(session, district_id) if cache is None else cache.get(session, district_id)


def warm_in_background(engine: Engine, cache: CockpitCache) -> threading.Thread:
    """Read every district into ``cache`` on a daemon thread, so that a server's first cockpit
    page does not wait seconds for it (a page that comes meanwhile waits for this read)."""

    def warm() -> None:
        try:
            with Session(engine) as session:
                for district_id in session.scalars(select(District.id)).all():
                    cache.get(session, district_id)
        except Exception:  # a cold cache is only slower: the page reads the district itself
            log.exception("warming the cockpit cache failed")

    thread = threading.Thread(target=warm, name="cockpit-warm-up", daemon=True)
    thread.start()
    return thread
