"""Read CSV and spreadsheet sheets into text rows and match their headers against known aliases.

Rows keep the number a teacher sees in Excel, so every error can point at the cell to fix. CSV
files may be UTF-8 (with or without BOM) or GBK/GB18030, as Excel on Chinese Windows saves them;
blank lines are skipped but still counted. Spreadsheets (XLSX, XLSM, XLS, ODS) are read with
calamine: hidden sheets are ignored, and title rows or a two-row (merged) header above the data
are recognised when the caller names the headers it knows.

A file is refused before it is parsed when it would unpack to more than ``MAX_UNPACKED_BYTES``
(a zip bomb) or holds more than ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import python_calamine

from yincai.errors import Invalid, RowError
from yincai.i18n import _

FULL_WIDTH = str.maketrans("（）：；，　", "():;, ")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIPPED_SUFFIXES = (".xlsx", ".xlsm", ".ods")
MAX_ROWS = 200_000  # a district-wide sheet of one exam has tens of thousands of rows
MAX_UNPACKED_BYTES = 100 * 2**20  # a 30 000-row score sheet unpacks to ~25 MB of XML
HEADER_SEARCH_ROWS = 15  # title rows above the header are looked through this far
_HEADER_NOISE = re.compile(r"[\s_\-]+")
_UNPACK_CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    """One sheet: its name in errors, the header cells and the non-blank data rows."""

    file_name: str
    header: list[str]
    rows: list[list[str]]  # stripped text, padded to the header's width
    row_numbers: list[int]  # the Excel row number of each entry of ``rows``
    header_row: int = 1  # the Excel row of the header (below any title rows)


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
            _("文件编码无法识别，请另存为 UTF-8 或 GBK"), code="import.encoding"
        ) from error


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


def read_csv(path: Path, data: bytes, *, known_headers: Collection[str] = ()) -> Table:
    """Parse a CSV file's bytes into a table."""
    _check_row_count(path.name, data.count(b"\n"))
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    return _table(path.name, list(reader), known_headers)


def read_sheets(
    path: Path, data: bytes | None = None, *, known_headers: Collection[str] = ()
) -> dict[str, Table]:
    """Every visible sheet of a spreadsheet, by sheet name, in workbook order."""
    data = path.read_bytes() if data is None else data
    if path.suffix.lower() in ZIPPED_SUFFIXES:
        check_unpacked_size(path.name, data)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise Invalid(
            _("{file}：无法读取电子表格，请用 Excel 另存为 .xlsx 后重试（{error}）").format(
                file=path.name, error=str(error)
            ),
            code="import.unreadable",
        ) from None
    tables: dict[str, Table] = {}
    try:
        for sheet in workbook.sheets_metadata:
            if sheet.visible != python_calamine.SheetVisibleEnum.Visible:
                continue  # hidden sheets hold lookups and old versions, never the data
            content = workbook.get_sheet_by_name(sheet.name)
            _check_row_count(path.name, content.total_height)
            rows = [
                [_cell_text(value) for value in row]
                for row in content.to_python(skip_empty_area=False)
            ]
            tables[sheet.name] = _table(f"{path.name}[{sheet.name}]", rows, known_headers)
    except python_calamine.CalamineError as error:
        raise Invalid(
            _("{file}：无法读取电子表格（{error}）").format(file=path.name, error=str(error)),
            code="import.unreadable",
        ) from None
    finally:
        workbook.close()
    return tables


def read_table(path: Path, data: bytes, *, known_headers: Collection[str] = ()) -> Table:
    """A CSV file, or the first visible sheet of a spreadsheet."""
    if is_excel(path):
        sheets = read_sheets(path, data, known_headers=known_headers)
        if not sheets:
            raise Invalid(
                _("{file}：没有可见的工作表").format(file=path.name), code="import.no_sheet"
            )
        return next(iter(sheets.values()))
    return read_csv(path, data, known_headers=known_headers)


def check_unpacked_size(file_name: str, data: bytes, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse a zipped spreadsheet that unpacks to more than ``limit`` bytes (a zip bomb).

    The entries are inflated and counted, not trusted from their headers, and reading stops as
    soon as the limit is passed, so even a bomb is refused in a fraction of a second.
    """
    problem = _("{file}：文件解压后超过 {mb} MB，可能是压缩炸弹或数据过多，已拒绝").format(
        file=file_name, mb=limit // 2**20
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Invalid(
            _("{file}：不是有效的 Excel 文件").format(file=file_name), code="import.not_xlsx"
        ) from None
    with archive:
        if sum(entry.file_size for entry in archive.infolist()) > limit:
            raise Invalid(problem, code="import.too_large")
        unpacked = 0
        for entry in archive.infolist():
            try:
                with archive.open(entry) as stream:
                    while chunk := stream.read(_UNPACK_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise Invalid(problem, code="import.too_large")
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as error:
                raise Invalid(
                    _("{file}：文件已损坏（{error}）").format(file=file_name, error=str(error)),
                    code="import.damaged",
                ) from None


def _check_row_count(file_name: str, n_rows: int) -> None:
    if n_rows > MAX_ROWS:
        raise Invalid(
            _("{file}：文件约有 {n} 行，超过每个文件 {limit} 行的上限，请拆分后导入").format(
                file=file_name, n=n_rows, limit=MAX_ROWS
            ),
            code="import.too_many_rows",
        )


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
            errors.append(RowError(table.file_name, 1, text, _("列重复")))
            continue
        columns[field] = index
    for field in required:
        if field not in columns:
            names = "/".join(aliases[field][:2])
            reason = _("缺少必需的列")
            errors.append(RowError(table.file_name, 1, names, reason))
    return columns


def has_columns(table: Table, aliases: Sequence[str]) -> bool:
    """Whether the table's header contains one of ``aliases``."""
    wanted = {normalise_header(alias) for alias in aliases}
    return any(normalise_header(text) in wanted for text in table.header)


def _table(file_name: str, lines: list[list[str]], known_headers: Collection[str] = ()) -> Table:
    lines = [[cell.strip() for cell in line] for line in lines]
    at = _header_index(lines, known_headers)
    if at is None:
        return Table(file_name, [], [], [])
    header = lines[at]
    below = lines[at + 1] if at + 1 < len(lines) else []
    if _is_sub_header(header, below, known_headers):
        # A two-row header (merged cells): the lower row names the columns under a group
        # ("客观题" over "1 2 3"); where it is blank, the upper cell spans both rows ("学号").
        width = max(len(header), len(below))
        header = [
            (below[i] if i < len(below) and below[i] else header[i] if i < len(header) else "")
            for i in range(width)
        ]
        at += 1
    header = list(header)
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in enumerate(lines[at + 1 :], start=at + 2):
        if not any(cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append(cells)
        numbers.append(number)
    return Table(file_name, header, rows, numbers, header_row=at + 1)


def _header_index(lines: list[list[str]], known_headers: Collection[str]) -> int | None:
    """The row of the header: the first non-blank row, or, when the caller knows its headers,
    the row among the first few that names most of them (title rows above are skipped)."""
    first = next((index for index, line in enumerate(lines) if any(line)), None)
    if first is None or not known_headers:
        return first
    known = {normalise_header(text) for text in known_headers}
    best, best_hits = first, 0
    for index in range(first, min(len(lines), first + HEADER_SEARCH_ROWS)):
        hits = sum(normalise_header(cell) in known for cell in lines[index] if cell)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _is_sub_header(header: list[str], below: list[str], known_headers: Collection[str]) -> bool:
    """Whether the row under the header continues it: it leaves blank every known column of
    the header (merged down) yet fills columns the header leaves blank (merged across)."""
    if not known_headers or not below or not any(below):
        return False
    known = {normalise_header(text) for text in known_headers}
    key_columns = [i for i, text in enumerate(header) if normalise_header(text) in known]
    if not key_columns or any(i < len(below) and below[i] for i in key_columns):
        return False
    return any(cell and (i >= len(header) or not header[i]) for i, cell in enumerate(below))


def known_headers_of(*aliases: Mapping[str, Sequence[str]]) -> set[str]:
    """Every alias of the given column tables, to recognise a header row."""
    return {alias for table in aliases for names in table.values() for alias in names}


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
    if isinstance(value, int):
        return str(value)
    return str(value).strip()
