"""The fairness report's one door: ask for the district's report, read the newest one.

Asking (``request_report``) never computes: it finds the report of the current data version, or
stores a new one as queued, and says whether the edge should queue the job
(``jobs.Jobs.queue_fairness``) once it has committed; the job worker computes it (``build``).
The page reads the newest finished report, says when it was computed and whether newer data has
come since. A report holds aggregates of groups of at least ``min_group`` students only, so
reading it reads no student's records; it is for the district's administrators.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from yincai.accounts.actors import Actor, SystemActor
from yincai.accounts.models import Role, UserAccount
from yincai.consent import service as consent_service
from yincai.domain.models import District
from yincai.errors import NotFound
from yincai.fairness.models import FairnessReport, ReportState
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _

FORMAT = "f1"  # bump when the report's content changes: reports computed before are stale
STALLED_AFTER = timedelta(minutes=30)  # a computation without progress this long died


@dataclass(frozen=True)
class Requested:
    """The report asked for, and whether the edge queues its job after committing."""

    report: FairnessReport
    needs_queue: bool


@dataclass(frozen=True)
class ReportView:
    """What the page shows: the newest finished report (its content parsed), whether it is of
    the current data, and a report under way (queued or running) if any."""

    district_name: str
    done: FairnessReport | None
    content: dict[str, Any] | None
    is_current: bool
    pending: FairnessReport | None
    is_stalled: bool


def data_version(session: Session, *, district_id: int, min_group: int) -> tuple[int, str]:
    """The hub's data version and the key a current report carries: the data, the consents in
    force, the day (who is 14 changes) and the smallest group shown."""
    hub_version = hub_service.data_version(session)
    consents = consent_service.consent_version(session)
    today = datetime.now(UTC).date().isoformat()
    text = f"{hub_version}|{consents}|{today}|{min_group}|{district_id}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    return hub_version, f"{FORMAT}-{hub_version}-{digest}"


def request_report(session: Session, *, actor: Actor, min_group: int) -> Requested:
    """The district's report at the current data version: found, or queued now."""
    district_id = _district_of(session, actor)
    hub_version, version = data_version(session, district_id=district_id, min_group=min_group)
    found = _find(session, district_id, version)
    if found is not None:
        return _reuse(found)
    now = datetime.now(UTC)
    report = FairnessReport(
        district_id=district_id,
        version=version,
        hub_version=hub_version,
        requested_by=actor.id if isinstance(actor, UserAccount) else None,
        state=ReportState.QUEUED,
        progress=0.0,
        message="",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # another request may have stored it a moment ago
            session.add(report)
    except IntegrityError:
        found = _find(session, district_id, version)
        assert found is not None
        return _reuse(found)
    return Requested(report, needs_queue=True)


def report_view(session: Session, *, actor: Actor, min_group: int) -> ReportView:
    """The newest finished report of the actor's district and any report under way."""
    district_id = _district_of(session, actor)
    _hub, version = data_version(session, district_id=district_id, min_group=min_group)
    done = session.scalars(
        select(FairnessReport)
        .options(undefer(FairnessReport.result))
        .where(
            FairnessReport.district_id == district_id,
            FairnessReport.state == ReportState.DONE,
        )
        .order_by(FairnessReport.finished_at.desc(), FairnessReport.id.desc())
        .limit(1)
    ).first()
    pending = session.scalars(
        select(FairnessReport)
        .where(
            FairnessReport.district_id == district_id,
            FairnessReport.state.in_([ReportState.QUEUED, ReportState.RUNNING, ReportState.FAILED]),
            FairnessReport.version == version,
        )
        .order_by(FairnessReport.id.desc())
        .limit(1)
    ).first()
    if done is not None and done.version == version:
        pending = None
    content = json.loads(done.result) if done is not None and done.result else None
    name = session.scalar(select(District.name).where(District.id == district_id)) or ""
    return ReportView(
        district_name=name,
        done=done,
        content=content,
        is_current=done is not None and done.version == version,
        pending=pending,
        is_stalled=pending is not None and is_stalled(pending),
    )


def is_stalled(report: FairnessReport) -> bool:
    """Whether a computation under way has shown no progress for so long that its worker died."""
    if report.state is not ReportState.RUNNING:
        return False
    updated = report.updated_at
    if updated.tzinfo is None:  # SQLite returns naive datetimes, stored in UTC
        updated = updated.replace(tzinfo=UTC)
    return datetime.now(UTC) - updated > STALLED_AFTER


def _district_of(session: Session, actor: Actor) -> int:
    """The district whose report the actor may see: district administrators only (a system
    actor: the first district, as the commands serve one)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    if isinstance(actor, SystemActor):
        found = session.scalar(select(District.id).order_by(District.id).limit(1))
        if found is None:
            raise NotFound(_("还没有区县数据"), code="district.not_found")
        return found
    return actor.district_id


def _find(session: Session, district_id: int, version: str) -> FairnessReport | None:
    return session.scalars(
        select(FairnessReport).where(
            FairnessReport.district_id == district_id, FairnessReport.version == version
        )
    ).first()


def _reuse(report: FairnessReport) -> Requested:
    if report.state is ReportState.FAILED or is_stalled(report):
        report.state = ReportState.QUEUED
        report.progress = 0.0
        report.message = ""
        report.started_at = None
        report.updated_at = datetime.now(UTC)
    return Requested(report, needs_queue=report.state is ReportState.QUEUED)
