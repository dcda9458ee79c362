"""Upgrading a database that already holds assessments and scores to the joint-exam revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import upgrade


def test_assessments_with_scores_survive_and_may_join_a_joint_exam(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261207_0014")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO district (id, code, name) VALUES (1, 'D', '区')"))
            connection.execute(
                text("INSERT INTO subject (id, code, name) VALUES (1, 'MATH', '数学')")
            )
            connection.execute(
                text(
                    "INSERT INTO assessment (id, code, name, kind, held_on, subject_id,"
                    " grade_level, district_id) VALUES (1, 'E1', '七年级数学期中考试', 'exam',"
                    " '2026-11-12', 1, 7, 1)"
                )
            )
            connection.execute(  # a row referencing the assessment: SQLite cannot copy the table
                text(
                    "INSERT INTO assessment_item (id, assessment_id, position, label, full_score)"
                    " VALUES (1, 1, 1, '1', 5)"
                )
            )
        upgrade(engine)
        with engine.begin() as connection:
            assert connection.execute(text("SELECT joint_exam_id FROM assessment")).scalar() is None
            connection.execute(
                text(
                    "INSERT INTO joint_exam (id, code, name, district_id, grade_level, held_on)"
                    " VALUES (1, 'J7', '七年级期中考试', 1, 7, '2026-11-12')"
                )
            )
            connection.execute(text("UPDATE assessment SET joint_exam_id = 1"))
            n_items = connection.execute(text("SELECT count(*) FROM assessment_item")).scalar()
        assert n_items == 1
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE assessment SET joint_exam_id = 99"))
    finally:
        engine.dispose()
