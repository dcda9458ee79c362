"""The audit log's hash chain: rows are written plain, sealed at commit, verified on demand.

Each sealed row gets the next number ``seq`` and ``hash`` = HMAC-SHA256(key, [previous hash, seq,
the row's fields, the ids of the students it showed]). Without the key nobody can rebuild the
chain after changing or removing a row. ``audit_chain_state`` (one row) keeps the chain's ends
apart from the rows: ``head`` (so removing the newest rows shows) and ``base`` (where the chain
starts after a retention purge), signed with the same key.

Concurrency: a transaction that wrote audit rows seals them just before it commits, after a
no-op UPDATE of the state row. On PostgreSQL that row lock serialises sealers (READ COMMITTED:
statements after it see every earlier sealer's commit); on SQLite the UPDATE is a write, which
takes the database's write lock first (``db.py``), so reads after it are fresh too. Nobody
chains from a stale head; the unique ``seq`` turns any mistake into an error, never a fork.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from yincai.db import AUDIT_KEY_OPTION
from yincai.errors import Invalid
from yincai.governance.models import AuditChainState, AuditEvent, AuditEventStudent, AuditSeal
from yincai.i18n import _

STATE_ID = 1
BATCH = 1000  # rows read or sealed per statement when working through the whole log
_PENDING = "yincai_audit_pending"  # Session.info key: ids of audit rows this session wrote
_log = logging.getLogger(__name__)

_events = cast(Table, AuditEvent.__table__)
_seals = cast(Table, AuditSeal.__table__)
_links = cast(Table, AuditEventStudent.__table__)
_states = cast(Table, AuditChainState.__table__)
_EVENT_COLUMNS = (
    _events.c.id,
    _events.c.at,
    _events.c.user_account_id,
    _events.c.action,
    _events.c.object_type,
    _events.c.object_id,
    _events.c.scope,
    _events.c.path,
)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the log differs from what was sealed."""

    seq: int | None  # position in the chain (None: the state row itself)
    event_id: int | None
    message: str  # 中文 / English, ids only


@dataclass(frozen=True)
class ChainReport:
    n_rows: int  # sealed rows checked
    head_seq: int
    problem: ChainProblem | None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def _instant(at: datetime) -> str:
    # SQLite hands back naive datetimes; every audit time is written in UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def row_hash(key: bytes, previous: str, seq: int, row: Row[Any], student_ids: Sequence[int]) -> str:
    """HMAC of one audit row, chained to the previous row's hash."""
    payload = [
        previous,
        seq,
        row.id,
        _instant(row.at),
        row.user_account_id,
        row.action,
        row.object_type,
        row.object_id,
        row.scope,
        row.path,
        sorted(student_ids),
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _state_mac(key: bytes, base_seq: int, base_hash: str, head_seq: int, head_hash: str) -> str:
    text = json.dumps(["audit_chain_state", base_seq, base_hash, head_seq, head_hash])
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _state_is_signed(key: bytes, state: Row[Any]) -> bool:
    """The state row carries its MAC (or is the untouched start the migration wrote)."""
    if state.mac == "":
        return (state.base_seq, state.head_seq, state.base_hash, state.head_hash) == (0, 0, "", "")
    expected = _state_mac(key, state.base_seq, state.base_hash, state.head_seq, state.head_hash)
    return hmac.compare_digest(expected, state.mac)


def session_key(session: Session) -> bytes | None:
    """The chain's key, handed to the engine by ``make_engine`` (None on other engines)."""
    key = session.connection().get_execution_options().get(AUDIT_KEY_OPTION)
    return key if isinstance(key, bytes) and key else None


def _required_key(session: Session) -> bytes:
    key = session_key(session)
    if key is None:
        raise Invalid(_("数据库连接没有审计链密钥"), code="audit.no_chain_key")
    return key


def track(session: Session, event_id: int) -> None:
    """Remember an audit row written in this session: it is sealed when the session commits."""
    session.info.setdefault(_PENDING, []).append(event_id)


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    event_ids = session.info.pop(_PENDING, None)
    if not event_ids:
        return
    key = session_key(session)
    if key is not None:  # an engine not made by make_engine: `yincai audit seal` seals later
        _seal(session, key, event_ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def _lock_state(session: Session) -> Row[Any] | None:
    """Take the chain's lock (a no-op write to its state row) and read the state fresh."""
    session.execute(update(_states).where(_states.c.id == STATE_ID).values(mac=_states.c.mac))
    return session.execute(select(_states).where(_states.c.id == STATE_ID)).first()


def _chain_end_is_consistent(session: Session, key: bytes, state: Row[Any]) -> bool:
    if not _state_is_signed(key, state):
        return False
    last = session.scalar(select(func.max(_seals.c.seq)))
    return bool((last or state.base_seq) == state.head_seq)


def _students_of(session: Session, event_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {event_id: [] for event_id in event_ids}
    for start in range(0, len(event_ids), BATCH):
        chunk = event_ids[start : start + BATCH]
        for event_id, student_id in session.execute(
            select(_links.c.event_id, _links.c.student_id).where(_links.c.event_id.in_(chunk))
        ):
            found[event_id].append(student_id)
    return found


def _unsealed(session: Session, event_ids: Sequence[int] | None, limit: int) -> list[Row[Any]]:
    query = (
        select(*_EVENT_COLUMNS)
        .outerjoin(_seals, _seals.c.event_id == _events.c.id)
        .where(_seals.c.event_id.is_(None))
        .order_by(_events.c.id)
        .limit(limit)
    )
    if event_ids is not None:
        query = query.where(_events.c.id.in_(event_ids))
    return list(session.execute(query))


def _seal(session: Session, key: bytes, event_ids: Sequence[int] | None) -> int:
    """Chain the given unsealed rows (all unsealed rows when None) in id order; the number sealed.

    A state row that fails its check is left alone and nothing is sealed: extending the chain
    from a forged head would bless the forgery (``yincai audit verify`` reports it)."""
    state = _lock_state(session)
    if state is None or not _chain_end_is_consistent(session, key, state):
        _log.error("audit chain state does not verify; audit rows were left unsealed")
        return 0
    seq, previous = state.head_seq, state.head_hash
    n_sealed = 0

    def chain(rows: list[Row[Any]]) -> None:
        nonlocal seq, previous, n_sealed
        students = _students_of(session, [row.id for row in rows])
        seals = []
        for row in rows:
            seq += 1
            previous = row_hash(key, previous, seq, row, students[row.id])
            seals.append({"seq": seq, "event_id": row.id, "hash": previous})
        session.execute(insert(_seals), seals)
        n_sealed += len(seals)

    if event_ids is not None:
        pending = sorted(set(event_ids))
        for start in range(0, len(pending), BATCH):
            rows = _unsealed(session, pending[start : start + BATCH], BATCH)
            if rows:  # rows of a rolled-back savepoint are gone: nothing to seal
                chain(rows)
    else:
        while rows := _unsealed(session, None, BATCH):
            chain(rows)
    if n_sealed:
        session.execute(
            update(_states)
            .where(_states.c.id == STATE_ID)
            .values(
                head_seq=seq,
                head_hash=previous,
                mac=_state_mac(key, state.base_seq, state.base_hash, seq, previous),
            )
        )
    return n_sealed


def seal_audit_events(session: Session) -> int:
    """Seal every row not yet in the chain (rows from before the chain existed, or written
    through an engine without the key); the number sealed."""
    return _seal(session, _required_key(session), None)


def _sealed_rows(session: Session, after_seq: int) -> Iterator[list[Any]]:
    """The chain in order of seq, a batch at a time, each seal with its row (None if gone)."""
    while True:
        batch = list(
            session.execute(
                select(
                    _seals.c.seq,
                    _seals.c.hash,
                    _seals.c.event_id.label("sealed_id"),
                    *_EVENT_COLUMNS,
                )
                .outerjoin(_events, _events.c.id == _seals.c.event_id)
                .where(_seals.c.seq > after_seq)
                .order_by(_seals.c.seq)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        yield batch
        after_seq = batch[-1].seq


def verify_audit_chain(session: Session) -> ChainReport:
    """Recompute the chain from its base to its head; the first row that differs, if any."""
    key = _required_key(session)
    state = session.execute(select(_states).where(_states.c.id == STATE_ID)).first()
    if state is None:
        return ChainReport(0, 0, ChainProblem(None, None, "审计链状态行缺失 / state row missing"))
    if not _state_is_signed(key, state):
        message = (
            "审计链状态行被改动（或密钥不对）/ the chain's state row was altered (or wrong key)"
        )
        return ChainReport(0, state.head_seq, ChainProblem(None, None, message))
    expected, previous, n_rows, last_event = state.base_seq + 1, state.base_hash, 0, None
    for batch in _sealed_rows(session, state.base_seq):
        students = _students_of(session, [row.sealed_id for row in batch])
        for row in batch:
            if row.seq != expected:
                after = f"审计记录 {last_event} 之后" if last_event else "链首"
                message = (
                    f"第 {expected} 条（{after}）被删除 / row {expected} was removed"
                    f" (after audit record {last_event})"
                )
                return ChainReport(n_rows, state.head_seq, ChainProblem(expected, None, message))
            if row.id is None:
                message = (
                    f"第 {row.seq} 条（审计记录 {row.sealed_id}）被删除 / row {row.seq}"
                    f" (audit record {row.sealed_id}) was removed"
                )
                problem = ChainProblem(row.seq, row.sealed_id, message)
                return ChainReport(n_rows, state.head_seq, problem)
            computed = row_hash(key, previous, row.seq, row, students[row.sealed_id])
            if not hmac.compare_digest(computed, row.hash):
                message = (
                    f"第 {row.seq} 条（审计记录 {row.id}）被改动 / row {row.seq}"
                    f" (audit record {row.id}) was changed"
                )
                return ChainReport(n_rows, state.head_seq, ChainProblem(row.seq, row.id, message))
            previous, expected, last_event = row.hash, expected + 1, row.id
            n_rows += 1
    last_seq = expected - 1
    if last_seq < state.head_seq:
        message = (
            f"第 {expected} 至 {state.head_seq} 条（最新的记录）被删除 / rows {expected}"
            f"–{state.head_seq} (the newest) were removed"
        )
        return ChainReport(n_rows, state.head_seq, ChainProblem(expected, None, message))
    if last_seq > state.head_seq or previous != state.head_hash:
        message = f"链尾与状态行不符 / the chain's end does not match its state row ({last_seq})"
        return ChainReport(n_rows, state.head_seq, ChainProblem(last_seq, last_event, message))
    return ChainReport(n_rows, state.head_seq, None)


def _purgeable_through(session: Session, state: Row[Any], before: datetime) -> int:
    """The last seq a purge at ``before`` removes: the chain's prefix older than ``before``."""
    first_kept = session.scalar(
        select(func.min(_seals.c.seq))
        .join(_events, _events.c.id == _seals.c.event_id)
        .where(_events.c.at >= before, _seals.c.seq > state.base_seq)
    )
    return int(first_kept - 1) if first_kept is not None else int(state.head_seq)


def count_purgeable(session: Session, *, before: datetime) -> int:
    """How many sealed rows ``purge_sealed_before`` would delete now (reads only)."""
    state = session.execute(select(_states).where(_states.c.id == STATE_ID)).one_or_none()
    if state is None:
        return 0
    return max(0, _purgeable_through(session, state, before) - int(state.base_seq))


def purge_sealed_before(session: Session, *, before: datetime) -> int:
    """Delete the oldest rows of the chain, up to the first row at or after ``before``, and
    anchor the chain on the last deleted row's hash; the number of rows deleted.

    The deleted rows are a prefix of the chain (by seq), so all of them are older than
    ``before``; a rare row older than ``before`` sealed after a newer one stays until the next
    purge. The state's ``purge_before`` is the permit the database triggers check, set only
    inside this transaction."""
    key = _required_key(session)
    _seal(session, key, None)
    state = _lock_state(session)
    if state is None or not _chain_end_is_consistent(session, key, state):
        raise Invalid(_("审计链未通过校验，不能清理"), code="audit.chain_broken")
    through = _purgeable_through(session, state, before)
    if through <= state.base_seq:
        return 0
    anchor = session.scalar(select(_seals.c.hash).where(_seals.c.seq == through))
    session.execute(update(_states).where(_states.c.id == STATE_ID).values(purge_before=before))
    n_deleted = 0
    for low in range(state.base_seq + 1, through + 1, BATCH):
        high = min(low + BATCH - 1, through)
        in_range = _seals.c.seq.between(low, high)
        event_ids = list(session.scalars(select(_seals.c.event_id).where(in_range)))
        session.execute(delete(_links).where(_links.c.event_id.in_(event_ids)))
        session.execute(delete(_seals).where(in_range))
        session.execute(delete(_events).where(_events.c.id.in_(event_ids)))
        n_deleted += len(event_ids)
    session.execute(
        update(_states)
        .where(_states.c.id == STATE_ID)
        .values(
            base_seq=through,
            base_hash=anchor,
            purge_before=None,
            mac=_state_mac(key, through, str(anchor), state.head_seq, state.head_hash),
        )
    )
    return n_deleted


def link_students(session: Session, event_id: int, student_ids: Iterable[int]) -> int:
    """Record the students one audited view showed, in one INSERT; the number recorded."""
    rows = [{"event_id": event_id, "student_id": s} for s in sorted(set(student_ids))]
    if rows:
        session.execute(insert(_links), rows)
    return len(rows)
