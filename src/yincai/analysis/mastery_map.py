"""A class's mastery map: students × knowledge points of one subject, each cell the stored level
and its band (``diagnosis.levels``: 需要巩固 / 基本掌握 / 熟练, 暂无作答, 尚未学习).

The columns are the subject's points the class has met (taught to it, ``diagnosis.teaching``, or
of a lower grade), in curriculum order; on request the points not yet taught follow, every cell
尚未学习. Rows are the students, weakest overall first: a student's overall level is the mean of
their levels over the met points they have evidence on.

Pure: ``analysis.learner`` reads the estimates through the diagnosis service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yincai.diagnosis import levels
from yincai.diagnosis.levels import MasteryBand
from yincai.science.base import BoolArray, FloatArray, IntArray

SHOWS_LEVEL = (MasteryBand.NEEDS_WORK, MasteryBand.BASIC, MasteryBand.PROFICIENT)


@dataclass(frozen=True)
class MapColumn:
    """A knowledge point of the map."""

    kp_id: int
    code: str
    name: str
    is_taught: bool


@dataclass(frozen=True)
class MapCell:
    """One student's level on one point (None where the band shows no level) and its band."""

    level: float | None
    band: MasteryBand

    @property
    def word(self) -> str:
        return levels.BAND_WORDS[self.band]


@dataclass(frozen=True)
class MapRow:
    """A student's row: the overall level (None without evidence) and one cell per column."""

    student_id: int
    student_number: str
    name: str
    overall: float | None
    cells: list[MapCell]


@dataclass(frozen=True)
class MasteryMap:
    """The class's map in one subject."""

    school_class_id: int
    class_name: str
    school_name: str
    subject_code: str
    subject_name: str
    columns: list[MapColumn]
    rows: list[MapRow]
    n_not_taught: int  # the subject's points not yet taught (hidden unless asked for)
    shows_not_taught: bool


def build_rows(
    *,
    student_ids: list[int],
    student_numbers: list[str],
    student_names: list[str],
    mastery: FloatArray,
    n_evidence: IntArray,
    is_taught: BoolArray,
) -> list[MapRow]:
    """Rows of the map from the stored levels (n_students, n_points) and evidence counts of the
    columns kept, and whether each column has been taught; weakest overall first."""
    level = np.asarray(mastery, dtype=np.float64)
    counts = np.asarray(n_evidence, dtype=np.int64)
    taught = np.asarray(is_taught, dtype=bool)
    if level.shape != counts.shape or level.shape[1:] != taught.shape:
        raise ValueError(
            f"mastery {level.shape}, n_evidence {counts.shape} and is_taught {taught.shape} differ"
        )
    rows = []
    for i, student_id in enumerate(student_ids):
        cells = []
        for k in range(taught.size):
            band = levels.band(
                float(level[i, k]),
                n_evidence=int(counts[i, k]),
                is_taught=bool(taught[k]) or counts[i, k] > 0,
            )
            shown = float(level[i, k]) if band in SHOWS_LEVEL else None
            cells.append(MapCell(shown, band))
        counted = taught & (counts[i] > 0)
        overall = float(level[i, counted].mean()) if counted.any() else None
        rows.append(MapRow(student_id, student_numbers[i], student_names[i], overall, cells))
    # weakest first; students without evidence last; then by number
    rows.sort(
        key=lambda r: (r.overall is None, r.overall if r.overall is not None else 0.0,
                       r.student_number)
    )  # fmt: skip
    return rows
