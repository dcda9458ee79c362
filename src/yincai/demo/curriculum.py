"""The demo's curriculum as knowledge-point specs, read from the YAML content the build imports.

The content lives in ``demo/content/<subject>/curriculum.yaml``, in the hub's item-bank format
(docs/content-format.md): the build imports that file through the hub's item-bank importer, and
the simulation reads the same file here, so both see one curriculum. The junior-high maths
curriculum (人教版 初中数学, grades 7–9) keeps its textbook chapter and section numbers; codes read
``M{grade}{A|B}.{chapter}.{section}.{point}``, e.g. ``M7A.01.03.01`` is the first point of 七上 1.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal

import yaml

from yincai.hub.importers.items import SECTIONS
from yincai.hub.importers.knowledge_points import KP_FIELDS, SEMESTERS, codes_of
from yincai.hub.importers.parsing import parse_grade, parse_kp_level
from yincai.hub.importers.tabular import normalise_header

Level = Literal["subject", "chapter", "section", "point"]

MATH_CURRICULUM = resources.files("yincai.demo") / "content" / "math" / "curriculum.yaml"
_FIELD_OF_KEY = {
    normalise_header(alias): field for field, names in KP_FIELDS.items() for alias in names
}


@dataclass(frozen=True)
class KnowledgePointSpec:
    """One node of the knowledge-point tree; ``prerequisites`` only on level ``point``.

    ``grade`` and ``semester`` are 0 where the content gives none (the subject's root);
    ``order`` is the node's place in the file, its teaching order.
    """

    code: str
    name: str
    level: Level
    parent_code: str | None
    grade: int
    semester: int
    order: int
    prerequisites: tuple[str, ...] = ()


def load_curriculum(source: Traversable) -> list[KnowledgePointSpec]:
    """The knowledge points of a curriculum file in file order, grade and semester inherited
    from the parent as the importer inherits them; ValueError names an entry it cannot read."""
    document = yaml.load(source.read_text(encoding="utf-8"), Loader=_LOADER)
    entries = next(
        (value for key, value in document.items() if normalise_header(str(key)) in _SECTION),
        None,
    )
    if not isinstance(entries, list):
        raise ValueError(f"{source.name}: no list of knowledge_points")
    nodes: list[KnowledgePointSpec] = []
    by_code: dict[str, KnowledgePointSpec] = {}
    for order, entry in enumerate(entries):
        values = {_FIELD_OF_KEY.get(normalise_header(str(k))): v for k, v in entry.items()}
        if None in values:
            raise ValueError(f"{source.name}: entry {order + 1} has an unknown key")
        parent = _text(values.get("parent")) or None
        if parent is not None and parent not in by_code:
            raise ValueError(f"{source.name}: entry {order + 1} comes before its parent {parent}")
        inherited = by_code[parent] if parent is not None else None
        grade, semester = _text(values.get("grade")), _text(values.get("semester"))
        level = _text(values.get("level"))
        node = KnowledgePointSpec(
            code=_text(values["code"]),
            name=_text(values["name"]),
            level=parse_kp_level(level).value if level else "point",
            parent_code=parent,
            grade=parse_grade(grade) if grade else inherited.grade if inherited else 0,
            semester=SEMESTERS[semester] if semester else inherited.semester if inherited else 0,
            order=order,
            prerequisites=tuple(codes_of(values.get("prerequisites"))),
        )
        nodes.append(node)
        by_code[node.code] = node
    return nodes


def junior_math_curriculum() -> list[KnowledgePointSpec]:
    """The junior-high maths tree in teaching order, parents before children."""
    return load_curriculum(MATH_CURRICULUM)


def points_of(nodes: list[KnowledgePointSpec]) -> list[KnowledgePointSpec]:
    """Only the ``point``-level nodes, in teaching order."""
    return [node for node in nodes if node.level == "point"]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECTION = {normalise_header(name) for name in SECTIONS["kps"][0]}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
