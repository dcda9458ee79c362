"""A class's homework table as an XLSX workbook: one row per student, percent formats, the
header frozen; the same figures as the page (``homework.service``)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from yincai.homework.service import ClassHomework
from yincai.i18n import Message, _
from yincai.spreadsheets import append_row

PERCENT = "0.0%"
HEADER: list[Message] = [
    _("学号"),
    _("姓名"),
    _("布置"),
    _("完成"),
    _("按时"),
    _("迟交"),
    _("缺交"),
    _("完成率"),
    _("正确率"),
    _("缺交较多"),
]
PERCENT_COLUMNS = ("H", "I")


def class_workbook_bytes(report: ClassHomework, language: str) -> bytes:
    """The workbook of one class and subject (every student: the service gave them all)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = report.subject.code if report.subject else "-"
    append_row(sheet, [label.render(language) for label in HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    yes = _("是").render(language)
    for row in report.students:
        totals = row.totals
        append_row(
            sheet,
            [
                row.student_number,
                row.name,
                totals.assigned,
                totals.completed,
                totals.on_time,
                totals.late,
                totals.missing,
                totals.completion_rate,
                totals.accuracy,
                yes if row.has_many_missing else "",
            ],
        )
    for column in PERCENT_COLUMNS:
        for cell in sheet[column][1:]:
            cell.number_format = PERCENT
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
