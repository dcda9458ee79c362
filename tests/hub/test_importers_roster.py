from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hub.builders import (
    STUDENT_HEADER_EN,
    STUDENT_HEADER_ZH,
    STUDENTS,
    TEACHER_HEADER,
    TEACHERS,
    counts,
    roster_file,
    write_csv,
    write_xlsx,
)
from yincai.domain.models import (
    District,
    Gender,
    Grade,
    School,
    SchoolClass,
    Setting,
    Stage,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.errors import Invalid, RowError
from yincai.hub import service as hub_service


def _student(session: Session, number: str) -> Student:
    return session.scalars(select(Student).where(Student.student_number == number)).one()


def test_chinese_csv_roster_creates_district_schools_classes_and_students(
    session: Session, tmp_path: Path
) -> None:
    summary = hub_service.import_roster(
        session, path=roster_file(tmp_path), district_code="D1", district_name="城关区"
    )
    assert summary.counts["student"].new == 4
    assert summary.counts["school"].new == 2
    assert summary.counts["school_class"].new == 3
    district = session.scalars(select(District)).one()
    assert (district.code, district.name) == ("D1", "城关区")
    rural = session.scalars(select(School).where(School.code == "S02")).one()
    assert (rural.name, rural.setting, rural.stage) == ("河口乡中学", Setting.RURAL, Stage.JUNIOR)
    zhang = _student(session, "2025001")
    assert (zhang.name, zhang.gender, zhang.birth_year, zhang.enrolment_year) == (
        "张三", Gender.MALE, 2012, 2025,
    )  # fmt: skip
    assert (zhang.guardian_name, zhang.guardian_phone) == ("张父", "13800000001")
    assert zhang.school_class.name == "七年级1班"
    zhao = _student(session, "2025004")
    assert zhao.school_class.name == "七年级1班"  # 初一 + 1班
    assert session.get(Grade, zhao.school_class.grade_id).level == 7  # type: ignore[union-attr]
    assert _student(session, "2025003").guardian_name is None


def test_english_headers_and_gbk_encoding_are_read(session: Session, tmp_path: Path) -> None:
    rows = [[*row[:2], "urban", "junior", "7", *row[5:8], "female", *row[9:]] for row in STUDENTS]
    path = write_csv(tmp_path / "en.csv", STUDENT_HEADER_EN, rows, encoding="gbk")
    summary = hub_service.import_roster(session, path=path)
    assert summary.counts["student"].new == 4
    assert _student(session, "2025002").gender == Gender.FEMALE
    assert session.scalars(select(School.setting)).all() == [Setting.URBAN, Setting.URBAN]


def test_xlsx_workbook_with_students_and_teachers_sheets(session: Session, tmp_path: Path) -> None:
    students: list[list[object]] = [[*row[:9], int(row[9]), int(row[10]), *row[11:]]
                                    for row in STUDENTS]  # fmt: skip
    path = write_xlsx(
        tmp_path / "roster.xlsx",
        {"学生": (STUDENT_HEADER_ZH, students), "教师": (TEACHER_HEADER, list(TEACHERS))},
    )
    summary = hub_service.import_roster(session, path=path, district_code="D1")
    assert summary.counts["teacher"].new == 2
    assert summary.counts["teaching_assignment"].new == 3
    chen = session.scalars(select(Teacher).where(Teacher.staff_number == "T001")).one()
    rows = session.execute(
        select(SchoolClass.name, Subject.name, TeachingAssignment.is_head_teacher)
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.school_class_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.teacher_id == chen.id)
        .order_by(SchoolClass.name)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("七年级1班", "数学", True),
        ("七年级2班", "数学", False),
    ]
    assert _student(session, "2025001").birth_year == 2012


def test_reimport_changes_nothing_and_a_changed_row_is_an_update(
    session: Session, tmp_path: Path
) -> None:
    path = roster_file(tmp_path)
    hub_service.import_roster(session, path=path, district_code="D1")
    before = counts(session)
    again = hub_service.import_roster(session, path=path, district_code="D1")
    assert again.is_unchanged
    assert counts(session) == before
    edited = [list(row) for row in STUDENTS]
    edited[2][5] = "1班"  # 王五 moves to class 1
    path = write_csv(tmp_path / "edited.csv", STUDENT_HEADER_ZH, edited)
    summary = hub_service.import_roster(session, path=path, district_code="D1")
    assert not summary.is_unchanged
    assert (summary.counts["student"].new, summary.counts["student"].updated) == (0, 1)
    assert summary.counts["student"].unchanged == 3
    assert _student(session, "2025003").school_class.name == "七年级1班"
    assert counts(session)["student"] == before["student"]


SIXTH_ROW = ["S02", "河口乡中学", "农村", "初中", "七年级", "1班", "2025005", "钱七", "男", "", "",
             "", ""]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (2, "性别", "未知", "无法识别的性别“未知”"),
        (3, "学号", "2025001", "学号与第 2 行重复"),
        (
            4,
            "年级",
            "十三年级",
            "无法识别的年级“十三年级”，应为 1–12 或 七年级/初一",
        ),
        (6, "类型", "城区", "与第 5 行同一学校的“农村”不一致"),
        (2, "年级", "高一", "高一不属于该校学段"),
        (2, "出生年份", "二〇一二", "“二〇一二”不是年份"),
        (3, "监护人电话", "call me", "电话号码“call me”格式不对"),
        (4, "姓名", "", "不能为空"),
    ],
)
def test_bad_roster_cell_is_reported_and_nothing_is_written(
    session: Session, tmp_path: Path, row: int, column: str, value: str, reason: str
) -> None:
    rows = [list(r) for r in [*STUDENTS, SIXTH_ROW]]
    rows[row - 2][STUDENT_HEADER_ZH.index(column)] = value
    path = write_csv(tmp_path / "bad.csv", STUDENT_HEADER_ZH, rows)
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_roster(session, path=path, district_code="D1")
    assert raised.value.details == [RowError("bad.csv", row, column, reason)]
    assert counts(session) == before


def test_missing_required_column_and_unknown_teacher_class_are_reported(
    session: Session, tmp_path: Path
) -> None:
    header = [h for h in STUDENT_HEADER_ZH if h != "学号"]
    rows = [[c for h, c in zip(STUDENT_HEADER_ZH, r, strict=True) if h != "学号"] for r in STUDENTS]
    with pytest.raises(Invalid) as raised:
        hub_service.import_roster(session, path=write_csv(tmp_path / "a.csv", header, rows))
    assert raised.value.details == [RowError("a.csv", 1, "学号/student_number", "缺少必需的列")]
    teachers = [["T009", "周老师", "S01", "数学", "九年级3班", ""]]
    path = write_csv(tmp_path / "t.csv", TEACHER_HEADER, teachers)
    hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_roster(session, path=path)
    assert raised.value.details == [
        RowError("t.csv", 2, "任教班级", "班级“九年级3班”不存在（请先导入学生）/ unknown class")
    ]
    assert counts(session) == before
