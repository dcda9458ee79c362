from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import Base, make_engine
from yincai.domain.models import District
from yincai.privacy.registry import load_all_models


def test_migrations_create_exactly_the_tables_the_models_declare(engine: Engine) -> None:
    load_all_models()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sqlite_enforces_foreign_keys_and_uses_wal(engine: Engine, backend: str) -> None:
    if backend != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_session_fixture_rolls_back_between_tests(session: Session) -> None:
    session.add(District(code="T1", name="测试区"))
    session.flush()
    assert session.query(District).filter_by(code="T1").count() == 1


def test_a_read_transaction_can_write_after_another_connection_committed(
    make_database: Callable[[], Settings],
) -> None:
    # On SQLite (WAL) upgrading a stale read snapshot used to fail at once with "database is
    # locked": concurrent page views that each read and then write an audit row collided.
    engine = make_engine(make_database())
    try:
        with Session(engine) as reader, Session(engine) as writer:
            assert reader.query(District).count() == 0  # the reader's snapshot starts here
            writer.add(District(code="W1", name="先写区"))
            writer.commit()
            reader.add(District(code="R1", name="后写区"))
            reader.commit()
        with Session(engine) as check:
            codes = sorted(check.scalars(select(District.code)))
        assert codes == ["R1", "W1"]
    finally:
        engine.dispose()


def test_a_failed_transaction_after_the_first_write_still_rolls_back_whole(
    make_database: Callable[[], Settings],
) -> None:
    engine = make_engine(make_database())
    try:
        with Session(engine) as session:
            session.query(District).count()
            session.add(District(code="X1", name="回滚区"))
            session.flush()
            session.add(District(code="X1", name="重复区"))  # the unique code fails the flush
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
        with Session(engine) as check:
            assert check.query(District).count() == 0
    finally:
        engine.dispose()
