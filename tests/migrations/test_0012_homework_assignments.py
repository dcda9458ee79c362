"""Upgrading a database that holds homework attempts and assessments to the homework revision:
they are kept, unlinked and without a due time."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import upgrade

ROWS = [
    "INSERT INTO district (id, code, name) VALUES (1, 'D', '区')",
    "INSERT INTO subject (id, code, name) VALUES (1, 'MATH', '数学')",
    "INSERT INTO school (id, district_id, code, name, setting, stage)"
    " VALUES (1, 1, 'S', '一中', 'urban', 'junior')",
    "INSERT INTO grade (id, school_id, level, name) VALUES (1, 1, 7, '七年级')",
    "INSERT INTO school_class (id, school_id, grade_id, name) VALUES (1, 1, 1, '七年级（1）班')",
    "INSERT INTO student (id, district_id, school_class_id, student_number, name, gender)"
    " VALUES (1, 1, 1, 'S1', '学生', 'male')",
    "INSERT INTO assessment (id, code, name, kind, held_on, subject_id, grade_level, district_id)"
    " VALUES (1, 'HW1', '第1周作业', 'homework', '2026-09-01', 1, 7, 1)",
    "INSERT INTO learning_event (id, student_id, activity, is_correct, score, occurred_at, source)"
    " VALUES (1, 1, 'Q1', true, 1.0, '2026-09-01 12:00:00+00:00', 'homework')",
]


def test_attempts_and_assessments_survive_unlinked_and_without_a_due_time(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261204_0011")
        with engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        upgrade(engine)
        with engine.connect() as connection:
            due = connection.execute(text("SELECT due_at FROM assessment")).scalar_one()
            event = connection.execute(
                text("SELECT activity, assessment_id FROM learning_event")
            ).one()
            connection.execute(text("UPDATE learning_event SET assessment_id = 1"))
            foreign_keys = inspect(connection).get_foreign_keys("learning_event")
        assert due is None
        assert tuple(event) == ("Q1", None)
        assert any(
            fk["referred_table"] == "assessment" and fk["constrained_columns"] == ["assessment_id"]
            for fk in foreign_keys
        )
    finally:
        engine.dispose()
