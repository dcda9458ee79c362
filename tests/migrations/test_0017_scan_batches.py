"""Upgrading to the scan revision keeps existing data and takes batches with their sheets; the
downgrade removes the scan tables again and leaves the marking tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

ROWS = [
    "INSERT INTO district (id, code, name) VALUES (1, 'D', '区')",
    "INSERT INTO subject (id, code, name) VALUES (1, 'MATH', '数学')",
    "INSERT INTO assessment (id, code, name, kind, held_on, subject_id, grade_level, district_id)"
    " VALUES (1, 'E1', '期末', 'exam', '2026-12-01', 1, 7, 1)",
]
SCANS = [
    "INSERT INTO scan_batch (id, assessment_id, status, n_done, n_total, layout_json, folder,"
    " file_names, problems, message, n_pages, n_sheets, n_problems, created_at)"
    " VALUES (1, 1, 'done', 2, 2, '{}', 'scans/1', '[]', '[]', '', 2, 1, 0,"
    " '2026-12-01 08:00:00+00:00')",
    "INSERT INTO scan_sheet (id, scan_batch_id, student_number, answers, review, problems,"
    " sources, crops) VALUES (1, 1, '2026001', '{\"1\": \"A\"}', '{}', '[]', '{}', '{}')",
]


def test_scan_tables_come_and_go_and_keep_the_data(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261209_0016")
        with engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        upgrade(engine)
        with engine.begin() as connection:
            for row in SCANS:
                connection.execute(text(row))
            answers = connection.execute(text("SELECT answers FROM scan_sheet")).scalar_one()
        assert answers == '{"1": "A"}'
        command.downgrade(alembic_config(engine), "20261209_0016")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            name = connection.execute(text("SELECT name FROM assessment")).scalar_one()
        assert not any(t.startswith("scan_") for t in tables)
        assert "marking_session" in tables and name == "期末"
    finally:
        engine.dispose()
