"""The exports' one door: ask for the district's OneRoster export, follow its build, download it.

Asking (``request_oneroster``) never builds: it finds the export with the same options at the
current data version, or stores a new one as queued, and says whether the edge should queue the
build (``jobs.Jobs.queue_oneroster``) once it has committed; the job worker builds it
(``build``). An export found queued is queued again (the build claims an export once, so a
second task does nothing); one found failed, or stalled with a dead worker, is queued afresh.

An export is labelled with the data version current when it was asked for; the build reads the
data current when it runs, which can only be the same or newer (at worst an export is rebuilt once
more than needed, never served as current when it is not).

Only a district's administrators (and the operator's shell) ask for, follow and download its
exports. The ZIP names every student of the district: each download is audited with all of them,
whoever downloads it, as the export built in the request was.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor, SystemActor
from yincai.accounts.models import Role, UserAccount
from yincai.errors import Forbidden, NotFound, NotReady
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.exports.oneroster import district_of, school_year
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _

FORMAT = "r1"  # bump when the ZIP's content changes: exports built before are stale
STALLED_AFTER = timedelta(minutes=10)  # a build without progress this long died with its worker


@dataclass(frozen=True)
class Requested:
    """The export asked for, and whether the edge queues its build after committing."""

    export: OneRosterExportRequest
    needs_queue: bool


@dataclass(frozen=True)
class ExportStatus:
    """An export's state, whether newer data has come since it was asked for, and whether its
    build seems to have died."""

    export: OneRosterExportRequest
    is_current: bool
    is_stalled: bool


@dataclass(frozen=True)
class Download:
    export: OneRosterExportRequest
    content: bytes


def data_version(session: Session) -> tuple[int, str]:
    """The hub's data version (every import and erasure moves it on) and the key a current export
    carries: that version and the school year (the export lists the years up to today's)."""
    hub_version = hub_service.data_version(session)
    return hub_version, f"{FORMAT}-{hub_version}-{school_year(datetime.now(UTC).date())}"


def request_oneroster(
    session: Session,
    *,
    actor: Actor,
    with_names: bool = False,
    with_results: bool = True,
    district_code: str | None = None,
    data_dir: Path | None = None,
) -> Requested:
    """The district's OneRoster export with these options at the current data version: found,
    or queued now (district admins; the operator names the district by code). With ``data_dir``
    a built export whose file has gone is queued again."""
    district = district_of(session, actor, district_code)
    hub_version, version = data_version(session)
    found = _find(session, district.id, with_names, with_results, version)
    if found is not None:
        if (
            data_dir is not None
            and found.state is ExportState.DONE
            and _file(data_dir, found.file_path) is None
        ):
            _requeue(found)
        return _reuse(found)
    now = datetime.now(UTC)
    export = OneRosterExportRequest(
        district_id=district.id,
        with_names=with_names,
        with_results=with_results,
        version=version,
        hub_version=hub_version,
        requested_by=actor.id if isinstance(actor, UserAccount) else None,
        state=ExportState.QUEUED,
        progress=0.0,
        message="",
        file_name="",
        n_bytes=0,
        n_students=0,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # another request may have stored it a moment ago
            session.add(export)
    except IntegrityError:
        found = _find(session, district.id, with_names, with_results, version)
        assert found is not None
        return _reuse(found)
    return Requested(export, needs_queue=True)


def export_status(session: Session, *, actor: Actor, export_id: int) -> ExportStatus:
    """An export's state and progress, for its district's administrators."""
    export = _export(session, actor, export_id)
    _hub, version = data_version(session)
    return ExportStatus(export, export.version == version, is_stalled(export))


def read_export(session: Session, *, actor: Actor, export_id: int, data_dir: Path) -> Download:
    """A finished export's ZIP; the download is audited with every student it holds."""
    export = _export(session, actor, export_id)
    if export.state is not ExportState.DONE:
        raise NotReady(_("导出还没有完成，请稍后再下载"), code="oneroster_export.not_ready")
    path = _file(data_dir, export.file_path)
    if path is None:  # deleted with an erased student's data, or by hand
        raise NotFound(_("导出文件已删除，请重新导出"), code="oneroster_export.file_gone")
    content = path.read_bytes()
    governance_service.audit(
        session,
        actor=actor,
        action="oneroster_export",
        object_type="district",
        object_id=export.district_id,
        student_ids=students_in(content),
    )
    return Download(export, content)


def students_in(content: bytes) -> list[int]:
    """The ids of the students a OneRoster ZIP lists (``users.csv``'s ``stu-<id>``)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read("users.csv").decode("utf-8")
    ids = (row["sourcedId"] for row in csv.DictReader(io.StringIO(text, newline="")))
    return [int(key.removeprefix("stu-")) for key in ids if key.startswith("stu-")]


def is_stalled(export: OneRosterExportRequest) -> bool:
    """Whether a build under way has shown no progress for so long that its worker died."""
    if export.state is not ExportState.RUNNING:
        return False
    updated = export.updated_at
    if updated.tzinfo is None:  # SQLite returns naive datetimes, stored in UTC
        updated = updated.replace(tzinfo=UTC)
    return datetime.now(UTC) - updated > STALLED_AFTER


def _file(data_dir: Path, relative: str | None) -> Path | None:
    """The stored file, if it is still there and inside the data folder."""
    if not relative:
        return None
    root = data_dir.resolve()
    path = (root / relative).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def _export(session: Session, actor: Actor, export_id: int) -> OneRosterExportRequest:
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    export = session.get(OneRosterExportRequest, export_id)
    if export is None:
        raise NotFound(
            _("导出 {id} 不存在").format(id=export_id), code="oneroster_export.not_found"
        )
    if not isinstance(actor, SystemActor) and export.district_id != actor.district_id:
        raise Forbidden(_("只能导出本区数据"), code="export.other_district")
    return export


def _find(
    session: Session, district_id: int, with_names: bool, with_results: bool, version: str
) -> OneRosterExportRequest | None:
    return session.scalars(
        select(OneRosterExportRequest).where(
            OneRosterExportRequest.district_id == district_id,
            OneRosterExportRequest.with_names == with_names,
            OneRosterExportRequest.with_results == with_results,
            OneRosterExportRequest.version == version,
        )
    ).first()


def _reuse(export: OneRosterExportRequest) -> Requested:
    if export.state is ExportState.FAILED or is_stalled(export):
        _requeue(export)
    return Requested(export, needs_queue=export.state is ExportState.QUEUED)


def _requeue(export: OneRosterExportRequest) -> None:
    export.state = ExportState.QUEUED
    export.progress = 0.0
    export.message = ""
    export.file_path = None
    export.started_at = None
    export.updated_at = datetime.now(UTC)
