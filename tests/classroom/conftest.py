"""A small demo district of this package's own (its tests write to it), on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import _new_settings
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.migrations import upgrade

N_STUDENTS = 240  # enough for every school of the demo plan to have classes


def build_small_demo(settings: Settings) -> Settings:
    """The demo district (seed 0) with its maths estimates, as ``yincai demo`` leaves it."""
    from yincai.demo.build import build_demo_district
    from yincai.diagnosis.refresh import refresh_mastery

    engine = make_engine(settings)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            build_demo_district(
                session,
                ground_truth_path=settings.ground_truth_path,
                n_students=N_STUDENTS,
                seed=0,
            )
        refresh_mastery(engine, subject_code="MATH")
    finally:
        engine.dispose()
    return settings


@pytest.fixture(scope="module")
def classroom_demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]
) -> Settings:
    """A fresh small demo for this module (it pushes quizzes and answers them)."""
    folder: Path = tmp_path_factory.mktemp("classroom")
    return build_small_demo(_new_settings(backend, folder, _schemas))
