"""Background jobs: the work a person should not wait for (refreshing mastery estimates after an
import, building long PDFs and exports), queued with huey in a SQLite file in the data folder and
run by ``yincai worker``, which ``yincai serve`` starts beside the web processes.

The worker touches a heartbeat file in the data folder every few seconds, so a command can tell
whether anyone will run what it queues, and run the job itself when no one will.

The queue file is the same for every process given the same data folder, whatever the main
database is (SQLite or PostgreSQL); a district running several web servers on different machines
would point them at one Redis queue instead (``huey.RedisHuey``), a one-line change here.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from huey import SqliteHuey
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine

QUEUE_FILE = "jobs.sqlite3"
HEARTBEAT_FILE = "worker.heartbeat"
HEARTBEAT_S = 5.0
WORKER_GONE_S = 3 * HEARTBEAT_S  # no heartbeat for this long: no worker is running
POLL_MAX_DELAY_S = 1.0  # an idle worker looks for new jobs at least this often (huey: 10 s)
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
        self._build = self.queue.task(name="build_document", retries=0)(self._build_document)
        self._slips = self.queue.task(name="build_account_slips", retries=0)(
            self._build_account_slips
        )
        self._scans = self.queue.task(name="read_scans", retries=0)(self._read_scans)
        self._fairness = self.queue.task(name="fairness_report", retries=0)(self._fairness_report)
        self._oneroster = self.queue.task(name="oneroster_export", retries=0)(
            self._oneroster_export
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

    def _build_document(self, document_id: int) -> None:
        from yincai.documents.build import build_document

        engine = make_engine(self.settings)
        try:
            built = build_document(engine, document_id, error_log=self.settings.error_log_path)
        finally:
            engine.dispose()
        log.info("document %s %s", document_id, "built" if built else "was not queued")

    def _build_account_slips(self, slips_id: int) -> None:
        from yincai.governance.bulk_accounts import build_slips

        engine = make_engine(self.settings)
        try:
            built = build_slips(engine, slips_id, error_log=self.settings.error_log_path)
        finally:
            engine.dispose()
        log.info("account slips %s %s", slips_id, "built" if built else "were not queued")

    def _read_scans(self, batch_id: int) -> None:
        from yincai.marking.scans import read_batch

        engine = make_engine(self.settings)
        try:
            read = read_batch(
                engine,
                batch_id,
                data_dir=Path(self.settings.data_dir),
                error_log=self.settings.error_log_path,
            )
        finally:
            engine.dispose()
        log.info("scan batch %s %s", batch_id, "read" if read else "was not queued")

    def _fairness_report(self, report_id: int) -> None:
        from yincai.fairness.build import build_report

        engine = make_engine(self.settings)
        try:
            built = build_report(
                engine,
                report_id,
                min_group=self.settings.export_min_group,
                error_log=self.settings.error_log_path,
            )
        finally:
            engine.dispose()
        log.info("fairness report %s %s", report_id, "computed" if built else "was not queued")

    def _oneroster_export(self, export_id: int) -> None:
        from yincai.exports.build import build_export

        engine = make_engine(self.settings)
        try:
            built = build_export(
                engine,
                export_id,
                data_dir=Path(self.settings.data_dir),
                error_log=self.settings.error_log_path,
            )
        finally:
            engine.dispose()
        log.info("oneroster export %s %s", export_id, "built" if built else "was not queued")

    def queue_oneroster(self, export_id: int) -> None:
        """Queue the build of a stored, queued OneRoster export (twice is harmless: built once)."""
        self._oneroster(export_id)

    def queue_fairness(self, report_id: int) -> None:
        """Queue the computation of a stored, queued fairness report (twice is harmless)."""
        self._fairness(report_id)

    def queue_scans(self, batch_id: int) -> None:
        """Queue the reading of an uploaded batch of scans (twice is harmless: read once)."""
        self._scans(batch_id)

    def queue_account_slips(self, slips_id: int) -> None:
        """Queue a bulk account creation (twice is harmless: it runs once)."""
        self._slips(slips_id)

    def queue_document(self, document_id: int) -> None:
        """Queue the build of a stored, queued document (twice is harmless: it is built once)."""
        self._build(document_id)

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

    @property
    def heartbeat_path(self) -> Path:
        return Path(self.settings.data_dir) / HEARTBEAT_FILE

    def is_worker_running(self) -> bool:
        """Whether a worker on this data folder beat within the last ``WORKER_GONE_S``."""
        try:
            return time.time() - self.heartbeat_path.stat().st_mtime < WORKER_GONE_S
        except FileNotFoundError:
            return False

    def run_worker(self) -> None:
        """Run queued jobs until interrupted (one at a time: a refresh uses the CPU fully)."""
        stop = threading.Event()
        beating = threading.Thread(target=self._beat, args=(stop,), daemon=True)
        beating.start()
        try:
            self.queue.create_consumer(
                workers=1, periodic=False, worker_type="thread", max_delay=POLL_MAX_DELAY_S
            ).run()
        finally:
            stop.set()
            beating.join()
            self.heartbeat_path.unlink(missing_ok=True)

    def _beat(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.heartbeat_path.touch()
            stop.wait(HEARTBEAT_S)
