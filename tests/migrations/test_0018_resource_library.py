"""Upgrading to the library revision keeps existing resources (with empty new tags) and takes
passages; the downgrade removes the passages and the new columns again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

ROWS = [
    "INSERT INTO subject (id, code, name) VALUES (1, 'MATH', '数学')",
    "INSERT INTO resource (id, code, title, kind, subject_id) VALUES (1, 'R1', '讲义', '讲义', 1)",
]


def test_resource_columns_and_passages_come_and_go_and_keep_the_data(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261210_0017")
        with engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        upgrade(engine)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO resource_chunk (resource_id, position, heading, text, tokens)"
                    " VALUES (1, 1, '要点', '绝对值', '绝对值')"
                )
            )
            kept = connection.execute(
                text("SELECT title, licence, sha256, grade_level FROM resource")
            ).one()
        assert tuple(kept) == ("讲义", "", "", None)
        command.downgrade(alembic_config(engine), "20261210_0017")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            columns = {c["name"] for c in inspect(connection).get_columns("resource")}
            title = connection.execute(text("SELECT title FROM resource")).scalar_one()
        assert "resource_chunk" not in tables and "licence" not in columns and title == "讲义"
    finally:
        engine.dispose()
