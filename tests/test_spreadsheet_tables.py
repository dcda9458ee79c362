"""Tables written with ``write_table``: rounded to their formats, header frozen, widths fitted."""

from __future__ import annotations

import io
import math

from openpyxl import Workbook, load_workbook

from yincai.spreadsheets import INTEGER, PERCENT, SCORE, Column, rounded, write_table


def test_a_table_is_rounded_formatted_frozen_and_fitted() -> None:
    workbook = Workbook()
    sheet = workbook.active
    write_table(
        sheet,
        [Column("姓名"), Column("总分", SCORE), Column("及格率", PERCENT), Column("人数", INTEGER)],
        [["=HYPERLINK(1)", 71.249, 0.66667, 12], ["一个很长很长很长的名字", math.nan, None, 3]],
        frozen_columns=1,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    sheet = load_workbook(buffer).active
    assert [cell.value for cell in sheet[1]] == ["姓名", "总分", "及格率", "人数"]
    assert sheet["A2"].value == "'=HYPERLINK(1)"  # still inert
    assert sheet["B2"].value == 71.2 and sheet["B2"].number_format == "0.0"
    assert sheet["C2"].value == 0.667 and sheet["C2"].number_format == "0.0%"
    assert sheet["B3"].value is None  # NaN is an empty cell
    assert sheet.freeze_panes == "B2" and sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["D"].width


def test_a_second_table_on_a_sheet_starts_below_the_first() -> None:
    workbook = Workbook()
    sheet = workbook.active
    write_table(sheet, ["甲"], [[1]])
    write_table(sheet, ["乙"], [[2.55]])
    assert [row[0].value for row in sheet.iter_rows()] == ["甲", 1, "乙", 2.55]


def test_rounded_leaves_other_values_alone() -> None:
    assert rounded(1.23456, None) == 1.23456
    assert rounded("1.23456", SCORE) == "1.23456"
    assert rounded(math.inf, SCORE) is None
