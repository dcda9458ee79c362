"""Database plumbing: the declarative Base, the engine (SQLite or PostgreSQL), session scope,
read-only blocks (previews) and the write lock that serialises imports."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event, text, update
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import DeclarativeBase, Session

from yincai.config import Settings
from yincai.field_encryption import FieldKeyring, bind_keyring, key_from_file

AUDIT_KEY_OPTION = "yincai_audit_key"
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
LOCK_WAIT_S = 30  # a second import waits this long for the first one, then gets a clear 409
PRIVATE_DIR_MODE = 0o700  # the data dir holds minors' data: its owner only
PRIVATE_FILE_MODE = 0o600


class ReadOnlyViolation(RuntimeError):
    """A statement tried to write inside a ``read_only`` block (a bug, never user input)."""


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def portable_enum(kind: type[enum.Enum]) -> SqlEnum:
    """An enum column stored as its string values with a CHECK, alike on SQLite and PostgreSQL."""
    return SqlEnum(
        kind,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def make_engine(settings: Settings) -> Engine:
    """An engine for the configured database; SQLite gets WAL, foreign keys, real transactions.

    SQL parameters never appear in errors or logs (``hide_parameters``): they hold names and
    numbers of students. The engine carries the keyring of encrypted fields.
    """
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        make_private_dir(settings.data_dir)
        if url == f"sqlite:///{settings.sqlite_path.resolve()}":
            _create_private_file(settings.sqlite_path)
        engine = create_engine(url, connect_args={"timeout": LOCK_WAIT_S}, hide_parameters=True)
        _guard_read_only(engine)  # first: a refused write must not reach the lock hook below
        _configure_sqlite(engine, synchronous=settings.sqlite_synchronous)
    else:
        connect_args: dict[str, Any] = {}
        if settings.database_schema:
            connect_args["options"] = f"-csearch_path={settings.database_schema}"
        engine = create_engine(
            url, connect_args=connect_args, pool_pre_ping=True, hide_parameters=True
        )
        _guard_read_only(engine)
    # The audit log seals its rows at commit (governance.chain) with this key.
    engine.update_execution_options(**{AUDIT_KEY_OPTION: settings.audit_chain_key()})
    bind_keyring(engine, lambda: field_keyring(settings))
    return engine


def field_keyring(settings: Settings) -> FieldKeyring:
    """The configured field key (and earlier ones), or the data dir's key file, made once."""
    primary = settings.field_key or key_from_file(settings.field_key_path)
    return FieldKeyring.from_text(primary, settings.field_keys_previous.split(","))


def make_private_dir(path: os.PathLike[str] | str) -> None:
    """Create ``path`` (and parents) for its owner only; an existing folder is left as it is."""
    if not os.path.isdir(path):
        os.makedirs(path, mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(path, PRIVATE_DIR_MODE)


def _create_private_file(path: os.PathLike[str] | str) -> None:
    # SQLite gives its -wal and -shm files the database file's mode: create it 600 up front.
    if not os.path.exists(path):
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
        os.close(descriptor)


def _guard_read_only(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(
        connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if connection.info.get("read_only") and _WRITES.match(statement):
            raise ReadOnlyViolation(f"write inside a read-only block: {statement[:60]}")


def _configure_sqlite(engine: Engine, *, synchronous: str) -> None:
    # pysqlite defers BEGIN and so breaks SAVEPOINTs: we issue BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a committed import survives a power cut too (NORMAL may lose the last commits).
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
        connection.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(
        connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        # WAL cannot turn a read transaction into a write once another connection has committed
        # since its snapshot ("database is locked", without waiting). So a transaction's first
        # write ends its read-only snapshot and takes the write lock, waiting its turn: SQLite
        # then behaves like PostgreSQL's default READ COMMITTED instead of failing. (Inside a
        # savepoint the outer transaction cannot be ended, and nothing changes.)
        if connection.info.get("wrote", True) or not _WRITES.match(statement):
            return
        connection.info["wrote"] = True
        if connection.in_nested_transaction():
            return
        raw = connection.connection.dbapi_connection
        raw.execute("COMMIT")
        try:
            raw.execute("BEGIN IMMEDIATE")
        except Exception:
            raw.execute("BEGIN")  # the caller's rollback then finds the transaction it expects
            raise


@contextmanager
def read_only(session: Session) -> Iterator[Session]:
    """A block of reads in a transaction of its own that cannot write: previews run in one.

    The database refuses writes too (PostgreSQL ``READ ONLY`` transaction, SQLite
    ``query_only``), and any INSERT/UPDATE/DELETE raises ``ReadOnlyViolation`` before it is
    sent. The block starts a new unit of work (the session must have nothing to write) and
    ends with a rollback.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("read_only needs a session without pending changes")
    if session.in_transaction():
        session.commit()  # ends the unit of work before (in tests: releases its savepoint)
    connection = session.connection()
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        connection.exec_driver_sql("PRAGMA query_only = ON")
    else:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    connection.info["read_only"] = True
    try:
        yield session
    finally:
        connection.info.pop("read_only", None)
        if is_sqlite:
            connection.exec_driver_sql("PRAGMA query_only = OFF")
        session.rollback()


def lock_for_write(session: Session, model: type[Base], row_id: int) -> None:
    """Take the write lock for one row now, before reading what the write will depend on.

    A no-op UPDATE: on PostgreSQL it locks the row until commit (two imports of one assessment
    run one after the other, the second reading what the first committed); on SQLite it is the
    transaction's first write, so it takes the database's write lock (``BEGIN IMMEDIATE``).
    Either waits at most ``LOCK_WAIT_S`` for a concurrent writer, then raises OperationalError.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_S}s'"))
    table = model.__table__
    assert isinstance(table, Table)  # a declarative class maps one table
    session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll everything back if it raises."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def claim_queued(
    engine: Engine,
    model: type[Base],
    row_id: int,
    *,
    state: tuple[str, enum.Enum | str, enum.Enum | str],
    **values: Any,
) -> bool:
    """Move a job's row from queued to running in one UPDATE, with ``values``; whether this
    call got it. ``state`` is (column, queued, running). A row queued twice, or built by a
    command while the worker also got its task, is claimed once."""
    table = model.__table__
    assert isinstance(table, Table)
    column, queued, running = state
    with session_scope(engine) as session:
        result = session.execute(
            update(table)
            .where(table.c.id == row_id, table.c[column] == queued)
            .values({column: running, **values})
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def mark_failed(
    engine: Engine,
    model: type[Base],
    row_id: int,
    *,
    state: tuple[str, enum.Enum | str],
    message: str,
    **values: Any,
) -> None:
    """Store a job's failure in words (``message``, cut to its column's 500 characters) and
    ``values``, in a transaction of its own: the failed work rolled back, its row says why."""
    table = model.__table__
    assert isinstance(table, Table)
    column, failed = state
    with session_scope(engine) as session:
        session.execute(
            update(table)
            .where(table.c.id == row_id)
            .values({column: failed, "message": str(message)[:500], **values})
        )
