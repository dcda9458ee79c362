"""Fixtures of the marking tests: fresh migrated databases that live for a test module (a site
built once and read by several tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import _new_settings
from yincai.config import Settings
from yincai.db import make_engine
from yincai.migrations import upgrade


@pytest.fixture(scope="module")
def make_module_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Callable[[], Settings]:
    def make() -> Settings:
        settings = _new_settings(backend, tmp_path_factory.mktemp("marking"), _schemas)
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()
        return settings

    return make
