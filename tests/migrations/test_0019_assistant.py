"""The assistant's revision adds its two tables and goes back."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

TABLES = {"assistant_conversation", "assistant_message"}


def test_the_assistant_tables_come_and_go_with_their_revision(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261211_0018")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade(engine, "20261212_0019")
        columns = {c["name"] for c in inspect(engine).get_columns("assistant_message")}
        assert {"conversation_id", "role", "kind", "text", "is_ai_generated", "details"} <= columns
        command.downgrade(alembic_config(engine), "20261211_0018")
        assert not TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
