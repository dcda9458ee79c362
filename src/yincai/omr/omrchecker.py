"""The open OMRChecker ``template.json`` layout, read into our ``SheetLayout`` (units: template px).

What is read: ``pageDimensions`` (the page is resized to it), ``bubbleDimensions`` (global, or per
block), ``fieldBlocks`` with ``origin`` (top-left of the first bubble), ``fieldLabels`` (ranges
such as ``"q1..20"`` included), ``bubblesGap`` (between the bubbles of one field), ``labelsGap``
(between fields; a number or a list of gaps), ``fieldType`` (``QTYPE_MCQ4``, ``QTYPE_MCQ5``,
``QTYPE_INT``, ``QTYPE_INT_FROM_1``) or custom ``bubbleValues`` with ``direction``;
``customLabels`` (fields joined into one value, such as digit columns into a roll number; the first
whose name contains "roll" is the student number) and ``preProcessors``:

- ``CropOnMarkers``: four dark markers whose centres are the corners of the template's page
  (OMRChecker crops the scan to the markers' centres before resizing);
- ``CropPage``: the paper's edges are the corners;
- blur and levels filters are not needed by our reader and are skipped; an aligner we do not
  implement (``FeatureBasedAlignment``, ``CropOnLogo``) is refused with a clear error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.omr.layout import STUDENT_GROUP, Bubble, Field, Page, Registration, SheetLayout

FIELD_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "QTYPE_INT": (tuple("0123456789"), "vertical"),
    "QTYPE_INT_FROM_1": (tuple("1234567890"), "vertical"),
    "QTYPE_MCQ4": (tuple("ABCD"), "horizontal"),
    "QTYPE_MCQ5": (tuple("ABCDE"), "horizontal"),
}
SKIPPED_PREPROCESSORS = ("GaussianBlur", "MedianBlur", "Levels")
UNSUPPORTED_PREPROCESSORS = ("FeatureBasedAlignment", "CropOnLogo")
DEFAULT_MARKER_RATIO = 17.0  # page width / marker width when a template does not say
LABEL_RANGE = re.compile(r"^([^\d]+)(\d+)\.{2,3}(\d+)$")


def _bad(reason: str) -> Invalid:
    return Invalid(
        _("OMRChecker 模板有误：{reason}").format(reason=reason), code="omr.bad_template"
    )


def parse_labels(labels: list[str]) -> list[str]:
    """``["q1..3", "roll"]`` → ``["q1", "q2", "q3", "roll"]``."""
    parsed: list[str] = []
    for label in labels:
        match = LABEL_RANGE.match(str(label))
        if match is None:
            parsed.append(str(label))
            continue
        prefix, start, end = match.group(1), int(match.group(2)), int(match.group(3))
        if end < start:
            raise _bad(_("标签范围 {label} 倒置").format(label=label))
        parsed.extend(f"{prefix}{n}" for n in range(start, end + 1))
    return parsed


def load_template(text: str, *, exam_id: str = "omrchecker") -> SheetLayout:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise _bad(str(problem)) from None
    if not isinstance(data, dict):
        raise _bad(_("不是 JSON 对象"))
    return template_layout(data, exam_id=exam_id)


def _pair(data: dict[str, Any], key: str) -> tuple[float, float]:
    value = data.get(key)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) for v in value)
    ):
        raise _bad(_("{key} 应为两个数").format(key=key))
    return float(value[0]), float(value[1])


def template_layout(data: dict[str, Any], *, exam_id: str = "omrchecker") -> SheetLayout:
    """A ``SheetLayout`` from a parsed OMRChecker template."""
    width, height = _pair(
        data, "pageDimensions" if "pageDimensions" in data else "templateDimensions"
    )
    bubble = _pair(data, "bubbleDimensions")
    registration, mark_size = _registration(data.get("preProcessors", []), width)
    blocks = data.get("fieldBlocks")
    if not isinstance(blocks, dict) or not blocks:
        raise _bad(_("缺少 fieldBlocks"))
    fields: list[Field] = []
    for name, block in blocks.items():
        fields.extend(_block_fields(str(name), block, bubble))
    labels = [f.label for f in fields]
    if len(set(labels)) != len(labels):
        raise _bad(_("字段标签重复"))
    joins = {str(k): tuple(parse_labels(list(v))) for k, v in data.get("customLabels", {}).items()}
    for name, members in joins.items():
        missing = [m for m in members if m not in labels]
        if missing:
            raise _bad(
                _("customLabels {name} 引用了不存在的字段 {field}").format(
                    name=name, field=missing[0]
                )
            )
    roll = next((name for name in joins if "roll" in name.lower()), None)
    if roll is not None:
        joins[STUDENT_GROUP] = joins[roll]
    corners = ((0.0, 0.0), (width, 0.0), (width, height), (0.0, height))
    return SheetLayout(
        exam_id=exam_id,
        title="",
        units="px",
        pages=(Page(1, width, height, corners),),
        fields=tuple(fields),
        bubble_radius=min(bubble) / 2,
        mark_size=mark_size,
        registration=registration,
        student_number_width=len(joins.get(STUDENT_GROUP, ())),
        joins=joins,
    )


def _registration(preprocessors: Any, width: float) -> tuple[Registration, float]:
    if not isinstance(preprocessors, list):
        raise _bad(_("preProcessors 应为列表"))
    registration: Registration = "none"
    mark_size = width / DEFAULT_MARKER_RATIO
    for processor in preprocessors:
        name = processor.get("name") if isinstance(processor, dict) else None
        options = processor.get("options", {}) if isinstance(processor, dict) else {}
        if name == "CropOnMarkers":
            registration = "marks"
            if "markerDimensions" in options:
                mark_size = float(options["markerDimensions"][0])
            elif "sheetToMarkerWidthRatio" in options:
                mark_size = width / float(options["sheetToMarkerWidthRatio"])
        elif name == "CropPage":
            registration = "page"
        elif name in UNSUPPORTED_PREPROCESSORS:
            raise _bad(_("暂不支持预处理 {name}").format(name=name))
        elif name not in SKIPPED_PREPROCESSORS:
            raise _bad(_("未知的预处理 {name}").format(name=name))
    return registration, mark_size


def _block_fields(name: str, block: Any, bubble: tuple[float, float]) -> list[Field]:
    if not isinstance(block, dict):
        raise _bad(_("字段块 {name} 应为对象").format(name=name))
    field_type = block.get("fieldType", block.get("bubbleFieldType"))
    if field_type is not None:
        if field_type not in FIELD_TYPES:
            raise Invalid(
                _("字段块 {name} 的题型 {type} 无法识别").format(name=name, type=field_type),
                code="omr.unknown_field_type",
            )
        values, direction = FIELD_TYPES[field_type]
    elif "bubbleValues" in block and "direction" in block:
        values, direction = tuple(str(v) for v in block["bubbleValues"]), str(block["direction"])
    else:
        raise _bad(_("字段块 {name} 缺少 fieldType 或 bubbleValues/direction").format(name=name))
    values = tuple(str(v) for v in block.get("bubbleValues", values))
    direction = str(block.get("direction", direction))
    if direction not in ("horizontal", "vertical"):
        raise _bad(_("字段块 {name} 的 direction 应为 horizontal 或 vertical").format(name=name))
    try:
        origin = _pair(block, "origin")
        bubbles_gap = float(block["bubblesGap"])
        labels = parse_labels(list(block["fieldLabels"]))
        gaps_value = block["labelsGap"]
    except (KeyError, TypeError, ValueError):
        raise _bad(
            _("字段块 {name} 缺少 origin、bubblesGap、labelsGap 或 fieldLabels").format(name=name)
        ) from None
    gaps = (
        list(gaps_value)
        if isinstance(gaps_value, list)
        else [float(gaps_value)] * max(0, len(labels) - 1)
    )
    if len(gaps) < len(labels) - 1:
        raise _bad(_("字段块 {name} 的 labelsGap 个数不足").format(name=name))
    size = _pair(block, "bubbleDimensions") if "bubbleDimensions" in block else bubble
    kind = "digit" if field_type in ("QTYPE_INT", "QTYPE_INT_FROM_1") else "single"
    fields = []
    offset = 0.0
    for index, label in enumerate(labels):
        if index:
            offset += float(gaps[index - 1])
        centres = []
        for k, value in enumerate(values):
            along = k * bubbles_gap
            dx, dy = (along, offset) if direction == "horizontal" else (offset, along)
            centres.append(
                Bubble(origin[0] + dx + size[0] / 2, origin[1] + dy + size[1] / 2, value)
            )
        fields.append(Field(label, kind, 1, tuple(centres)))  # type: ignore[arg-type]
    return fields
