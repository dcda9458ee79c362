"""The mastery map's rows: stored levels, bands, 尚未学习 for untaught points, weakest first."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.analysis.mastery_map import build_rows
from yincai.diagnosis.levels import MasteryBand


def test_rows_carry_levels_bands_and_are_sorted_weakest_first() -> None:
    rows = build_rows(
        student_ids=[1, 2, 3],
        student_numbers=["S1", "S2", "S3"],
        student_names=["甲", "乙", "丙"],
        mastery=np.array([[0.9, 0.85, 0.3], [0.2, 0.4, 0.3], [0.6, 0.5, 0.5]]),
        n_evidence=np.array([[3, 2, 0], [4, 1, 0], [0, 0, 0]]),
        is_taught=np.array([True, True, False]),
    )
    assert [r.student_id for r in rows] == [2, 1, 3]  # no evidence at all: last
    weakest = rows[0]
    assert weakest.overall == pytest.approx(0.3)
    assert [c.band for c in weakest.cells] == [
        MasteryBand.NEEDS_WORK,
        MasteryBand.NEEDS_WORK,
        MasteryBand.NOT_TAUGHT,
    ]
    assert weakest.cells[0].level == 0.2 and weakest.cells[2].level is None
    assert str(weakest.cells[2].word) == "尚未学习"
    assert rows[1].cells[0].band is MasteryBand.PROFICIENT
    assert rows[2].overall is None and rows[2].cells[0].band is MasteryBand.NO_EVIDENCE


def test_shapes_must_agree() -> None:
    with pytest.raises(ValueError, match="differ"):
        build_rows(
            student_ids=[1],
            student_numbers=["S1"],
            student_names=["甲"],
            mastery=np.zeros((1, 2)),
            n_evidence=np.zeros((1, 3), dtype=np.int64),
            is_taught=np.ones(2, dtype=bool),
        )
