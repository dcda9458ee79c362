"""Fixtures of the web tests: a fresh database holding the two-district scope world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.governance.world import World, build_world
from yincai.config import Settings
from yincai.db import make_engine, session_scope


@dataclass(frozen=True)
class WorldDatabase:
    settings: Settings
    world: World


@pytest.fixture
def world_db(make_database: Callable[[], Settings]) -> WorldDatabase:
    """A fresh database with the scope world committed (function-scoped: tests may write)."""
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
    engine.dispose()
    return WorldDatabase(settings, world)
