"""A small school of this package's own (its tests write to it), on each backend."""

from __future__ import annotations

import pytest

from tests.classroom.world import School7, build_school
from tests.conftest import _new_settings


@pytest.fixture(scope="module")
def school(backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]) -> School7:
    """A fresh school for this module (it pushes quizzes and answers them)."""
    return build_school(_new_settings(backend, tmp_path_factory.mktemp("classroom"), _schemas))
