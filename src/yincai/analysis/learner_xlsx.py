"""A class's mastery map as an XLSX workbook: the same matrix as the page (levels as percent
cells, the words where a cell has no level), the bands in words, and the points with their codes."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yincai.analysis.mastery_map import MasteryMap
from yincai.spreadsheets import Cell, append_row

PERCENT = "0%"
FIXED_COLUMNS = 3  # 学号, 姓名, 总体


def mastery_workbook(view: MasteryMap) -> Workbook:
    """Sheets 掌握度 (levels), 掌握情况 (bands in words) and 知识点 (codes, taught or not)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    header: list[Cell] = ["学号", "姓名", "总体掌握度", *(c.name for c in view.columns)]
    levels = workbook.create_sheet("掌握度")
    words = workbook.create_sheet("掌握情况")
    for sheet in (levels, words):
        append_row(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = (
            f"{get_column_letter(FIXED_COLUMNS + 1)}2"  # a string: a cell would be created
        )
    for row in view.rows:
        append_row(
            levels,
            [row.student_number, row.name, row.overall]
            + [c.level if c.level is not None else str(c.word) for c in row.cells],
        )
        append_row(
            words, [row.student_number, row.name, row.overall] + [str(c.word) for c in row.cells]
        )
        for sheet in (levels, words):
            sheet.cell(row=sheet.max_row, column=FIXED_COLUMNS).number_format = PERCENT
        for k, cell in enumerate(row.cells):
            if cell.level is not None:
                levels.cell(
                    row=levels.max_row, column=FIXED_COLUMNS + 1 + k
                ).number_format = PERCENT
    for sheet in (levels, words):
        sheet.column_dimensions[get_column_letter(2)].width = 10
    points = workbook.create_sheet("知识点")
    append_row(points, ["编码", "知识点", "本班已学"])
    for column in view.columns:
        append_row(points, [column.code, column.name, "是" if column.is_taught else "否"])
    return workbook


def mastery_workbook_bytes(view: MasteryMap) -> bytes:
    buffer = BytesIO()
    mastery_workbook(view).save(buffer)
    return buffer.getvalue()
