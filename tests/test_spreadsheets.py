"""Formula injection: every text cell that a spreadsheet could run is written inert."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import yincai
from yincai.spreadsheets import append_row, csv_bytes, is_formula_like, neutralise

EVIL_SCHOOL = '=HYPERLINK("http://evil.example/x","点此查看")'
FORMULAS = [
    EVIL_SCHOOL,
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\tplain after a tab",
    "\rplain after a return",
    "  =1+1",
    "\u3000=1+1",  # ideographic space
    "\ufeff=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "=cmd|' /C calc'!A0",
]
PLAIN = ["七年级（1）班", "a=b", "1-2", "", " ", "张三 = 李四", "'already quoted", "—"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_gets_an_apostrophe(text: str) -> None:
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_left_alone(text: str) -> None:
    assert not is_formula_like(text)
    assert neutralise(text) == text


@pytest.mark.parametrize("number", [-5, -2.5, 0, 3, 1e-9, True, None])
def test_numbers_stay_numbers(number: float | None) -> None:
    assert neutralise(number) is number


def test_an_xlsx_row_keeps_numbers_numeric_and_formulas_inert() -> None:
    workbook = Workbook()
    append_row(workbook.active, [EVIL_SCHOOL, -5, 2.5, "@x", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = next(iter(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows()))
    assert [cell.data_type for cell in cells[:4]] == ["s", "n", "n", "s"]
    assert cells[0].value == "'" + EVIL_SCHOOL and cells[3].value == "'@x"
    assert cells[1].value == -5 and cells[2].value == 2.5


def test_a_csv_reads_back_with_inert_text_and_plain_numbers() -> None:
    content = csv_bytes([["name", "score"], [EVIL_SCHOOL, -3], ["-x", 4.5], [None, 0]])
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["name", "score"], ["'" + EVIL_SCHOOL, "-3"], ["'-x", "4.5"], ["", "0"]]


WRITERS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(|\.to_excel\(|\bWorkbook\(|write_only=True|"
    r"\.cell\([^)]*value="
)


def test_every_spreadsheet_writer_goes_through_the_shared_module() -> None:
    """A module that writes XLSX or CSV must import ``yincai.spreadsheets`` (benchmarks'
    own result files are exempt); a new writer fails here until it does."""
    package = Path(yincai.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative == "spreadsheets.py" or relative.startswith("bench/"):
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text) and "yincai.spreadsheets import" not in text:
            offenders.append(relative)
    assert offenders == []
    assert WRITERS.search((package / "analysis" / "xlsx.py").read_text(encoding="utf-8"))
