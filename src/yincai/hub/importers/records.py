"""Rows of an item bank read alike from XLSX sheets, JSON or YAML lists: one ``Record`` each."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from yincai.errors import Invalid, RowError
from yincai.hub.importers.tabular import (
    decode_text,
    find_sheet,
    is_excel,
    known_headers_of,
    match_columns,
    normalise_header,
    read_sheets,
)
from yincai.i18n import _


@dataclass(frozen=True)
class Record:
    """One knowledge point or item: where it is, its values by field, and the headers used."""

    file: str
    row: int  # Excel row, or 1-based position in a JSON/YAML list
    values: dict[str, Any]
    headers: dict[str, str]

    def text(self, field: str) -> str:
        value = self.values.get(field)
        return "" if value is None else str(value).strip()

    def error(self, field: str, reason: str) -> RowError:
        return RowError(self.file, self.row, self.headers.get(field, field), reason)


def read_records(
    path: Path,
    data: bytes,
    sections: Mapping[str, tuple[Sequence[str], Mapping[str, Sequence[str]]]],
    errors: list[RowError],
) -> tuple[dict[str, list[Record]], dict[str, Any]]:
    """Records of each section (name → (sheet or key aliases, field aliases)), plus top-level
    settings of a JSON/YAML file (such as its ``subject``)."""
    result: dict[str, list[Record]] = {}
    if is_excel(path):
        known = known_headers_of(*(aliases for _, aliases in sections.values()))
        sheets = read_sheets(path, data, known_headers=known)
        for section, (names, aliases) in sections.items():
            table = find_sheet(sheets, names)
            if table is None:
                result[section] = []
                continue
            columns = match_columns(table, aliases, required=(), errors=errors)
            used = {field: table.header[index] for field, index in columns.items()}
            result[section] = [
                Record(table.file_name, number, {f: cells[i] for f, i in columns.items()}, used)
                for number, cells in zip(table.row_numbers, table.rows, strict=True)
            ]
        return result, {}
    document = _load_document(path, data)
    settings = {normalise_header(str(key)): value for key, value in document.items()}
    for section, (names, aliases) in sections.items():
        entries: Any = next(
            (settings[normalise_header(n)] for n in names if normalise_header(n) in settings), []
        )
        if not isinstance(entries, list):
            errors.append(RowError(path.name, 1, names[0], _("应为列表")))
            entries = []
        lookup = {normalise_header(a): field for field, names_ in aliases.items() for a in names_}
        records = []
        for position, entry in enumerate(entries, start=1):
            file_name = f"{path.name}[{names[0]}]"
            if not isinstance(entry, dict):
                errors.append(RowError(file_name, position, "", _("应为对象")))
                continue
            values: dict[str, Any] = {}
            headers: dict[str, str] = {}
            for key, value in entry.items():
                field = lookup.get(normalise_header(str(key)))
                if field is not None:
                    values[field], headers[field] = value, str(key)
            records.append(Record(file_name, position, values, headers))
        result[section] = records
    return result, settings


def _load_document(path: Path, data: bytes) -> dict[str, Any]:
    text = decode_text(data)
    try:
        is_json = path.suffix.lower() == ".json"
        document = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise Invalid(
            _("{file}：无法解析（{error}）").format(file=path.name, error=str(error)),
            code="import.unparsable",
        ) from None
    if not isinstance(document, dict):
        raise Invalid(_("{file}：顶层应为对象").format(file=path.name), code="import.not_a_mapping")
    return document
