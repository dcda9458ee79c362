"""Import a roster: students (creating schools, grades and classes on the way) and teachers.

Layout: an XLSX workbook with a sheet 学生/students and/or a sheet 教师/teachers, or one CSV file
whose headers say which it is (a 工号/staff_number column means teachers). Import students first:
teachers refer to classes by name. Natural keys: school code, (school, grade level), (school, class
name), student number within the district, staff number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import District, Gender, School, Setting, Stage
from yincai.errors import Invalid, RowError, reason_of
from yincai.hub.importers.common import ImportPlan, Progress, digest, raise_if_errors
from yincai.hub.importers.parsing import (
    GRADE_NAMES,
    SETTING_LABELS,
    STAGE_LABELS,
    canonical_class_name,
    grade_prefixes,
    parse_gender,
    parse_grade,
    parse_setting,
    parse_stage,
    parse_year,
)
from yincai.hub.importers.roster_store import (
    RosterChanges,
    apply_roster,
    plan_schools,
    plan_students,
    stored_class_grades,
)
from yincai.hub.importers.roster_teachers import (
    TEACHER_COLUMNS,
    TeacherChanges,
    apply_teachers,
    check_teachers,
    plan_teachers,
)
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.importers.tabular import (
    Table,
    find_sheet,
    has_columns,
    is_excel,
    known_headers_of,
    match_columns,
    read_csv,
    read_sheets,
)
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

STUDENT_COLUMNS = {
    "school_code": ("学校代码", "school_code", "学校编码", "学校编号"),
    "school": ("学校", "school", "学校名称", "school_name"),
    "setting": ("类型", "setting", "学校类型", "城乡类型"),
    "stage": ("学段", "stage"),
    "grade": ("年级", "grade"),
    "class": ("班级", "class", "班级名称", "class_name"),
    "student_number": ("学号", "student_number", "学籍号", "student_no"),
    "name": ("姓名", "name", "学生姓名"),
    "gender": ("性别", "gender", "sex"),
    "birth_year": ("出生年份", "birth_year"),
    "enrolment_year": ("入学年份", "enrolment_year", "enrollment_year"),
    "guardian_name": ("监护人", "guardian_name", "监护人姓名", "guardian"),
    "guardian_phone": ("监护人电话", "guardian_phone", "联系电话", "phone"),
}
STUDENT_SHEETS = ("学生", "students", "学生名单", "student")
TEACHER_SHEETS = ("教师", "teachers", "教师名单", "teacher")
STAGE_GRADES = {
    Stage.PRIMARY: range(1, 7),
    Stage.JUNIOR: range(7, 10),
    Stage.NINE_YEAR: range(1, 10),
    Stage.SENIOR: range(10, 13),
}
DEFAULT_DISTRICT_CODE = "D0"
DEFAULT_DISTRICT_NAME = "本区县"
_PHONE = re.compile(r"^[0-9+\- ]{5,32}$")

_LABELS: dict[object, object] = dict(SETTING_LABELS.items()) | dict(STAGE_LABELS.items())
T = TypeVar("T")
Cell = Callable[[str], str]
Complain = Callable[[str, str], None]  # (field, reason)


@dataclass
class SchoolRow:
    """A school as the file describes it (setting and stage may be left to the database)."""

    row: int
    code: str
    name: str
    setting: Setting | None
    stage: Stage | None
    class_grades: dict[str, int] = field(default_factory=dict)  # class name → grade level


@dataclass(frozen=True)
class StudentRow:
    row: int
    school_code: str
    class_name: str
    student_number: str
    name: str
    gender: Gender
    birth_year: int | None
    enrolment_year: int | None
    guardian_name: str | None
    guardian_phone: str | None


@dataclass
class RosterPlan(ImportPlan):
    """A validated roster and what it changes."""

    changes: RosterChanges | None = None
    teachers: TeacherChanges | None = None

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        assert self.changes is not None and self.teachers is not None
        _changed, class_ids = apply_roster(session, self.changes)
        apply_teachers(session, self.teachers, class_ids, SubjectBook(session))


def plan_roster(
    session: Session,
    *,
    path: Path,
    district_code: str | None = None,
    district_name: str | None = None,
) -> RosterPlan:
    """Validate the whole roster file and work out what it changes, reading only."""
    data = path.read_bytes()
    sha256 = digest(data)
    students_table, teachers_table = _roster_tables(path, data)
    district = _find_district(session, district_code)
    errors: list[RowError] = []
    schools, students = _check_students(session, district, students_table, errors)
    subjects = SubjectBook(session)
    teachers = check_teachers(session, teachers_table, schools, subjects, errors)
    raise_if_errors(path.name, errors)

    n_rows = sum(len(table.rows) for table in (students_table, teachers_table) if table)
    summary = ImportSummary(kind="roster", file_name=path.name, sha256=sha256, n_rows=n_rows)
    changes = RosterChanges(
        district_id=district.id if district else None,
        new_district=None
        if district
        else (
            district_code or DEFAULT_DISTRICT_CODE,
            district_name or district_code or DEFAULT_DISTRICT_NAME,
        ),
    )
    plan_schools(session, schools, changes, summary)
    plan_students(session, changes.district_id, students, changes, summary)
    teacher_changes = plan_teachers(session, teachers, summary)
    return RosterPlan(summary=summary, changes=changes, teachers=teacher_changes)


def class_name_of(grade_level: int, text: str) -> str:
    """The class name stored for a cell: "1班" in 七年级 becomes "七年级1班"; "初一(1)班" becomes
    "初一（1）班" (one canonical form, so that bracket widths never make two classes)."""
    name = canonical_class_name(text)
    if any(name.startswith(prefix) for prefix in grade_prefixes()):
        return name
    if name.isdigit():
        name = f"{name}班"
    return f"{GRADE_NAMES[grade_level]}{name}"


def _roster_tables(path: Path, data: bytes) -> tuple[Table | None, Table | None]:
    known = known_headers_of(STUDENT_COLUMNS, TEACHER_COLUMNS)
    if is_excel(path):
        sheets = read_sheets(path, data, known_headers=known)
        students = find_sheet(sheets, STUDENT_SHEETS)
        teachers = find_sheet(sheets, TEACHER_SHEETS)
        if students is not None or teachers is not None:
            return students, teachers
        table = next(iter(sheets.values()), None)
    else:
        table = read_csv(path, data, known_headers=known)
    if table is None or not table.header:
        raise Invalid(_("{file}：文件是空的").format(file=path.name), code="import.empty")
    if has_columns(table, TEACHER_COLUMNS["staff_number"]):
        return None, table
    return table, None


def _find_district(session: Session, district_code: str | None) -> District | None:
    query = select(District).limit(2)
    if district_code is not None:
        query = query.where(District.code == district_code)
    districts = session.scalars(query).all()
    if len(districts) > 1:
        raise Invalid(_("数据库中有多个区县，请指定区县代码"), code="district.ambiguous")
    return districts[0] if districts else None


def _check_students(
    session: Session, district: District | None, table: Table | None, errors: list[RowError]
) -> tuple[dict[str, SchoolRow], list[StudentRow]]:
    """Parse every student row; schools and their classes are collected from the rows."""
    stored = {school.code: school for school in session.scalars(select(School))}
    stored_grades = stored_class_grades(session)
    schools: dict[str, SchoolRow] = {
        code: SchoolRow(0, code, school.name, school.setting, school.stage)
        for code, school in stored.items()
    }
    if table is None:
        return schools, []
    required = ("school_code", "grade", "class", "student_number", "name", "gender")
    columns = match_columns(table, STUDENT_COLUMNS, required=required, errors=errors)
    if errors:
        return schools, []
    students: list[StudentRow] = []
    first_row: dict[str, int] = {}
    for number, cells in zip(table.row_numbers, table.rows, strict=True):

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[columns[name]] if name in columns else ""

        def error(name: str, reason: str, number: int = number) -> None:
            header = table.header[columns[name]] if name in columns else name
            errors.append(RowError(table.file_name, number, header, reason))

        problems_before = len(errors)
        school_code = cell("school_code")
        for name in required:
            if not cell(name):
                error(name, _("不能为空"))
        school = _check_school(session, district, stored, schools, school_code, cell, error, number)
        grade_level = _parsed(parse_grade, cell("grade"), "grade", error)
        gender = _parsed(parse_gender, cell("gender"), "gender", error)
        years = [
            _parsed(parse_year, cell(name), name, error) if cell(name) else None
            for name in ("birth_year", "enrolment_year")
        ]
        phone = cell("guardian_phone") or None
        if phone is not None and not _PHONE.match(phone):
            error("guardian_phone", _("电话号码“{phone}”格式不对").format(phone=phone))
        student_number = cell("student_number")
        if student_number in first_row:
            error(
                "student_number", _("学号与第 {row} 行重复").format(row=first_row[student_number])
            )
        elif student_number:
            first_row[student_number] = number
        if school is None or grade_level is None or not cell("class"):
            continue
        if school.stage is not None and grade_level not in STAGE_GRADES[school.stage]:
            error("grade", _("{grade}不属于该校学段").format(grade=GRADE_NAMES[grade_level]))
        class_name = class_name_of(grade_level, cell("class"))
        known_level = school.class_grades.get(class_name)
        if known_level is None:
            known_level = stored_grades.get((school_code, class_name))
        if known_level is not None and known_level != grade_level:
            error(
                "class",
                _("班级“{class_name}”属于{grade}").format(
                    class_name=class_name, grade=GRADE_NAMES[known_level]
                ),
            )
        if len(errors) > problems_before or gender is None:
            continue
        school.class_grades[class_name] = grade_level
        students.append(
            StudentRow(
                number,
                school_code,
                class_name,
                student_number,
                cell("name"),
                gender,
                years[0],
                years[1],
                cell("guardian_name") or None,
                phone,
            )
        )
    return schools, students


def _check_school(
    session: Session,
    district: District | None,
    stored: dict[str, School],
    schools: dict[str, SchoolRow],
    code: str,
    cell: Cell,
    error: Complain,
    number: int,
) -> SchoolRow | None:
    """The school of a row, checked against the rows before it and the database."""
    if not code:
        return None
    name = cell("school")
    setting = _parsed(parse_setting, cell("setting"), "setting", error) if cell("setting") else None
    stage = _parsed(parse_stage, cell("stage"), "stage", error) if cell("stage") else None
    school = schools.get(code)
    if school is None:
        missing = [
            label
            for label, value in (("school", name), ("setting", setting), ("stage", stage))
            if not value
        ]
        for label in missing:
            error(label, _("新学校须填写学校名称、类型和学段"))
        if missing:
            return None
        school = SchoolRow(number, code, name, setting, stage)
        schools[code] = school
        return school
    if code in stored and (district is None or stored[code].district_id != district.id):
        error("school_code", _("学校代码已属于另一个区县"))
        return None
    first = f"第 {school.row} 行" if school.row else "数据库"
    for label, value, known in (
        ("school", name, school.name),
        ("setting", setting, school.setting),
        ("stage", stage, school.stage),
    ):
        if not value or value == known:
            continue
        if school.row:
            shown = _LABELS.get(known, known)
            error(label, _("与{first}同一学校的“{shown}”不一致").format(first=first, shown=shown))
        elif label == "school":
            school.name = name
        elif label == "setting":
            school.setting = setting
        else:
            school.stage = stage
    if not school.row:
        school.row = number
    return school


def _parsed(parse: Callable[[str], T], text: str, name: str, error: Complain) -> T | None:
    """``parse(text)``, or None after reporting why not (an empty cell is reported elsewhere)."""
    try:
        return parse(text)
    except ValueError as problem:
        if text:
            error(name, reason_of(problem))
        return None
