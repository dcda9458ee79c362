"""A read-only session on the shared demo district (its estimates computed), for this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine


@pytest.fixture(scope="module")
def demo_session(demo_settings: Settings) -> Iterator[Session]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        yield session
        session.rollback()
    engine.dispose()
