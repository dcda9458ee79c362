"""Fixtures of the hub tests: the scope world of the web tests, for the import pages."""

from tests.web.conftest import world_db  # noqa: F401 (a fixture, used by name)
