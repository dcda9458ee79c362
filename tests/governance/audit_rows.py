"""Audit rows dated in the past, for the purge tests of the audit chain and of retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from yincai.db import session_scope
from yincai.governance import chain
from yincai.governance.models import AuditEvent


def write_old_audit_rows(engine: Engine, ages_days: list[int]) -> None:
    """Audit rows dated in the past (as if written then), sealed at commit."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for number, age in enumerate(ages_days, start=1):
            event = AuditEvent(
                at=now - timedelta(days=age),
                user_account_id=None,
                action="view_student",
                object_type="student",
                object_id=str(number),
                scope="system",
            )
            session.add(event)
            session.flush()
            chain.link_students(session, event.id, [number])
            chain.track(session, event.id)
