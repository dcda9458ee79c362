"""The OneRoster exports revision adds its table after the fairness one, and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

BEFORE = "20261215_0022"


def test_the_oneroster_export_table_comes_and_goes_with_its_revision(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, BEFORE)
        assert "oneroster_export_request" not in inspect(engine).get_table_names()
        upgrade(engine, "20261216_0023")
        columns = {c["name"] for c in inspect(engine).get_columns("oneroster_export_request")}
        assert {"district_id", "with_names", "with_results", "version", "state", "progress",
                "file_path", "message", "requested_by"} <= columns  # fmt: skip
        command.downgrade(alembic_config(engine), BEFORE)
        assert "oneroster_export_request" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
