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
def practice_engine(demo_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(demo_settings)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_session(practice_engine: Engine) -> Iterator[Session]:
    with Session(practice_engine) as session:
        yield session
        session.rollback()
