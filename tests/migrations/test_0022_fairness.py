"""The fairness revision adds its table, and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

BEFORE = "20261214_0021"


def test_the_fairness_table_comes_and_goes_with_its_revision(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, BEFORE)
        assert "fairness_report" not in inspect(engine).get_table_names()
        upgrade(engine, "20261215_0022")
        columns = {c["name"] for c in inspect(engine).get_columns("fairness_report")}
        assert {"district_id", "version", "state", "progress", "result"} <= columns
        command.downgrade(alembic_config(engine), BEFORE)
        assert "fairness_report" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
