"""Score-import throughput: a 100 000-student × 25-item exam CSV into a fresh SQLite database.

Run by ``yincai bench import`` and ``make bench``.

Builds the roster, the assessment and the score sheet in a temporary folder, then times
``hub_service.import_scores`` end to end (read, validate, write, commit) and prints rows/second,
where a row is one stored item score.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.hub import service as hub_service
from yincai.migrations import upgrade

N_STUDENTS = 100_000
N_ITEMS = 25
STUDENTS_PER_CLASS = 50
CLASSES_PER_SCHOOL = 20
FULL_SCORES = [3.0] * 12 + [4.0] * 4 + [6.0] * 6 + [12.0] * 3  # a 120-point paper


def build_files(folder: Path, n_students: int, seed: int = 0) -> tuple[Path, Path]:
    """Write the roster and the score sheet of ``n_students`` students; return their paths."""
    rng = np.random.default_rng(seed)
    roster = folder / "roster.csv"
    scores = folder / "scores.csv"
    numbers = [f"S{index:07d}" for index in range(n_students)]
    classes = [index // STUDENTS_PER_CLASS for index in range(n_students)]
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["学校代码", "学校", "类型", "学段", "年级", "班级", "学号", "姓名", "性别"]
        )
        for number, class_index in zip(numbers, classes, strict=True):
            school = class_index // CLASSES_PER_SCHOOL
            writer.writerow(
                [
                    f"SCH{school:03d}",
                    f"第{school}中学",
                    "城区",
                    "初中",
                    "七年级",
                    f"{class_index % CLASSES_PER_SCHOOL + 1}班",
                    number,
                    f"学生{number[1:]}",
                    "男" if class_index % 2 else "女",
                ]
            )
    full = np.array(FULL_SCORES)
    matrix = np.floor(rng.random((n_students, N_ITEMS)) * (full + 1))
    labels = [str(index + 1) for index in range(N_ITEMS)]
    with scores.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["学号", "姓名", "班级", "总分", *labels])
        for number, class_index, row in zip(numbers, classes, matrix.tolist(), strict=True):
            cells = [f"{value:g}" for value in row]
            writer.writerow(
                [
                    number,
                    f"学生{number[1:]}",
                    f"七年级{class_index % 20 + 1}班",
                    f"{sum(row):g}",
                    *cells,
                ]
            )
    return roster, scores


def run(n_students: int = N_STUDENTS) -> list[dict[str, Any]]:
    """Measure the score import; one result row for the benchmark collector."""
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        roster, scores = build_files(folder, n_students)
        settings = Settings(data_dir=folder / "data")
        engine = make_engine(settings)
        upgrade(engine)
        with session_scope(engine) as session:
            hub_service.import_roster(session, path=roster, district_code="BENCH")
            hub_service.create_assessment(
                session,
                code="EXAM1",
                name="七年级数学期中",
                held_on=date(2025, 11, 10),
                subject_code="数学",
                grade_level=7,
                items=[(str(i + 1), full) for i, full in enumerate(FULL_SCORES)],
            )
        started = time.perf_counter()
        with session_scope(engine) as session:
            summary = hub_service.import_scores(session, path=scores, assessment_code="EXAM1")
        seconds = time.perf_counter() - started
        engine.dispose()
    rows = summary.count("score").new
    return [
        {
            "suite": "import",
            "case": f"scores-{n_students}x{N_ITEMS}",
            "metrics": {
                "rows": rows,
                "seconds": round(seconds, 3),
                "rows_per_second": round(rows / seconds),
            },
        }
    ]
