"""Read CSV and XLSX sheets into text rows and match their headers against known aliases.

Rows keep the number a teacher sees in Excel (the header is row 1), so every error can point at
the cell to fix. CSV files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on Chinese
Windows saves them; blank lines are skipped but still counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from yincai.errors import Invalid, RowError

FULL_WIDTH = str.maketrans("（）：；，　", "():;, ")
_HEADER_NOISE = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class Table:
    """One sheet: its name in errors, the header cells and the non-blank data rows."""

    file_name: str
    header: list[str]
    rows: list[list[str]]  # stripped text, padded to the header's width
    row_numbers: list[int]  # the Excel row number of each entry of ``rows``


def normalise_header(text: str) -> str:
    """Header text compared case-, width- and spacing-insensitively: ``学 号`` = ``学号``."""
    return _HEADER_NOISE.sub("", text.translate(FULL_WIDTH)).lower()


def decode_text(data: bytes) -> str:
    """Decode a text file saved as UTF-8 (BOM or not) or, failing that, GBK/GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise Invalid(
            "文件编码无法识别，请另存为 UTF-8 或 GBK / the file is neither UTF-8 nor GBK"
        ) from error


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def read_csv(path: Path, data: bytes) -> Table:
    """Parse a CSV file's bytes into a table."""
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    return _table(path.name, list(reader))


def read_sheets(path: Path) -> dict[str, Table]:
    """Every sheet of an XLSX workbook, by sheet name, in workbook order."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            sheet.title: _table(
                f"{path.name}[{sheet.title}]",
                [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)],
            )
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def read_table(path: Path, data: bytes) -> Table:
    """A CSV file, or the first sheet of an XLSX workbook."""
    if is_excel(path):
        return next(iter(read_sheets(path).values()))
    return read_csv(path, data)


def find_sheet(sheets: Mapping[str, Table], names: Sequence[str]) -> Table | None:
    """The sheet whose name is one of ``names`` (compared like headers), if any."""
    wanted = {normalise_header(name) for name in names}
    for title, table in sheets.items():
        if normalise_header(title) in wanted:
            return table
    return None


def match_columns(
    table: Table,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Iterable[str],
    errors: list[RowError],
) -> dict[str, int]:
    """Map each known field to its column index; a missing required column is an error in row 1."""
    lookup = {normalise_header(alias): field for field, names in aliases.items() for alias in names}
    columns: dict[str, int] = {}
    for index, text in enumerate(table.header):
        field = lookup.get(normalise_header(text))
        if field is None:
            continue
        if field in columns:
            errors.append(RowError(table.file_name, 1, text, "列重复 / duplicate column"))
            continue
        columns[field] = index
    for field in required:
        if field not in columns:
            names = "/".join(aliases[field][:2])
            reason = "缺少必需的列 / required column missing"
            errors.append(RowError(table.file_name, 1, names, reason))
    return columns


def has_columns(table: Table, aliases: Sequence[str]) -> bool:
    """Whether the table's header contains one of ``aliases``."""
    wanted = {normalise_header(alias) for alias in aliases}
    return any(normalise_header(text) in wanted for text in table.header)


def _table(file_name: str, lines: list[list[str]]) -> Table:
    if not lines:
        return Table(file_name, [], [], [])
    header = [cell.strip() for cell in lines[0]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = [cell.strip() for cell in line]
        if not any(cells):
            continue
        if len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        rows.append(cells)
        numbers.append(number)
    return Table(file_name, header, rows, numbers)


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a teacher sees: 7.0 → "7", a date → ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()
