"""Every cell the platform writes to an XLSX or CSV file passes through ``neutralise``.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` sends a reader to another site, ``=cmd|...`` runs a program on old Excel),
and some also when a tab, a carriage return or spaces come first. Names of schools, classes,
students and assessments come from imported files, so any of them may be such a string. A text
cell that could start a formula is written with a leading apostrophe: it is shown as the text it
was, never evaluated, and stays inert when copied out again as CSV. Numbers stay numeric cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | bool | date | datetime | None
FORMULA_STARTS = frozenset("=+-@＝＋－＠")  # full-width forms too: some programs fold them
CONTROL_STARTS = frozenset("\t\r")
IGNORED_LEAD = "\ufeff\u200b"  # byte-order mark and zero-width space, stripped like spaces
TEXT_PREFIX = "'"


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program could read ``text`` as a formula."""
    if text[:1] in CONTROL_STARTS:
        return True
    lead = text.lstrip().lstrip(IGNORED_LEAD).lstrip()
    return lead[:1] in FORMULA_STARTS


def neutralise(value: Cell) -> Cell:
    """The value to write: formula-like text behind an apostrophe, anything else unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return TEXT_PREFIX + value
    return value


def append_row(sheet: Worksheet, values: Iterable[Cell]) -> None:
    """Append one row to a worksheet, every text cell neutralised (the only way rows are added)."""
    sheet.append([neutralise(value) for value in values])


def csv_bytes(rows: Iterable[Iterable[Cell]]) -> bytes:
    """Rows as a UTF-8 CSV with a byte-order mark (Excel then reads the Chinese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")
