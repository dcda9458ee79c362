"""Shared fixtures: every database test runs once per backend (SQLite always, PostgreSQL when
``YINCAI_TEST_DATABASE_URL`` is set), each backend in a fresh database or schema.

pytest keeps one value of a parametrised session fixture at a time: each time a worker moves
from the SQLite tests of a file to its PostgreSQL ones it tears the fixtures of the ``backend``
down and builds them again. The shared database and the demo district are therefore kept in
per-process caches keyed by backend, built once per worker and per backend."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from tests.governance.demo_actors import actors, scoped_session
from yincai.config import Settings
from yincai.db import make_engine
from yincai.migrations import upgrade

POSTGRES_URL = os.environ.get("YINCAI_TEST_DATABASE_URL")
# Hundreds of short-lived test apps would each load the maths typesetter in the background.
os.environ.setdefault("YINCAI_WARM_UP", "false")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def _new_settings(backend: str, data_dir: Path, created_schemas: list[str]) -> Settings:
    if backend == "sqlite":
        return Settings(data_dir=data_dir)
    assert POSTGRES_URL is not None
    schema = f"yincai_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    created_schemas.append(schema)
    return Settings(data_dir=data_dir, database_url=POSTGRES_URL, database_schema=schema)


@pytest.fixture(scope="session")
def _schemas() -> Iterator[list[str]]:
    created: list[str] = []
    yield created
    if POSTGRES_URL and created:
        admin = create_engine(POSTGRES_URL)
        try:
            for schema in created:  # one transaction each: dropping all at once runs out of locks
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Callable[[], Settings]:
    """A factory of fresh, migrated, empty databases (for CLI and process-level tests)."""

    def make() -> Settings:
        settings = _new_settings(backend, tmp_path_factory.mktemp("data"), _schemas)
        if backend == "sqlite":
            shutil.copyfile(_migrated_sqlite(tmp_path_factory), settings.sqlite_path)
            return settings
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()
        return settings

    return make


_MIGRATED: dict[str, Path] = {}  # "sqlite" → an empty migrated database file of this process


def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest migration, made once per process: a fresh
    database is a copy of it (migrating one takes seconds; tests/migrations test migrating)."""
    if "sqlite" not in _MIGRATED:
        settings = Settings(data_dir=tmp_path_factory.mktemp("migrated"))
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()  # the last connection closed: the write-ahead log is folded in
        _MIGRATED["sqlite"] = settings.sqlite_path
    return _MIGRATED["sqlite"]


_SHARED: dict[str, Settings] = {}  # backend → the shared migrated database
_DEMOS: dict[str, Settings] = {}  # backend → the demo district


@pytest.fixture(scope="session")
def settings(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Settings:
    """One migrated database per backend, shared by the tests that roll back their work."""
    if backend not in _SHARED:
        settings = _new_settings(backend, tmp_path_factory.mktemp("shared"), _schemas)
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()
        _SHARED[backend] = settings
    return _SHARED[backend]


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, even if the code under test commits."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


DEMO_STUDENTS = (
    600  # small enough for every test run, large enough for every school to have classes
)


@pytest.fixture(scope="session")
def demo_settings(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Settings:
    """A database holding a small demo district (seed 0) and its mastery estimates (as ``yincai
    demo`` leaves it), built once per backend; read-only."""
    if backend not in _DEMOS:
        _DEMOS[backend] = _build_demo(backend, tmp_path_factory, _schemas)
    return _DEMOS[backend]


def _build_demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, schemas: list[str]
) -> Settings:
    from yincai.db import session_scope
    from yincai.demo.build import build_demo_district
    from yincai.demo.subjects import SUBJECTS
    from yincai.diagnosis.refresh import refresh_mastery

    settings = _new_settings(backend, tmp_path_factory.mktemp("demo"), schemas)
    engine = make_engine(settings)
    upgrade(engine)
    with session_scope(engine) as session:
        build_demo_district(
            session, ground_truth_path=settings.ground_truth_path, n_students=DEMO_STUDENTS, seed=0
        )
    for subject in SUBJECTS:
        refresh_mastery(engine, subject_code=subject.code)
    engine.dispose()
    return settings


__all__ = ["actors", "scoped_session"]  # fixtures of the services' scope and audit tests
