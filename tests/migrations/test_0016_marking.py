"""Upgrading to the marking revision keeps existing data, the unique keys that make hand-outs
safe are in place, and the downgrade removes the marking tables again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import alembic_config, upgrade

ROWS = [
    "INSERT INTO district (id, code, name) VALUES (1, 'D', '区')",
    "INSERT INTO subject (id, code, name) VALUES (1, 'MATH', '数学')",
    "INSERT INTO assessment (id, code, name, kind, held_on, subject_id, grade_level, district_id)"
    " VALUES (1, 'E1', '期末', 'exam', '2026-12-01', 1, 7, 1)",
    "INSERT INTO assessment_item (id, assessment_id, position, label, full_score)"
    " VALUES (1, 1, 1, '13', 10)",
]
MARKING = [
    "INSERT INTO user_account (id, username, password_hash, role, display_name, district_id,"
    " is_active, created_at, must_change_password)"
    " VALUES (1, 'm', 'x', 'teacher', '教师', 1, true, '2026-12-01 08:00:00+00:00', false)",
    "INSERT INTO marking_session (id, assessment_id, mode, status, claim_timeout_s, created_at)"
    " VALUES (1, 1, 'double_third', 'open', 600, '2026-12-01 08:00:00+00:00')",
    "INSERT INTO marking_task (id, marking_session_id, assessment_item_id, tolerance, status)"
    " VALUES (1, 1, 1, 1.0, 'open')",
    "INSERT INTO marking_answer (id, marking_task_id, queue_position, is_check, n_required,"
    " status) VALUES (1, 1, 5, false, 2, 'marking')",
    "INSERT INTO marking_mark (id, marking_answer_id, marker_id, slot, live_slot, live_marker_id,"
    " claimed_at) VALUES (1, 1, 1, 1, 1, 1, '2026-12-01 08:00:00+00:00')",
]
SAME_MARKER_AGAIN = (
    "INSERT INTO marking_mark (id, marking_answer_id, marker_id, slot, live_slot, live_marker_id,"
    " claimed_at) VALUES (2, 1, 1, 2, 2, 1, '2026-12-01 08:00:00+00:00')"
)


def test_marking_tables_come_and_go_and_keep_the_data(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261208_0015")
        with engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        upgrade(engine)
        with engine.begin() as connection:
            for row in MARKING:
                connection.execute(text(row))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(SAME_MARKER_AGAIN))
        command.downgrade(alembic_config(engine), "20261208_0015")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            label = connection.execute(text("SELECT label FROM assessment_item")).scalar_one()
        assert not any(name.startswith("marking_") for name in tables)
        assert label == "13"
    finally:
        engine.dispose()
