"""The account-slips revision adds its table to a database holding accounts, and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade


def test_the_slips_table_comes_and_goes_with_its_revision(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261206_0013")
        assert "account_slips" not in inspect(engine).get_table_names()
        upgrade(engine, "20261207_0014")
        columns = {c["name"] for c in inspect(engine).get_columns("account_slips")}
        assert {"content", "expires_at", "n_accounts", "state"} <= columns
        command.downgrade(alembic_config(engine), "20261206_0013")
        assert "account_slips" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
