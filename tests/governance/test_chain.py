"""The audit log's hash chain: sealed at commit, one chain under concurrent writers on both
backends, and every kind of tampering (change, removal in the middle, removal of the newest
rows, a forged state row) named by ``verify``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.governance.audit_rows import write_old_audit_rows
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import Invalid
from yincai.governance import chain
from yincai.governance import service as governance_service
from yincai.governance.models import AuditChainState, AuditEvent, AuditEventStudent, AuditSeal

AUDIT_TABLES = ("audit_event", "audit_event_student", "audit_seal", "audit_chain_state")


def _write(engine: Engine, n_events: int, *, first: int = 1) -> None:
    for number in range(first, first + n_events):
        with session_scope(engine) as session:
            governance_service.audit(
                session,
                actor=None,
                action="view_roster",
                object_type="school_class",
                object_id=number,
                student_ids=[number, number + 1000],
            )


def _tamper(settings: Settings, *statements: str) -> None:
    """Run SQL as someone with raw database access would: triggers and foreign keys off."""
    if settings.database_url is None:
        connection = sqlite3.connect(settings.sqlite_path)
        connection.execute("PRAGMA foreign_keys=OFF")
        triggers = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall()
        for (name,) in triggers:
            connection.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
        connection.close()
        return
    engine = make_engine(settings)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def _verify(settings: Settings) -> chain.ChainReport:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        report = governance_service.verify_audit_chain(session)
    engine.dispose()
    return report


@pytest.fixture
def logged(make_database: Callable[[], Settings]) -> tuple[Settings, dict[int, int]]:
    """A database with six audit rows written by three threads at once; seq → audit row id."""
    settings = make_database()
    engine = make_engine(settings)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda thread: _write(engine, 2, first=10 * thread + 1), range(3)))
    with Session(engine) as session:
        seqs = dict(session.execute(select(AuditSeal.seq, AuditSeal.event_id)).all())
    engine.dispose()
    return settings, seqs


def test_rows_are_sealed_when_their_transaction_commits(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, seqs = logged
    engine = make_engine(settings)
    with Session(engine) as session:
        event_ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        state = session.get(AuditChainState, 1)
        links = session.scalar(select(func.count()).select_from(AuditEventStudent))
    engine.dispose()
    assert sorted(seqs) == [1, 2, 3, 4, 5, 6]
    assert sorted(seqs.values()) == event_ids  # each row sealed once
    assert state is not None and state.head_seq == 6 and state.mac != ""
    assert links == 12
    report = _verify(settings)
    assert report.is_intact and report.n_rows == 6


def test_a_rolled_back_transaction_leaves_no_row_and_no_seal(
    make_database: Callable[[], Settings],
) -> None:
    engine = make_engine(make_database())
    with Session(engine) as session:
        governance_service.audit(
            session, actor=None, action="login", object_type="user_account", object_id=1
        )
        session.rollback()
        session.commit()  # nothing pending any more: the rolled-back row is not sealed
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditSeal)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    engine.dispose()


def test_concurrent_writers_build_one_unbroken_chain(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    n_threads, n_each = 8, 6

    def writer(thread: int) -> None:
        _write(engine, n_each, first=thread * 100)

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(writer, range(n_threads)))
    with Session(engine) as session:
        seqs = list(session.scalars(select(AuditSeal.seq).order_by(AuditSeal.seq)))
        sealed = session.scalar(select(func.count(func.distinct(AuditSeal.event_id))))
        n_events = session.scalar(select(func.count()).select_from(AuditEvent))
    engine.dispose()
    assert n_events == n_threads * n_each
    assert seqs == list(range(1, n_threads * n_each + 1))  # no fork, no gap
    assert sealed == n_events
    report = _verify(settings)
    assert report.is_intact and report.n_rows == n_threads * n_each


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET object_id = '999'",
        "DELETE FROM audit_event",
        "UPDATE audit_event_student SET student_id = 1",
        "DELETE FROM audit_event_student",
        "UPDATE audit_seal SET hash = 'x'",
        "DELETE FROM audit_seal",
        "DELETE FROM audit_chain_state",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(
    logged: tuple[Settings, dict[int, int]], statement: str
) -> None:
    settings, _seqs = logged
    engine = make_engine(settings)
    with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    engine.dispose()
    assert _verify(settings).is_intact


def test_verify_names_the_changed_row(logged: tuple[Settings, dict[int, int]]) -> None:
    settings, seqs = logged
    _tamper(settings, f"UPDATE audit_event SET object_id = '77' WHERE id = {seqs[3]}")
    problem = _verify(settings).problem
    assert problem is not None
    assert (problem.seq, problem.event_id) == (3, seqs[3])
    assert "被改动" in problem.message


def test_verify_notices_a_student_removed_from_a_view(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, seqs = logged
    _tamper(settings, f"DELETE FROM audit_event_student WHERE event_id = {seqs[2]}")
    problem = _verify(settings).problem
    assert problem is not None and (problem.seq, problem.event_id) == (2, seqs[2])


def test_verify_names_a_removed_row_in_the_middle(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, seqs = logged
    gone = seqs[4]
    _tamper(
        settings,
        f"DELETE FROM audit_event_student WHERE event_id = {gone}",
        f"DELETE FROM audit_seal WHERE event_id = {gone}",
        f"DELETE FROM audit_event WHERE id = {gone}",
    )
    problem = _verify(settings).problem
    assert problem is not None and problem.seq == 4
    assert "被删除" in problem.message and str(seqs[3]) in problem.message


def test_verify_names_a_row_removed_but_its_seal_kept(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, seqs = logged
    _tamper(
        settings,
        f"DELETE FROM audit_event_student WHERE event_id = {seqs[5]}",
        f"DELETE FROM audit_event WHERE id = {seqs[5]}",
    )
    problem = _verify(settings).problem
    assert problem is not None and (problem.seq, problem.event_id) == (5, seqs[5])


def test_verify_notices_the_newest_rows_removed(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, seqs = logged
    newest = (seqs[5], seqs[6])
    _tamper(
        settings,
        f"DELETE FROM audit_event_student WHERE event_id IN {newest}",
        f"DELETE FROM audit_seal WHERE event_id IN {newest}",
        f"DELETE FROM audit_event WHERE id IN {newest}",
    )
    problem = _verify(settings).problem
    assert problem is not None and problem.seq == 5
    assert "最新" in problem.message


def test_a_rewound_state_row_is_neither_accepted_nor_extended(
    logged: tuple[Settings, dict[int, int]],
) -> None:
    settings, _seqs = logged
    # Someone without the key rewinds the head to hide the newest rows; they cannot sign it.
    _tamper(settings, "UPDATE audit_chain_state SET head_seq = 4")
    engine = make_engine(settings)
    _write(engine, 1, first=50)  # the request still succeeds; its row stays unsealed
    with Session(engine) as session:
        n_seals = session.scalar(select(func.count()).select_from(AuditSeal))
    engine.dispose()
    assert n_seals == 6
    problem = _verify(settings).problem
    assert problem is not None and problem.seq is None and "状态行" in problem.message


def test_rows_written_without_the_key_are_sealed_later(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    engine.update_execution_options(yincai_audit_key=b"")  # an engine made elsewhere
    _write(engine, 2)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditSeal)) == 0
    engine.dispose()
    report = _verify(settings)  # verify seals what is pending first
    assert report.is_intact and report.n_rows == 2


def test_purge_deletes_old_rows_and_the_chain_still_verifies(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    write_old_audit_rows(engine, [400, 300, 250, 10, 1])
    with session_scope(engine) as session:
        n_deleted = governance_service.purge_audit_events(
            session, before=datetime.now(UTC) - timedelta(days=200)
        )
    with Session(engine) as session:
        kept = sorted(session.scalars(select(AuditEvent.object_id)))
        actions = set(session.scalars(select(AuditEvent.action)))
        state = session.get(AuditChainState, 1)
        orphans = session.scalar(select(func.count()).select_from(AuditEventStudent).where(
            AuditEventStudent.student_id.in_([1, 2, 3])))  # fmt: skip
    engine.dispose()
    assert n_deleted == 3
    assert "audit_purge" in actions and {"4", "5"} <= set(kept) and "1" not in kept
    assert state is not None and state.base_seq == 3 and state.purge_before is None
    assert orphans == 0
    report = _verify(settings)
    assert report.is_intact and report.n_rows == 3  # two kept rows and the purge's own row


def test_purge_refuses_a_cutoff_younger_than_183_days(
    make_database: Callable[[], Settings],
) -> None:
    engine = make_engine(make_database())
    write_old_audit_rows(engine, [100])
    with Session(engine) as session, pytest.raises(Invalid, match="183"):
        governance_service.purge_audit_events(
            session, before=datetime.now(UTC) - timedelta(days=100)
        )
    engine.dispose()


def test_after_a_purge_removing_the_first_kept_row_is_noticed(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    write_old_audit_rows(engine, [400, 300, 5])
    with session_scope(engine) as session:
        governance_service.purge_audit_events(
            session, before=datetime.now(UTC) - timedelta(days=200)
        )
    with Session(engine) as session:
        first_kept = session.scalar(select(AuditSeal.event_id).where(AuditSeal.seq == 3))
    engine.dispose()
    _tamper(
        settings,
        f"DELETE FROM audit_event_student WHERE event_id = {first_kept}",
        f"DELETE FROM audit_seal WHERE event_id = {first_kept}",
        f"DELETE FROM audit_event WHERE id = {first_kept}",
    )
    problem = _verify(settings).problem
    assert problem is not None and problem.seq == 3
