"""Sheets as schools really send them: a hidden first sheet, title rows and a two-row merged
header above the data, full-width brackets in class names; and files that must be refused (a
zip bomb, too many rows) with a Chinese message before they cost anything."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.hub.builders import seed_exam, stored_scores
from yincai.domain.models import SchoolClass, Student, TeachingAssignment
from yincai.errors import Invalid
from yincai.hub import service as hub_service
from yincai.hub.importers import tabular


def test_the_visible_sheet_is_read_and_a_hidden_first_sheet_ignored(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "旧版"
    hidden.append(["学号", "1", "2", "13(1)"])
    hidden.append(["2025001", 0, 0, 0])
    hidden.sheet_state = "hidden"
    visible = workbook.create_sheet("成绩")
    visible.append(["学号", "1", "2", "13(1)"])
    visible.append(["2025001", 5, 4, 8])
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    summary = hub_service.import_scores(session, path=path, assessment_code="E1")
    assert summary.counts["score"].new == 3
    assert stored_scores(session)[("2025001", "2")] == 4


def test_title_rows_and_a_merged_two_row_header_are_recognised(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["示范区 2025 学年七年级数学月考 小题得分表"])
    sheet.merge_cells("A1:F1")
    sheet.append(["导出时间：2025-10-09"])
    sheet.append(["学号", "姓名", "客观题", None, "主观题", "总分"])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("C3:D3")
    sheet.merge_cells("F3:F4")
    sheet.append([None, None, "1", "2", "13(1)", None])
    sheet.append(["2025001", "张三", 5, 2, 10, 17])
    sheet.append(["2025002", "李四", 1, 5, 0, 6])
    path = tmp_path / "title.xlsx"
    workbook.save(path)
    summary = hub_service.import_scores(session, path=path, assessment_code="E1")
    assert summary.counts["sitting"].new == 2
    stored = stored_scores(session)
    assert (stored[("2025001", "13(1)")], stored[("2025002", "2")]) == (10, 5)


def test_a_row_error_points_at_the_excel_row_below_title_rows(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["七年级数学月考"])
    sheet.append(["学号", "1", "2", "13(1)"])
    sheet.append(["2025001", 5, 9, 8])  # Excel row 3: 9 is above the full score 5
    path = tmp_path / "bad.xlsx"
    workbook.save(path)
    with pytest.raises(Invalid) as raised:
        hub_service.import_scores(session, path=path, assessment_code="E1")
    (error,) = raised.value.details
    assert (error.row, error.column) == (3, "2")


def test_full_and_half_width_brackets_name_the_same_class(session: Session, tmp_path: Path) -> None:
    header = ["学校代码", "学校", "类型", "学段", "年级", "班级", "学号", "姓名", "性别"]
    workbook = Workbook()
    students = workbook.active
    students.title = "学生"
    students.append(header)
    students.append(
        ["S01", "城关一中", "城区", "初中", "七年级", "七年级（1）班", "2025001", "张三", "男"]
    )
    path = tmp_path / "full.xlsx"
    workbook.save(path)
    hub_service.import_roster(session, path=path, district_code="D1")
    teachers = workbook.create_sheet("教师")
    teachers.append(["工号", "姓名", "学校代码", "任教学科", "任教班级"])
    teachers.append(["T001", "陈老师", "S01", "数学", "七年级(1)班"])
    students.append(
        ["S01", "城关一中", "城区", "初中", "七年级", "七年级(1)班", "2025002", "李四", "女"]
    )
    students.append(["S01", "城关一中", "城区", "初中", "七年级", "(1)班", "2025003", "王五", "男"])
    path = tmp_path / "half.xlsx"
    workbook.save(path)
    summary = hub_service.import_roster(session, path=path, district_code="D1")
    assert summary.counts["school_class"].new == 0
    assert summary.counts["student"].updated == 0 and summary.counts["student"].new == 2
    assert session.scalar(select(func.count()).select_from(SchoolClass)) == 1
    (name,) = session.scalars(select(SchoolClass.name))
    assert name == "七年级（1）班"
    classes = set(session.scalars(select(Student.school_class_id)))
    assert len(classes) == 1
    assert session.scalar(select(TeachingAssignment.school_class_id)) in classes
    assert (
        hub_service.find_class_id(session, school_code="S01", class_name="七年级(1)班") in classes
    )


def _bomb(size: int) -> bytes:
    """A well-formed XLSX-looking zip whose one sheet inflates to ``size`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            chunk = b"0" * (1 << 20)
            for _ in range(size >> 20):
                stream.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_parsed(session: Session, tmp_path: Path) -> None:
    seed_exam(session, tmp_path)
    data = _bomb(tabular.MAX_UNPACKED_BYTES + (8 << 20))
    assert len(data) < tabular.MAX_UNPACKED_BYTES // 100  # a few hundred KB on the wire
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    with pytest.raises(Invalid, match="压缩炸弹"):
        hub_service.import_scores(session, path=path, assessment_code="E1")


def test_a_file_with_too_many_rows_is_refused_with_the_limit(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_exam(session, tmp_path)
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    path = tmp_path / "long.csv"
    path.write_text("学号,1,2,13(1)\n" + "2025001,1,1,1\n" * 5, encoding="utf-8")
    with pytest.raises(Invalid, match="超过每个文件 3 行的上限"):
        hub_service.import_scores(session, path=path, assessment_code="E1")
