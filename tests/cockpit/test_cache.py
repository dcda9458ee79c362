"""The cockpit's cache: the same numbers as a fresh computation, one read per data version, and a
new read once an import moves the version on."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cockpit import service
from yincai.cockpit.cache import AnalysedDistrict, CockpitCache
from yincai.domain.models import ImportBatch


def test_cached_cockpit_and_warnings_equal_a_fresh_computation(demo_session: Session) -> None:
    cache = CockpitCache()
    fresh = service.cockpit(demo_session, actor=CLI)
    first = service.cockpit(demo_session, actor=CLI, cache=cache)
    second = service.cockpit(demo_session, actor=CLI, cache=cache)
    assert first == fresh
    assert second == fresh
    assert (cache.misses, cache.hits) == (1, 1)
    warnings = service.early_warnings(demo_session, actor=CLI, cache=cache)
    assert warnings == service.early_warnings(demo_session, actor=CLI)
    assert cache.misses == 1  # the warnings page reuses the district the cockpit read


def test_an_import_moves_the_version_on_and_the_district_is_read_again(
    demo_session: Session,
) -> None:
    cache = CockpitCache()
    service.cockpit(demo_session, actor=CLI, cache=cache)
    demo_session.add(
        ImportBatch(
            kind="scores",
            file_name="later.xlsx",
            sha256="0" * 64,
            n_rows=0,
            summary={},
            imported_at=datetime.now(UTC),
        )
    )
    demo_session.flush()
    service.cockpit(demo_session, actor=CLI, cache=cache)
    assert cache.misses == 2
    assert len(cache) == 1  # the stale version is dropped, not kept beside


def test_concurrent_first_requests_read_the_district_once(
    demo_session: Session, demo_engine: Engine
) -> None:
    cache = CockpitCache()
    district_id = service._scope(demo_session, actor=CLI)[0]
    results: list[AnalysedDistrict] = []
    lock = threading.Lock()

    def request() -> None:
        with Session(bind=demo_engine) as session:
            found = cache.get(session, district_id)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.misses == 1
    assert all(found is results[0] for found in results)
