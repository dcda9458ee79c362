"""One engine on the demo district per backend, shared by the practice tests: the mastery model is
calibrated once per engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine


@pytest.fixture(scope="session")
def _practice_engines() -> Iterator[dict[str, Engine]]:
    """Engines by demo database, kept while the backend's fixtures switch (see tests/conftest)."""
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture(scope="session")
def practice_engine(demo_settings: Settings, _practice_engines: dict[str, Engine]) -> Engine:
    key = str(demo_settings.data_dir)
    if key not in _practice_engines:
        _practice_engines[key] = make_engine(demo_settings)
    return _practice_engines[key]


@pytest.fixture
def demo_session(practice_engine: Engine) -> Iterator[Session]:
    with Session(practice_engine) as session:
        yield session
        session.rollback()
