"""Database plumbing: the declarative Base, the engine (SQLite or PostgreSQL), session scope."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import DeclarativeBase, Session

from yincai.config import Settings
from yincai.field_encryption import FieldKeyring, bind_keyring, key_from_file

_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)

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
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine)
    else:
        connect_args: dict[str, Any] = {}
        if settings.database_schema:
            connect_args["options"] = f"-csearch_path={settings.database_schema}"
        engine = create_engine(
            url, connect_args=connect_args, pool_pre_ping=True, hide_parameters=True
        )
    bind_keyring(engine, lambda: field_keyring(settings))
    return engine


def field_keyring(settings: Settings) -> FieldKeyring:
    """The configured field key (and earlier ones), or the data dir's key file, made once."""
    primary = settings.field_key or key_from_file(settings.field_key_path)
    return FieldKeyring.from_text(primary, settings.field_keys_previous.split(","))


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite defers BEGIN and so breaks SAVEPOINTs: we issue BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
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
