"""Load the demo's curriculum and item bank into the hub through the hub's own importer.

Each subject's curriculum is content shipped with the package
(``content/<subject>/curriculum.yaml``); the item bank is drawn from templates for each seed
(``itembank``), so it is written out in the same format and imported like a district's own
bank. Both imports validate every entry, land in the import history (origin ``demo``), and
change nothing when imported again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.demo.curriculum import MATH_CURRICULUM
from yincai.demo.itembank import ItemSpec
from yincai.domain.models import Item
from yincai.hub import service as hub_service

ORIGIN = "demo"
ITEM_FILE_NAME = "demo-items.yaml"  # as the import history names it
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def item_document(items: Sequence[ItemSpec], *, subject: str) -> dict[str, Any]:
    """The items in the item-bank format (docs/content-format.md): what the hub stores of them.

    The designed IRT parameters stay out: they are the simulation's hidden truth, not a
    difficulty a teacher has observed.
    """
    entries: list[dict[str, Any]] = []
    for item in items:
        entry: dict[str, Any] = {"code": item.code, "type": item.item_type, "stem": item.stem}
        if item.options:
            entry["options"] = list(item.options)
        entry |= {
            "answer": item.answer,
            "full_score": item.full_score,
            "kps": dict(item.kp_weights),
            "grade": item.grade,
        }
        entries.append(entry)
    return {"subject": subject, "items": entries}


def import_demo_content(
    session: Session,
    items: Sequence[ItemSpec],
    *,
    subject: str,
    curriculum: Traversable = MATH_CURRICULUM,
    item_file_name: str = ITEM_FILE_NAME,
) -> list[int]:
    """Import the subject's ``curriculum`` (maths by default), then ``items`` as the file
    ``item_file_name``; return the items' ids in order."""
    with resources.as_file(curriculum) as path:
        hub_service.import_items(session, path=path, origin=ORIGIN)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / item_file_name
        text = yaml.dump(
            item_document(items, subject=subject),
            Dumper=_DUMPER,
            allow_unicode=True,
            sort_keys=False,
            width=100,
        )
        path.write_text(text, encoding="utf-8")
        hub_service.import_items(session, path=path, origin=ORIGIN)
    codes = [item.code for item in items]
    by_code = dict(session.execute(select(Item.code, Item.id).where(Item.code.in_(codes))).all())
    return [by_code[item.code] for item in items]
