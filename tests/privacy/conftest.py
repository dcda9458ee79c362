"""Fixtures of the privacy tests: the scope world in a fresh database (these tests write)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.governance.world import build_world
from tests.web.conftest import WorldDatabase
from yincai.config import Settings
from yincai.db import make_engine, session_scope


@pytest.fixture
def world_db(make_database: Callable[[], Settings]) -> WorldDatabase:
    """A fresh database with the scope world committed."""
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
    engine.dispose()
    return WorldDatabase(settings, world)
