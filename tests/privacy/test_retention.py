"""Retention: the purge hands expired audit events to the audit chain's purge and counts first."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.audit_rows import write_old_audit_rows
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.governance import service as governance_service
from yincai.governance.models import AuditEvent
from yincai.privacy import retention


def _n_events(settings: Settings) -> int:
    engine = make_engine(settings)
    with Session(engine) as session:
        n = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    engine.dispose()
    return n


def test_purge_removes_audit_events_past_retention_and_the_chain_still_verifies(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    ages = [settings.audit_retention_days + d for d in (300, 100, 1)] + [30, 1]
    write_old_audit_rows(engine, ages)
    n_before = _n_events(settings)

    with session_scope(engine) as session:
        dry = retention.purge(session, settings, dry_run=True)
    assert dry.n_audit_events == 3 and _n_events(settings) == n_before  # counted, kept

    with session_scope(engine) as session:
        done = retention.purge(session, settings)
    with session_scope(engine) as session:
        report = governance_service.verify_audit_chain(session)
        kept = set(session.scalars(select(AuditEvent.object_id)))
    engine.dispose()
    assert done.n_audit_events == 3
    assert {"4", "5"} <= kept and not {"1", "2", "3"} & kept
    assert report.is_intact
