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

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


@dataclass(frozen=True)
class Record:
    """One knowledge point or item: where it is, its values by field, and the headers used."""

    file: str
    row: int  # Excel row, YAML line where the entry starts, or 1-based position in a JSON list
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
    *,
    setting_keys: Sequence[str] | None = None,
) -> tuple[dict[str, list[Record]], dict[str, Any]]:
    """Records of each section (name → (sheet or key aliases, field aliases)), plus top-level
    settings of a JSON/YAML file (such as its ``subject``).

    With ``setting_keys`` a JSON/YAML document is read strictly: a top-level key that is neither
    a setting nor a section, and a key of an entry that names no field, is an error (a misspelt
    ``prerequisite:`` would otherwise be dropped without a word). Spreadsheets keep ignoring
    columns they do not know: teachers' sheets carry notes.
    """
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
    document, lines = _load_document(path, data)
    settings = {normalise_header(str(key)): value for key, value in document.items()}
    if setting_keys is not None:
        known = {normalise_header(key) for key in setting_keys}
        known |= {normalise_header(name) for names, _aliases in sections.values() for name in names}
        for key in document:
            if normalise_header(str(key)) not in known:
                line = lines.get(normalise_header(str(key)), (1, []))[0]
                errors.append(RowError(path.name, line, str(key), _("未知的键")))
    for section, (names, aliases) in sections.items():
        found = next((normalise_header(n) for n in names if normalise_header(n) in settings), None)
        entries: Any = settings[found] if found is not None else []
        key_line, entry_lines = lines.get(found or "", (1, []))
        if not isinstance(entries, list):
            errors.append(RowError(path.name, key_line, names[0], _("应为列表")))
            entries = []
        lookup = {normalise_header(a): field for field, names_ in aliases.items() for a in names_}
        records = []
        for number, entry in enumerate(entries, start=1):
            file_name = f"{path.name}[{names[0]}]"
            position = entry_lines[number - 1] if len(entry_lines) == len(entries) else number
            if not isinstance(entry, dict):
                errors.append(RowError(file_name, position, "", _("应为对象")))
                continue
            values: dict[str, Any] = {}
            headers: dict[str, str] = {}
            for key, value in entry.items():
                field = lookup.get(normalise_header(str(key)))
                if field is not None:
                    values[field], headers[field] = value, str(key)
                elif setting_keys is not None:
                    errors.append(RowError(file_name, position, str(key), _("未知的字段")))
            records.append(Record(file_name, position, values, headers))
        result[section] = records
    return result, settings


Lines = dict[str, tuple[int, list[int]]]
"""By normalised top-level key of a YAML document: the key's line and, for a list, the line
where each entry starts (1-based, as an editor numbers them)."""


def _load_document(path: Path, data: bytes) -> tuple[dict[str, Any], Lines]:
    text = decode_text(data)
    lines: Lines = {}
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(text)
        else:
            loader = _YAML_LOADER(text)
            try:
                node = loader.get_single_node()
                document = loader.construct_document(node) if node is not None else None
            finally:
                loader.dispose()
            if isinstance(node, yaml.MappingNode):
                lines = _lines(node)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise Invalid(
            _("{file}：无法解析（{error}）").format(file=path.name, error=str(error)),
            code="import.unparsable",
        ) from None
    if not isinstance(document, dict):
        raise Invalid(_("{file}：顶层应为对象").format(file=path.name), code="import.not_a_mapping")
    return document, lines


def _lines(node: yaml.MappingNode) -> Lines:
    lines: Lines = {}
    for key, value in node.value:
        entries = value.value if isinstance(value, yaml.SequenceNode) else []
        lines[normalise_header(str(key.value))] = (
            key.start_mark.line + 1,
            [entry.start_mark.line + 1 for entry in entries],
        )
    return lines
