"""The audit trail: who did or saw what (and which students it showed), refusals included.

Rows hold ids only, never names. ``audit()`` writes a row and the students it showed in one
insert each; the row is sealed into the hash chain when the session commits
(``governance.chain``). Retention: at least 183 days (等保 level 3), purged only through
``purge_audit_events``, the one delete the database triggers allow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.roles import require_role, scope_of
from yincai.errors import Invalid
from yincai.governance import chain
from yincai.governance.actions import ACTIONS
from yincai.governance.chain import ChainReport
from yincai.governance.models import AuditEvent, AuditEventStudent
from yincai.i18n import _

AUDIT_PAGE_SIZE = 50
MIN_RETENTION_DAYS = 183  # 等保 level 3: audit records are kept at least six months
_OBJECT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")  # ids and tokens only, never names
_PATH = re.compile(r"^/[A-Za-z0-9_./{}:-]{0,199}$")  # a route template, never a filled-in URL


def audit(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: int | str,
    scope: str | None = None,
    student_ids: Iterable[int] = (),
    path: str | None = None,
) -> AuditEvent:
    """Record who did what to which object within which scope, and which students it showed;
    ids only, never names. The action must have words in ``governance.actions``. The system
    (``SystemActor``) is recorded without an account, its purpose as the scope."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} has no words in governance.actions.ACTIONS")
    object_id = str(object_id)
    if not _OBJECT_ID.fullmatch(object_id):
        raise ValueError(f"audit object_id must be an id or token, got {object_id!r}")
    if path is not None and not _PATH.fullmatch(path):
        raise ValueError(f"audit path must be a route template, got {path!r}")
    if object_type == "student" and object_id.isdigit():  # "who saw student X" in one place
        student_ids = [*student_ids, int(object_id)]
    event = AuditEvent(
        at=datetime.now(UTC),
        user_account_id=actor.id if isinstance(actor, UserAccount) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope=scope if scope is not None else (scope_of(actor) if actor else "system"),
        path=path,
    )
    session.add(event)
    session.flush()
    chain.link_students(session, event.id, student_ids)
    chain.track(session, event.id)
    return event


def record_denial(
    session: Session,
    *,
    actor: UserAccount | None,
    action: str,
    object_type: str,
    object_id: int | str,
    path: str | None,
) -> AuditEvent:
    """A refused request (403, CSRF): who, which object, which route; anonymous if no login."""
    return audit(
        session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        scope=scope_of(actor) if actor else "anonymous",
        path=path,
    )


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    n_events: int
    page: int
    n_pages: int
    actions: list[str]
    students: dict[int, list[int]]  # event id → the students it showed


def list_audit_events(
    session: Session,
    *,
    actor: UserAccount,
    user_account_id: int | None = None,
    action: str | None = None,
    student_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """The district's audit trail, newest first, filtered and paginated (district admins only);
    the view is itself audited with the students it shows."""
    require_role(actor, Role.DISTRICT_ADMIN)
    in_district = select(UserAccount.id).where(UserAccount.district_id == actor.district_id)
    conditions: list[ColumnElement[bool]] = [AuditEvent.user_account_id.in_(in_district)]
    if user_account_id is not None:
        conditions.append(AuditEvent.user_account_id == user_account_id)
    if action:
        conditions.append(AuditEvent.action == action)
    if student_id is not None:
        shown = select(AuditEventStudent.event_id).where(AuditEventStudent.student_id == student_id)
        conditions.append(AuditEvent.id.in_(shown))
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    n_events = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    n_pages = max(1, math.ceil(n_events / per_page))
    page = min(max(1, page), n_pages)
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    actions = session.scalars(
        select(AuditEvent.action).where(conditions[0]).distinct().order_by(AuditEvent.action)
    ).all()
    students = students_shown(session, [e.id for e in events])
    audit(
        session,
        actor=actor,
        action="audit_view",
        object_type="district",
        object_id=actor.district_id,
        student_ids={s for ids in students.values() for s in ids},
    )
    return AuditPage(events, n_events, page, n_pages, list(actions), students)


def students_shown(session: Session, event_ids: list[int]) -> dict[int, list[int]]:
    """Event id → the ids of the students that view showed, in id order."""
    found: dict[int, list[int]] = {event_id: [] for event_id in event_ids}
    if event_ids:
        rows = session.execute(
            select(AuditEventStudent.event_id, AuditEventStudent.student_id)
            .where(AuditEventStudent.event_id.in_(event_ids))
            .order_by(AuditEventStudent.event_id, AuditEventStudent.student_id)
        )
        for event_id, student_id in rows:
            found[event_id].append(student_id)
    return found


def seal_audit_events(session: Session) -> int:
    """Seal every audit row not yet in the hash chain; the number sealed."""
    return chain.seal_audit_events(session)


def verify_audit_chain(session: Session) -> ChainReport:
    """Seal what is pending, then recompute the whole chain (the first bad row, if any)."""
    chain.seal_audit_events(session)
    return chain.verify_audit_chain(session)


def count_purgeable_audit_events(session: Session, *, before: datetime) -> int:
    """How many audit rows ``purge_audit_events`` would delete now (a dry run; reads only)."""
    return chain.count_purgeable(session, before=before)


def purge_audit_events(session: Session, *, before: datetime, now: datetime | None = None) -> int:
    """Delete audit rows older than ``before`` (never younger than 183 days), keeping the chain
    verifiable from the first kept row; the purge itself is audited. The number deleted."""
    now = now or datetime.now(UTC)
    if before > now - timedelta(days=MIN_RETENTION_DAYS):
        raise Invalid(
            _("审计记录至少保留 {days} 天（等保三级），截止日期太近").format(
                days=MIN_RETENTION_DAYS
            ),
            code="audit.retention_too_short",
        )
    n_deleted = chain.purge_sealed_before(session, before=before)
    audit(
        session,
        actor=None,
        action="audit_purge",
        object_type="audit_event",
        object_id=before.date().isoformat(),
        scope="cli",
    )
    return n_deleted
