"""The geometry of an answer sheet, shared by the printer and the reader (one rule, one place).

A sheet is a list of pages measured in *units* (millimetres for our own sheets, template pixels
for an OMRChecker layout), with the origin at the top-left corner of the page. Each page has four
registration anchors (the centres of the corner marks, clockwise from top-left) and, on our own
sheets, a row of small page-number squares beside the bottom-left mark, so the pages of a
multi-page sheet are told apart even when the QR code cannot be read. Bubbles belong to fields
(a choice item, one digit of the student number); a subjective item has a boxed region that is
cut out for marking.

``build_layout`` lays out a sheet from a plain description of an assessment (``ItemSpec``);
``SheetLayout.to_json`` / ``from_json`` store it with a printed exam.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from yincai.errors import Invalid
from yincai.i18n import _

ItemKind = Literal["single", "multiple", "truefalse", "fill", "short", "essay"]
FieldKind = Literal["single", "multiple", "truefalse", "digit"]
Registration = Literal["marks", "page", "none"]
CHOICE_KINDS = ("single", "multiple", "truefalse")
SUBJECTIVE_KINDS = ("fill", "short", "essay")
OPTION_LETTERS = "ABCDEFGH"
TRUE_FALSE_VALUES = ("T", "F")
STUDENT_FIELD_PREFIX = "student_number."
STUDENT_GROUP = "student_number"
LAYOUT_VERSION = 1

# Geometry of our own sheets, in millimetres. A bubble is 4 mm wide: room for a 2B pencil stroke
# and a printed letter; options 6 mm apart and rows 5 mm apart keep a 60-item sheet on one page.
A4 = (210.0, 297.0)
A3_LANDSCAPE = (420.0, 297.0)
MARK_SIZE = 6.0  # side of a corner mark
MARK_INSET = 8.0  # page edge to the outer edge of a mark (printers leave ~5 mm blank)
PAGE_BIT_SIZE = 3.0  # the page-number squares beside the bottom-left mark
PAGE_BIT_STEP = 5.0
PAGE_BITS = 4  # pages 1–15
BUBBLE_RADIUS = 2.0
OPTION_STEP = 6.0
ROW_STEP = 5.0
DIGIT_STEP = 4.6  # the 0–9 bubbles of one student-number column
COLUMN_MARGIN = 15.0  # page edge to a column's content
COLUMN_WIDTH = 180.0
BLOCK_ROWS = 5  # choice items per block (a block: 5 rows under one another)
BLOCK_GAP = 5.0
LABEL_WIDTH = 8.0
QR_SIZE = 20.0
HEADER_TOP = 18.0
CONTENT_BOTTOM_GAP = 14.0  # content stops this far above the bottom marks' row
MM_PER_POINT = 4.0  # a subjective box is 4 mm tall per point of full score …
REGION_MIN = 24.0  # … at least this tall (a fill-in line and the score box) …
REGION_MAX = 150.0  # … and at most this (an essay continues on a lined page when longer)


@dataclass(frozen=True)
class ItemSpec:
    """One item of an assessment as the sheet needs it."""

    label: str
    kind: ItemKind
    full_score: float
    n_options: int = 4


@dataclass(frozen=True)
class Bubble:
    """A bubble's centre (units) and the value it stands for."""

    x: float
    y: float
    value: str


@dataclass(frozen=True)
class Field:
    """The bubbles of one answer: a choice item or one digit of the student number."""

    label: str
    kind: FieldKind
    page: int
    bubbles: tuple[Bubble, ...]


@dataclass(frozen=True)
class Region:
    """The box of a subjective item (top-left corner and size, units)."""

    label: str
    page: int
    x: float
    y: float
    width: float
    height: float
    full_score: float


@dataclass(frozen=True)
class Page:
    """One page: its size, its four anchors (TL, TR, BR, BL) and its page-number squares."""

    number: int
    width: float
    height: float
    anchors: tuple[tuple[float, float], ...]
    bits: tuple[tuple[float, float], ...] = ()  # centres, bit k = 2**k
    qr: tuple[float, float, float] | None = None  # x, y, size of the QR code


@dataclass(frozen=True)
class SheetLayout:
    """Everything the printer draws and the reader looks at."""

    exam_id: str
    title: str
    units: str  # "mm" or "px"
    pages: tuple[Page, ...]
    fields: tuple[Field, ...]
    regions: tuple[Region, ...] = ()
    bubble_radius: float = BUBBLE_RADIUS
    mark_size: float = MARK_SIZE
    registration: Registration = "marks"
    student_number_width: int = 0
    joins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # joined digit columns
    columns: int = 1

    def page(self, number: int) -> Page:
        for page in self.pages:
            if page.number == number:
                return page
        raise Invalid(_("答题卡没有第 {page} 页").format(page=number), code="omr.no_page")

    def fields_on(self, number: int) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.page == number)

    def regions_on(self, number: int) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.page == number)

    def to_json(self) -> str:
        data = asdict(self)
        data["version"] = LAYOUT_VERSION
        return json.dumps(data, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> SheetLayout:
        try:
            data = json.loads(text)
            if data.pop("version", None) != LAYOUT_VERSION:
                raise ValueError("version")
            return _from_dict(data)
        except (ValueError, KeyError, TypeError) as problem:
            raise Invalid(
                _("答题卡版式文件无法读取：{reason}").format(reason=str(problem)),
                code="omr.bad_layout",
            ) from None


def _from_dict(data: dict[str, Any]) -> SheetLayout:
    pages = tuple(
        Page(
            number=int(p["number"]),
            width=float(p["width"]),
            height=float(p["height"]),
            anchors=tuple((float(x), float(y)) for x, y in p["anchors"]),
            bits=tuple((float(x), float(y)) for x, y in p["bits"]),
            qr=None
            if p["qr"] is None
            else (float(p["qr"][0]), float(p["qr"][1]), float(p["qr"][2])),
        )
        for p in data["pages"]
    )
    fields = tuple(
        Field(
            label=str(f["label"]),
            kind=f["kind"],
            page=int(f["page"]),
            bubbles=tuple(
                Bubble(float(b["x"]), float(b["y"]), str(b["value"])) for b in f["bubbles"]
            ),
        )
        for f in data["fields"]
    )
    regions = tuple(Region(**r) for r in data["regions"])
    return SheetLayout(
        exam_id=str(data["exam_id"]),
        title=str(data["title"]),
        units=str(data["units"]),
        pages=pages,
        fields=fields,
        regions=regions,
        bubble_radius=float(data["bubble_radius"]),
        mark_size=float(data["mark_size"]),
        registration=data["registration"],
        student_number_width=int(data["student_number_width"]),
        joins={k: tuple(v) for k, v in data["joins"].items()},
        columns=int(data["columns"]),
    )


def _corner_page(number: int, size: tuple[float, float], *, has_qr: bool) -> Page:
    width, height = size
    near = MARK_INSET + MARK_SIZE / 2
    anchors = (
        (near, near),
        (width - near, near),
        (width - near, height - near),
        (near, height - near),
    )
    first_bit = near + MARK_SIZE / 2 + PAGE_BIT_STEP
    bits = tuple((first_bit + k * PAGE_BIT_STEP, height - near) for k in range(PAGE_BITS))
    qr = (width - COLUMN_MARGIN - QR_SIZE, HEADER_TOP, QR_SIZE) if has_qr else None
    return Page(number, width, height, anchors, bits, qr)


class _Flow:
    """Places blocks top to bottom in the columns of successive pages."""

    def __init__(self, size: tuple[float, float], columns: int, top: float) -> None:
        self.size = size
        self.columns = columns
        self.page = 1
        self.column = 0
        self.y = top
        self.bottom = size[1] - MARK_INSET - MARK_SIZE - CONTENT_BOTTOM_GAP

    @property
    def x(self) -> float:
        return COLUMN_MARGIN + self.column * (self.size[0] / self.columns)

    def place(self, height: float) -> tuple[int, float, float]:
        """The page, x and y of a block of ``height``; moves to the next column when full."""
        if self.y + height > self.bottom:
            self.column += 1
            if self.column == self.columns:
                self.column = 0
                self.page += 1
            self.y = HEADER_TOP + QR_SIZE + 6.0  # later pages: only the QR and page title above
        placed = (self.page, self.x, self.y)
        self.y += height
        return placed


def student_number_fields(x: float, y: float, width: int, page: int = 1) -> tuple[Field, ...]:
    """The digit columns of the student number: a write-in box on top, bubbles 0–9 below."""
    return tuple(
        Field(
            label=f"{STUDENT_FIELD_PREFIX}{column + 1}",
            kind="digit",
            page=page,
            bubbles=tuple(
                Bubble(x + column * OPTION_STEP, y + digit * DIGIT_STEP, str(digit))
                for digit in range(10)
            ),
        )
        for column in range(width)
    )


STUDENT_BUBBLES_TOP = HEADER_TOP + 24.0  # below the write-in boxes of the student number
HEADER_HEIGHT = 24.0 + 10 * DIGIT_STEP + 8.0


def build_layout(
    items: list[ItemSpec],
    *,
    exam_id: str,
    title: str = "",
    paper: Literal["A4", "A3"] = "A4",
    student_number_width: int = 8,
) -> SheetLayout:
    """Lay out an answer sheet: header with student number, choice blocks, subjective boxes."""
    _check_items(items, student_number_width)
    size, columns = (A4, 1) if paper == "A4" else (A3_LANDSCAPE, 2)
    flow = _Flow(size, columns, HEADER_TOP)
    flow.place(HEADER_HEIGHT)
    student_x = COLUMN_MARGIN + 60.0 + OPTION_STEP / 2
    fields: list[Field] = list(
        student_number_fields(student_x, STUDENT_BUBBLES_TOP, student_number_width)
    )
    fields.extend(_choice_fields(items, flow))
    regions = _regions(items, flow)
    n_pages = flow.page
    if n_pages > 2**PAGE_BITS - 1:
        raise Invalid(_("答题卡超过 15 页，请拆分考试"), code="omr.too_many_pages")
    pages = tuple(_corner_page(n, size, has_qr=True) for n in range(1, n_pages + 1))
    return SheetLayout(
        exam_id=exam_id,
        title=title,
        units="mm",
        pages=pages,
        fields=tuple(fields),
        regions=tuple(regions),
        student_number_width=student_number_width,
        joins={
            STUDENT_GROUP: tuple(
                f"{STUDENT_FIELD_PREFIX}{c + 1}" for c in range(student_number_width)
            )
        },
        columns=columns,
    )


def _check_items(items: list[ItemSpec], student_number_width: int) -> None:
    if not items:
        raise Invalid(_("考试没有题目，无法生成答题卡"), code="omr.no_items")
    if not 1 <= student_number_width <= 16:
        raise Invalid(_("准考证号位数应在 1 到 16 之间"), code="omr.bad_student_width")
    labels = [item.label for item in items]
    if len(set(labels)) != len(labels):
        raise Invalid(_("题号重复"), code="omr.duplicate_label")
    for item in items:
        if item.kind not in CHOICE_KINDS + SUBJECTIVE_KINDS:
            raise Invalid(_("未知题型：{kind}").format(kind=item.kind), code="omr.bad_kind")
        if item.kind in ("single", "multiple") and not 2 <= item.n_options <= len(OPTION_LETTERS):
            raise Invalid(
                _("第 {label} 题的选项数应在 2 到 8 之间").format(label=item.label),
                code="omr.bad_options",
            )


def _option_values(item: ItemSpec) -> tuple[str, ...]:
    if item.kind == "truefalse":
        return TRUE_FALSE_VALUES
    return tuple(OPTION_LETTERS[: item.n_options])


def _choice_fields(items: list[ItemSpec], flow: _Flow) -> list[Field]:
    """Choice items in blocks of five rows, blocks side by side across a column."""
    choices = [item for item in items if item.kind in CHOICE_KINDS]
    fields: list[Field] = []
    widest = max((len(_option_values(i)) for i in choices), default=4)
    block_width = LABEL_WIDTH + widest * OPTION_STEP + BLOCK_GAP
    per_line = max(1, math.floor((COLUMN_WIDTH + BLOCK_GAP) / block_width))
    block_height = BLOCK_ROWS * ROW_STEP + BLOCK_GAP
    blocks = [choices[i : i + BLOCK_ROWS] for i in range(0, len(choices), BLOCK_ROWS)]
    for start in range(0, len(blocks), per_line):
        page, x, y = flow.place(block_height)
        for slot, block in enumerate(blocks[start : start + per_line]):
            left = x + slot * block_width + LABEL_WIDTH + OPTION_STEP / 2
            for row, item in enumerate(block):
                centre_y = y + ROW_STEP / 2 + row * ROW_STEP
                bubbles = tuple(
                    Bubble(left + k * OPTION_STEP, centre_y, value)
                    for k, value in enumerate(_option_values(item))
                )
                fields.append(Field(item.label, item.kind, page, bubbles))  # type: ignore[arg-type]
    return fields


def _regions(items: list[ItemSpec], flow: _Flow) -> list[Region]:
    regions = []
    for item in items:
        if item.kind not in SUBJECTIVE_KINDS:
            continue
        height = min(REGION_MAX, max(REGION_MIN, item.full_score * MM_PER_POINT))
        page, x, y = flow.place(height + 3.0)
        regions.append(Region(item.label, page, x, y, COLUMN_WIDTH, height, item.full_score))
    return regions
