"""Score-import throughput: a 100 000-student × 25-item exam CSV into a fresh SQLite database.

Run by ``yincai bench import`` and ``make bench``.

Builds the roster, the assessment and the score sheet in a temporary folder, then times
``hub_service.import_scores`` end to end (read, validate, write, commit) and prints rows/second,
where a row is one stored item score; then the preview of a corrected sheet (reads only), its
confirmed import (updates), the revert of that import, reading a 50 000-row XLSX, and how fast
a zip bomb is refused.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import Invalid
from yincai.hub import service as hub_service
from yincai.hub.importers import tabular
from yincai.migrations import upgrade

XLSX_ROWS = 50_000  # the sheet that took 67 s through openpyxl

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
    """Measure the score import and the import workflow; result rows for the collector."""
    case = f"scores-{n_students}x{N_ITEMS}"
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        roster, scores = build_files(folder, n_students)
        (folder / "corrected").mkdir()
        _, corrected = build_files(folder / "corrected", n_students, seed=1)
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
        seconds, summary = _timed_import(engine, scores)
        n_new = summary.count("score").new
        rows.append(_row(case, rows=n_new, seconds=seconds, rows_per_second=round(n_new / seconds)))
        started = time.perf_counter()
        with Session(engine) as session:
            plan = hub_service.preview_import(
                session, hub_service.ImportRequest("scores", corrected, assessment_code="EXAM1")
            )
        preview_s = time.perf_counter() - started
        rows.append(_row(f"{case}-preview", seconds=preview_s,
                         changed_students=plan.diff.n_changed))  # type: ignore[attr-defined]  # fmt: skip
        seconds, summary = _timed_import(engine, corrected)
        n_updated = summary.count("score").updated
        rows.append(_row(f"{case}-reimport", rows=n_updated, seconds=seconds,
                         rows_per_second=round(n_updated / seconds)))  # fmt: skip
        started = time.perf_counter()
        with session_scope(engine) as session:
            hub_service.revert_last_import(session, assessment_code="EXAM1")
        rows.append(_row(f"{case}-revert", seconds=time.perf_counter() - started))
        engine.dispose()
        rows.append(_xlsx_read(folder))
    rows.append(_zip_bomb())
    return rows


def _timed_import(engine: Any, path: Path) -> tuple[float, hub_service.ImportSummary]:
    started = time.perf_counter()
    with session_scope(engine) as session:
        summary = hub_service.import_scores(session, path=path, assessment_code="EXAM1")
    return time.perf_counter() - started, summary


def _xlsx_read(folder: Path) -> dict[str, Any]:
    """Read (and find the header of) a 50 000 × 25 score sheet saved by Excel-like software."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("成绩")
    sheet.append(["学号", *[str(i + 1) for i in range(N_ITEMS)]])
    rng = np.random.default_rng(0)
    for index, row in enumerate(rng.integers(0, 4, (XLSX_ROWS, N_ITEMS)).tolist()):
        sheet.append([f"S{index:07d}", *row])
    path = folder / "big.xlsx"
    workbook.save(path)
    data = path.read_bytes()
    started = time.perf_counter()
    table = tabular.read_table(path, data, known_headers=("学号",))
    seconds = time.perf_counter() - started
    return _row(f"xlsx-{XLSX_ROWS}x{N_ITEMS}-read", rows=len(table.rows), seconds=seconds,
                file_kb=round(len(data) / 1024))  # fmt: skip


def _zip_bomb() -> dict[str, Any]:
    """A 1 MB upload that would inflate past the limit: how long until it is refused."""
    buffer = io.BytesIO()
    chunk = b"<c><v>0</v></c>" * 65536
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream,
    ):
        for _ in range(tabular.MAX_UNPACKED_BYTES // len(chunk) * 3):
            stream.write(chunk)
    data = buffer.getvalue()
    started = time.perf_counter()
    try:
        tabular.check_unpacked_size("bomb.xlsx", data)
        refused = False
    except Invalid:
        refused = True
    return _row("zip-bomb-refusal", seconds=time.perf_counter() - started,
                file_kb=round(len(data) / 1024), refused=refused)  # fmt: skip


def _row(case: str, *, seconds: float, **metrics: Any) -> dict[str, Any]:
    return {"suite": "import", "case": case, "metrics": {"seconds": round(seconds, 3), **metrics}}
