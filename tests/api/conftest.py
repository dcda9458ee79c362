"""Fixtures of the API tests: the scope world (fresh per test) and logged-in clients."""

from __future__ import annotations

from tests.web.conftest import world_db

__all__ = ["world_db"]
