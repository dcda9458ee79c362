"""A writable copy of the shared (read-only) demo district, for tests that must write to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yincai.config import Settings


def writable_demo_copy(demo: Settings, target: Path) -> Settings:
    """The demo's data folder copied (database file, keys, ground truth): SQLite only; on
    PostgreSQL the test is skipped (its write paths are tested on fresh schemas elsewhere)."""
    if demo.database_url:
        pytest.skip("writes to a copied SQLite demo; PostgreSQL writes are tested elsewhere")
    shutil.copytree(demo.data_dir, target)
    return Settings(data_dir=target)
