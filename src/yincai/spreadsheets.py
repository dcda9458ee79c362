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
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | bool | date | datetime | None
FORMULA_STARTS = frozenset("=+-@＝＋－＠")  # full-width forms too: some programs fold them
CONTROL_STARTS = frozenset("\t\r")
IGNORED_LEAD = "\ufeff\u200b"  # byte-order mark and zero-width space, stripped like spaces
TEXT_PREFIX = "'"

# Number formats of every workbook the platform writes: scores with one or two decimals, rates
# stored as fractions and shown as percentages, counts as integers, codes as text.
SCORE = "0.0"
SCORE_2 = "0.00"
SCORE_3 = "0.000"  # p values
PERCENT = "0.0%"
INTEGER = "0"
TEXT = "@"
DECIMALS = {
    SCORE: 1,
    SCORE_2: 2,
    SCORE_3: 3,
    PERCENT: 3,
    INTEGER: 0,
}  # digits a value is rounded to
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH = 6.0, 40.0  # characters
WIDTH_SAMPLE = 500  # rows a column's width is fitted to (the first ones; a long sheet repeats)


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


def csv_bytes(rows: Iterable[Iterable[Cell]], *, byte_order_mark: bool = True) -> bytes:
    """Rows as a UTF-8 CSV, by default with a byte-order mark (Excel then reads the Chinese
    right); files for other systems (OneRoster) go without one."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig" if byte_order_mark else "utf-8")


@dataclass(frozen=True)
class Column:
    """A column of a table: its header, its number format (None: as written) and its width
    (None: fitted to the header and the values)."""

    header: str
    number_format: str | None = None
    width: float | None = None


def rounded(value: Cell, number_format: str | None) -> Cell:
    """A float rounded to the digits its number format shows (the file holds what is shown);
    NaN and infinities become empty cells."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        digits = DECIMALS.get(number_format or "")
        return value if digits is None else round(value, digits)
    return value


def text_width(value: Cell) -> float:
    """Display width of a value in characters: a Chinese character counts as two."""
    text = "" if value is None else str(value)
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def style_header(sheet: Worksheet, n_columns: int, *, row: int = 1) -> None:
    """Bold, shaded header cells and the rows above and including them frozen."""
    for index in range(1, n_columns + 1):
        cell = sheet.cell(row=row, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    sheet.freeze_panes = f"A{row + 1}"


def write_table(
    sheet: Worksheet,
    columns: Sequence[Column | str],
    rows: Iterable[Sequence[Cell]],
    *,
    frozen_columns: int = 0,
) -> None:
    """Append a header row and ``rows`` to ``sheet``: values rounded to their column's format,
    the formats set, the header styled and frozen (with the first ``frozen_columns`` columns),
    the widths fitted."""
    specs = [column if isinstance(column, Column) else Column(column) for column in columns]
    append_row(sheet, [spec.header for spec in specs])
    start = sheet.max_row  # the header's row
    widths = [text_width(spec.header) for spec in specs]
    formats = [spec.number_format for spec in specs]
    for line, values in enumerate(rows, start=start + 1):
        cells = [
            rounded(value, formats[k] if k < len(formats) else None)
            for k, value in enumerate(values)
        ]
        append_row(sheet, cells)
        for k, value in enumerate(cells[: len(specs)]):
            if formats[k] and value is not None and not isinstance(value, str):
                sheet.cell(row=line, column=k + 1).number_format = formats[k]
            if line - start <= WIDTH_SAMPLE:
                widths[k] = max(widths[k], text_width(value))
    style_header(sheet, len(specs), row=start)
    if frozen_columns:
        sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{start + 1}"
    for k, spec in enumerate(specs):
        width = spec.width or min(MAX_WIDTH, max(MIN_WIDTH, widths[k] + 2))
        sheet.column_dimensions[get_column_letter(k + 1)].width = width
