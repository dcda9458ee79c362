"""Small files for the importer tests, written into a test's tmp_path."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    District,
    ImportBatch,
    Item,
    KnowledgePoint,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Teacher,
    TeachingAssignment,
)
from yincai.hub import service as hub_service

# fmt: off
STUDENT_HEADER_ZH = ["学校代码", "学校", "类型", "学段", "年级", "班级", "学号", "姓名", "性别",
                     "出生年份", "入学年份", "监护人", "监护人电话"]
STUDENT_HEADER_EN = ["school_code", "school", "setting", "stage", "grade", "class",
                     "student_number", "name", "gender", "birth_year", "enrolment_year",
                     "guardian_name", "guardian_phone"]
STUDENTS = [
    ["S01", "城关一中", "城区", "初中", "七年级", "1班", "2025001", "张三", "男", "2012", "2025", "张父", "13800000001"],  # noqa: E501
    ["S01", "城关一中", "城区", "初中", "七年级", "1班", "2025002", "李四", "女", "2012", "2025", "李母", "13800000002"],  # noqa: E501
    ["S01", "城关一中", "城区", "初中", "七年级", "2班", "2025003", "王五", "男", "2013", "2025", "", ""],  # noqa: E501
    ["S02", "河口乡中学", "农村", "初中", "初一", "1班", "2025004", "赵六", "女", "2012", "2025", "", ""],  # noqa: E501
]
TEACHER_HEADER = ["工号", "姓名", "学校代码", "任教学科", "任教班级", "班主任"]
TEACHERS = [
    ["T001", "陈老师", "S01", "数学", "七年级1班;七年级2班", "七年级1班"],
    ["T002", "刘老师", "S02", "语文", "七年级1班", "是"],
]
COUNTED = (District, School, SchoolClass, Student, Teacher, TeachingAssignment, KnowledgePoint,
           Item, Assessment, Sitting, Score, LearningEvent, ImportBatch)
# fmt: on


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[object]]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def counts(session: Session) -> dict[str, int]:
    """Rows in every table an import may touch."""
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


def roster_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "students.csv", STUDENT_HEADER_ZH, STUDENTS)


def seed_roster(session: Session, tmp_path: Path) -> None:
    """The four students of ``STUDENTS`` in district D1."""
    hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")


def seed_exam(session: Session, tmp_path: Path, *, classes: bool = True) -> Assessment:
    """The roster plus exam E1: items 1, 2 (5 points each) and 13(1) (10 points)."""
    seed_roster(session, tmp_path)
    return hub_service.create_assessment(
        session,
        code="E1",
        name="七年级数学月考",
        held_on=date(2025, 10, 8),
        subject_code="数学",
        grade_level=7,
        items=[("1", 5), ("2", 5), ("13(1)", 10)],
        classes=[("S01", "七年级1班"), ("S01", "七年级2班")] if classes else [],
    )


def stored_scores(session: Session) -> dict[tuple[str, str], float]:
    """Every stored item score by (student number, item label)."""
    rows = session.execute(
        select(Student.student_number, AssessmentItem.label, Score.score)
        .join(Student, Student.id == Score.student_id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
    )
    return {(number, label): score for number, label, score in rows}
