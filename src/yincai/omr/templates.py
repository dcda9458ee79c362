"""A template file, whichever format it is in: our sheet layout JSON or an OMRChecker template."""

from __future__ import annotations

import json
from pathlib import Path

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.omr.layout import SheetLayout
from yincai.omr.omrchecker import template_layout


def load_layout(path: Path) -> SheetLayout:
    """Our layout (it has ``pages``) or an OMRChecker ``template.json`` (it has ``fieldBlocks``)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid(
            _("模板文件无法读取：{path}").format(path=path.name), code="omr.bad_template"
        ) from None
    if isinstance(data, dict) and "fieldBlocks" in data:
        return template_layout(data, exam_id=path.parent.name or "omrchecker")
    if isinstance(data, dict) and "pages" in data:
        return SheetLayout.from_json(text)
    raise Invalid(
        _("{path} 既不是答题卡版式，也不是 OMRChecker 模板").format(path=path.name),
        code="omr.bad_template",
    )
