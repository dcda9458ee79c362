"""The printable answer sheet (答题卡): an ``omr`` layout drawn as PDF, every element placed in
millimetres where the layout says, so the reader finds on paper exactly what it expects.

Page 1 carries the header: title, 姓名/班级 boxes, 准考证号 write-in boxes over their digit
bubbles, 填涂示例 (a correct and three wrong fills), 注意事项. Every page carries the corner marks,
its page-number squares and a QR code (exam, student number when printed for one student, page).
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from markupsafe import Markup

from yincai.omr.layout import (
    COLUMN_MARGIN,
    HEADER_TOP,
    LABEL_WIDTH,
    OPTION_STEP,
    STUDENT_BUBBLES_TOP,
    STUDENT_FIELD_PREFIX,
    SheetLayout,
)
from yincai.omr.read import qr_text
from yincai.reports import pdf

TRUE_FALSE_SIGNS = {"T": "√", "F": "×"}
NOTES = (
    "1. 答题前，考生先将姓名、班级、准考证号填写清楚，并用 2B 铅笔填涂准考证号。",
    "2. 选择题用 2B 铅笔填涂，修改时用橡皮擦干净；非选择题用黑色签字笔在各题答题区域内作答。",
    "3. 超出答题区域书写的答案无效；保持卡面清洁，不要折叠、弄破。",
)


@dataclass(frozen=True)
class Element:
    """One absolutely placed box (mm) with its CSS class and text."""

    css: str
    x: float
    y: float
    width: float
    height: float
    text: str = ""

    @property
    def style(self) -> str:
        return (
            f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;"
            f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"
        )


def _qr_uri(text: str) -> str:
    return str(segno.make(text, error="m", micro=False).svg_data_uri(border=0, scale=4))


def _page_elements(layout: SheetLayout, number: int, student_number: str) -> list[Element]:
    page = layout.page(number)
    elements: list[Element] = []
    half = layout.mark_size / 2
    for x, y in page.anchors:
        elements.append(Element("mark", x - half, y - half, layout.mark_size, layout.mark_size))
    for k, (x, y) in enumerate(page.bits):
        if number >> k & 1:
            elements.append(Element("mark", x - 1.5, y - 1.5, 3.0, 3.0))
    title = f"{layout.title}　答题卡" if layout.title else "答题卡"
    elements.append(Element("title", 20.0, 8.0, page.width - 40.0, 8.0, title))
    footer = f"第 {number} 页 / 共 {len(layout.pages)} 页"
    elements.append(Element("footer", page.width / 2 - 20.0, page.height - 13.0, 40.0, 5.0, footer))
    if number == 1 and layout.student_number_width:
        elements.extend(_header(layout))
    r = layout.bubble_radius
    for field in layout.fields_on(number):
        for bubble in field.bubbles:
            text = (
                TRUE_FALSE_SIGNS.get(bubble.value, bubble.value)
                if field.kind == "truefalse"
                else bubble.value
            )
            elements.append(
                Element("bubble", bubble.x - r, bubble.y - 0.75 * r, 2 * r, 1.5 * r, text)
            )
        if not field.label.startswith(STUDENT_FIELD_PREFIX):
            first = field.bubbles[0]
            x = first.x - OPTION_STEP / 2 - LABEL_WIDTH
            elements.append(Element("label", x, first.y - 2.0, LABEL_WIDTH - 1.0, 4.0, field.label))
    for region in layout.regions_on(number):
        elements.append(Element("region", region.x, region.y, region.width, region.height))
        caption = f"{region.label}.（{region.full_score:g} 分）"
        elements.append(Element("caption", region.x + 2.0, region.y + 1.5, 60.0, 5.0, caption))
    return elements


def _header(layout: SheetLayout) -> list[Element]:
    left = COLUMN_MARGIN
    elements = [
        Element("field", left, HEADER_TOP, 55.0, 8.0, "姓名"),
        Element("field", left, HEADER_TOP + 10.0, 55.0, 8.0, "班级"),
        Element("heading", left, HEADER_TOP + 21.0, 55.0, 5.0, "填涂示例"),
        Element("text", left, HEADER_TOP + 27.0, 14.0, 4.0, "正确："),
        Element("bubble filled", left + 14.0, HEADER_TOP + 27.5, 4.0, 3.0),
        Element("text", left + 22.0, HEADER_TOP + 27.0, 14.0, 4.0, "错误："),
        Element("bubble", left + 34.0, HEADER_TOP + 27.5, 4.0, 3.0, "√"),
        Element("bubble", left + 40.0, HEADER_TOP + 27.5, 4.0, 3.0, "×"),
        Element("bubble half", left + 46.0, HEADER_TOP + 27.5, 4.0, 3.0),
        Element("heading", left, HEADER_TOP + 34.0, 55.0, 5.0, "注意事项"),
    ]
    elements.extend(
        Element("note", left, HEADER_TOP + 40.0 + 9.0 * k, 55.0, 9.0, note)
        for k, note in enumerate(NOTES)
    )
    first = layout.fields_on(1)[0].bubbles[0] if layout.fields_on(1) else None
    if first is not None:
        x0 = first.x - OPTION_STEP / 2
        width = layout.student_number_width * OPTION_STEP
        elements.append(Element("heading center", x0, HEADER_TOP, width, 5.0, "准考证号"))
        for column in range(layout.student_number_width):
            x = x0 + column * OPTION_STEP
            elements.append(Element("digit-box", x, HEADER_TOP + 6.0, OPTION_STEP, 8.0))
        top = HEADER_TOP - 1.0
        bottom = STUDENT_BUBBLES_TOP + 9 * 4.6 + 4.0
        elements.append(Element("frame", x0 - 1.0, top, width + 2.0, bottom - top))
    return elements


def answer_sheet_html(layout: SheetLayout, *, student_number: str = "") -> str:
    """The sheet as HTML (mm-positioned), for WeasyPrint."""
    pages = []
    for page in layout.pages:
        qr = None
        if page.qr is not None:
            x, y, size = page.qr
            uri = _qr_uri(qr_text(layout.exam_id, student_number, page.number))
            qr = {
                "style": f"left:{x}mm;top:{y}mm;width:{size}mm;height:{size}mm",
                "uri": Markup(uri),
            }
        pages.append({"elements": _page_elements(layout, page.number, student_number), "qr": qr})
    first = layout.pages[0]
    return pdf.render_html(
        "answer_sheet.html",
        {"pages": pages, "width": first.width, "height": first.height, "title": layout.title},
    )


def answer_sheet_pdf(layout: SheetLayout, *, student_numbers: list[str] | None = None) -> bytes:
    """The printable sheet as PDF: one blank sheet, or one personalised sheet per student number
    (its QR code carries the number, so the student is identified without the bubbles)."""
    numbers = student_numbers or [""]
    return pdf.documents_to_pdf(answer_sheet_html(layout, student_number=n) for n in numbers)
