"""Background jobs: the work a person should not wait for (refreshing mastery estimates after an
import), queued with huey in a SQLite file in the data folder and run by ``yincai worker``, which
``yincai serve`` starts beside the web processes.

The queue file is the same for every process given the same data folder, whatever the main
database is (SQLite or PostgreSQL); a district running several web servers on different machines
would point them at one Redis queue instead (``huey.RedisHuey``), a one-line change here.
"""

from __future__ import annotations

import logging
from pathlib import Path

from huey import SqliteHuey
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine

QUEUE_FILE = "jobs.sqlite3"
log = logging.getLogger(__name__)


class Jobs:
    """The platform's queue and its tasks, for one data folder."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        self.queue = SqliteHuey(
            "yincai",
            filename=str(Path(settings.data_dir) / QUEUE_FILE),
            results=False,
        )
        self._requested: set[tuple[str, str]] = set()
        self._refresh = self.queue.task(name="refresh_mastery", retries=1, retry_delay=30)(
            self._refresh_mastery
        )

    def _refresh_mastery(self, subject_code: str) -> None:
        from yincai.diagnosis.refresh import refresh_mastery  # the worker's work, loaded there

        with self.queue.lock_task(f"refresh-mastery-{subject_code}"):
            engine = make_engine(self.settings)
            try:
                run_id = refresh_mastery(engine, subject_code=subject_code)
            finally:
                engine.dispose()
        log.info("mastery run %s of %s ready", run_id, subject_code)

    def request_mastery_refresh(self, subject_code: str, version: str) -> bool:
        """Queue a refresh of the subject's estimates, once per process and evidence version;
        whether it was queued now."""
        key = (subject_code, version)
        if key in self._requested:
            return False
        self._requested.add(key)
        self._refresh(subject_code)
        return True

    def after_import(self, session: Session) -> None:
        """Queue what an import makes stale: every subject's mastery estimates."""
        from yincai.diagnosis import service as diagnosis_service

        diagnosis_service.refresh_all_if_stale(
            session, request_refresh=self.request_mastery_refresh
        )

    def pending(self) -> int:
        """Jobs waiting in the queue."""
        return int(self.queue.pending_count())

    def run_worker(self) -> None:
        """Run queued jobs until interrupted (one at a time: a refresh uses the CPU fully)."""
        self.queue.create_consumer(workers=1, periodic=False, worker_type="thread").run()
