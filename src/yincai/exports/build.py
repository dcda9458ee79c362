"""The export job: build a queued OneRoster export, storing its progress, then its ZIP as a file in
the data folder. Run by the job worker (``jobs.Jobs``), or in the foreground by the command when
no worker runs.

Like the documents' build, it first claims its export (queued → running in one UPDATE: queued
twice, or built by the command while the worker also got its task, it is built once), stores its
progress in short transactions of its own so the status reads it while the build runs, and stores
a failure in words (a service's own message, or an error id whose traceback went to the error
log, never data). Finishing deletes the exports it replaces and those untouched for ``KEEP``, with
their files, and any file of the exports folder no row names (left by an erasure without the data
folder at hand).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from yincai.db import claim_queued, mark_failed, session_scope
from yincai.domain.models import District
from yincai.error_log import report_unexpected_error
from yincai.errors import YincaiError
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.exports.oneroster import OneRosterExport, build_oneroster

FOLDER = "exports"  # under the data folder
KEEP = timedelta(days=7)  # exports untouched this long are deleted by the next build
MIN_STEP = 0.02  # progress is stored when it moved on at least this much
Progress = Callable[[float], None]  # the share done, 0 to 1


def build_export(
    engine: Engine,
    export_id: int,
    *,
    data_dir: Path,
    error_log: Path,
    on_progress: Progress | None = None,
) -> bool:
    """Build a queued export; whether this call built it (False: it was not queued, e.g. another
    build claimed it)."""
    if not _claim(engine, export_id):
        return False
    stored = [0.0]

    def store_progress(share: float) -> None:
        if share - stored[0] < MIN_STEP and share < 1.0:
            return
        stored[0] = share
        with session_scope(engine) as session:
            session.execute(
                update(OneRosterExportRequest)
                .where(OneRosterExportRequest.id == export_id)
                .values(progress=share, updated_at=datetime.now(UTC))
            )
        if on_progress is not None:
            on_progress(share)

    try:
        with Session(engine) as session:
            export = session.get_one(OneRosterExportRequest, export_id)
            built = build_oneroster(
                session,
                session.get_one(District, export.district_id),
                with_names=export.with_names,
                with_results=export.with_results,
                on_progress=store_progress,
            )
            session.rollback()  # the job reads only; each download is audited
        _finish(engine, export_id, built, data_dir)
    except YincaiError as problem:
        _fail(engine, export_id, problem.message)
    except Exception as error:
        where = f"oneroster export {export_id}"
        report = report_unexpected_error(error, log_path=error_log, where=where)
        _fail(engine, export_id, report.message)
    return True


def file_path(export_id: int) -> str:
    """Where an export's ZIP is kept, relative to the data folder."""
    return f"{FOLDER}/oneroster-{export_id}.zip"


def _claim(engine: Engine, export_id: int) -> bool:
    now = datetime.now(UTC)
    running = ("state", ExportState.QUEUED, ExportState.RUNNING)
    return claim_queued(
        engine,
        OneRosterExportRequest,
        export_id,
        state=running,
        started_at=now,
        updated_at=now,
        progress=0.0,
    )


def _write(data_dir: Path, relative: str, content: bytes) -> None:
    """Write the ZIP whole or not at all, readable by the service account only (it holds
    students' numbers, and names when asked)."""
    path = data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
    partial.replace(path)


def _finish(engine: Engine, export_id: int, built: OneRosterExport, data_dir: Path) -> None:
    relative = file_path(export_id)
    _write(data_dir, relative, built.content)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        export = session.get_one(OneRosterExportRequest, export_id)
        export.file_path = relative
        export.file_name = built.file_name
        export.n_bytes = len(built.content)
        export.n_students = built.n_students
        export.progress = 1.0
        export.state = ExportState.DONE
        export.finished_at = export.updated_at = now
        gone = _prune(session, export, now)
        kept = {file_path(i) for i in session.scalars(select(OneRosterExportRequest.id))}
    for relative_gone in gone:  # once the rows are gone: a rollback loses no file
        (data_dir / relative_gone).unlink(missing_ok=True)
    for orphan in (data_dir / FOLDER).glob("oneroster-*.zip"):  # an export's row is gone
        if orphan.relative_to(data_dir).as_posix() not in kept:
            orphan.unlink(missing_ok=True)


def _prune(session: Session, export: OneRosterExportRequest, now: datetime) -> list[str]:
    """Delete the exports this one replaces (same district and options) and every export
    untouched for ``KEEP``; their files' paths."""
    settled = OneRosterExportRequest.state.in_([ExportState.DONE, ExportState.FAILED])
    replaced = select(OneRosterExportRequest).where(
        OneRosterExportRequest.district_id == export.district_id,
        OneRosterExportRequest.with_names == export.with_names,
        OneRosterExportRequest.with_results == export.with_results,
        OneRosterExportRequest.id != export.id,
        settled,
    )
    old = select(OneRosterExportRequest).where(
        OneRosterExportRequest.updated_at < now - KEEP,
        OneRosterExportRequest.state != ExportState.RUNNING,
    )
    rows = {row.id: row for row in [*session.scalars(replaced), *session.scalars(old)]}
    if rows:
        session.execute(
            delete(OneRosterExportRequest).where(OneRosterExportRequest.id.in_(list(rows)))
        )
    return [row.file_path for row in rows.values() if row.file_path]


def _fail(engine: Engine, export_id: int, message: str) -> None:
    now = datetime.now(UTC)
    failed = ("state", ExportState.FAILED)
    mark_failed(
        engine,
        OneRosterExportRequest,
        export_id,
        state=failed,
        message=message,
        finished_at=now,
        updated_at=now,
    )
