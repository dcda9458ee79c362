"""Retention: how long uploads, audit events and the records of students who left are kept, and
the purge that enforces it (``yincai privacy purge``, meant for a daily cron job)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.assistant import service as assistant_service
from yincai.config import Settings
from yincai.domain.models import Student
from yincai.governance import service as governance_service
from yincai.privacy.erasure import erase_student


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed (or, on a dry run, would remove): counts only, never names."""

    n_uploads: int
    n_students: int
    n_audit_events: int
    audit_before: datetime
    is_dry_run: bool
    n_conversations: int  # the assistant's, past assistant_retention_days


def uploads_root(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def expired_uploads(settings: Settings, *, now: datetime) -> list[Path]:
    """Upload folders (``<data_dir>/uploads/<token>/``) untouched for longer than allowed."""
    root = uploads_root(settings)
    if not root.is_dir():
        return []
    cutoff = (now - timedelta(minutes=settings.upload_keep_minutes)).timestamp()
    return sorted(path for path in root.iterdir() if path.stat().st_mtime < cutoff)


def left_before(today: date, years: int) -> date:
    """The same day ``years`` earlier (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def students_to_anonymise(session: Session, settings: Settings, *, today: date) -> list[int]:
    """Students who left more than the retention period ago and are not anonymised yet."""
    cutoff = left_before(today, settings.left_student_retention_years)
    return list(
        session.scalars(
            select(Student.id)
            .where(Student.left_on.is_not(None), Student.left_on < cutoff)
            .where(Student.anonymised_at.is_(None))
            .order_by(Student.id)
        )
    )


def purge_expired_audit_events(
    session: Session, *, before: datetime, now: datetime, dry_run: bool
) -> int:
    """Audit events older than ``before`` leave through the audit module's purge, which keeps the
    hash chain verifiable and audits itself; never delete audit rows here directly."""
    if dry_run:
        return governance_service.count_purgeable_audit_events(session, before=before)
    return governance_service.purge_audit_events(session, before=before, now=now)


def purge(
    session: Session, settings: Settings, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Remove expired uploads, anonymise students who left long ago (each audited), delete the
    assistant's conversations past their retention, purge audit events past their retention
    through the audit module; with ``dry_run`` only count."""
    now = now or datetime.now(UTC)
    uploads = expired_uploads(settings, now=now)
    students = students_to_anonymise(session, settings, today=now.date())
    audit_before = now - timedelta(days=settings.audit_retention_days)
    conversations = assistant_service.expired_conversations(
        session, before=assistant_service.retention_cutoff(settings, now)
    )
    if not dry_run:
        assistant_service.delete_conversations(session, conversations)
        for student_id in students:
            erase_student(session, student_id=student_id, now=now, data_dir=Path(settings.data_dir))
            governance_service.audit(
                session,
                actor=None,
                action="privacy_erase",
                object_type="student",
                object_id=student_id,
                scope="retention",
            )
        for folder in uploads:
            shutil.rmtree(folder, ignore_errors=True)
    n_audit = purge_expired_audit_events(session, before=audit_before, now=now, dry_run=dry_run)
    return PurgeReport(
        len(uploads), len(students), n_audit, audit_before, dry_run, len(conversations)
    )
