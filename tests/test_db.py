from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import yincai.governance.models
import yincai.hub.models  # noqa: F401
from yincai.db import Base
from yincai.hub.models import District


def test_migrations_create_exactly_the_tables_the_models_declare(engine: Engine) -> None:
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
