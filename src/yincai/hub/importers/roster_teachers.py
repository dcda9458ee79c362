"""The teachers part of a roster: who teaches which subject to which classes, and who heads them.

Columns: 工号/staff_number, 姓名/name, 学校代码/school_code, 性别/gender (optional),
任教学科/subject, 任教班级/classes ("七年级1班;七年级2班"),
班主任/head_teacher (是/否, or the class names headed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import Gender, School, SchoolClass, Subject, Teacher, TeachingAssignment
from yincai.errors import RowError, reason_of
from yincai.hub.importers.bulk import upsert_rows
from yincai.hub.importers.parsing import (
    canonical_class_name,
    parse_bool,
    parse_gender,
    split_list,
)
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.importers.tabular import Table, match_columns
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

TEACHER_COLUMNS = {
    "staff_number": ("工号", "staff_number", "教师工号", "教职工号"),
    "name": ("姓名", "name", "教师姓名"),
    "school_code": ("学校代码", "school_code", "学校编码"),
    "gender": ("性别", "gender"),
    "subject": ("任教学科", "subject", "学科"),
    "classes": ("任教班级", "classes", "班级"),
    "head_teacher": ("班主任", "head_teacher", "是否班主任"),
}

T = TypeVar("T")


class KnownSchool(Protocol):
    class_grades: dict[str, int]


@dataclass(frozen=True)
class TeacherRow:
    row: int
    staff_number: str
    name: str
    school_code: str
    gender: Gender | None
    subject_code: str
    classes: tuple[str, ...]
    headed: frozenset[str]


def check_teachers(
    session: Session,
    table: Table | None,
    schools: Mapping[str, KnownSchool],
    subjects: SubjectBook,
    errors: list[RowError],
) -> list[TeacherRow]:
    """Parse every teacher row; classes must be stored or named in the students of the same file."""
    if table is None:
        return []
    required = ("staff_number", "name", "school_code", "subject", "classes")
    columns = match_columns(table, TEACHER_COLUMNS, required=required, errors=errors)
    if errors:
        return []
    teachers: list[TeacherRow] = []
    first_row: dict[str, int] = {}
    taught: dict[tuple[str, str, str], int] = {}  # (school, class, subject) → row
    for number, cells in zip(table.row_numbers, table.rows, strict=True):

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[columns[name]] if name in columns else ""

        def error(name: str, reason: str, number: int = number) -> None:
            errors.append(RowError(table.file_name, number, table.header[columns[name]], reason))

        before = len(errors)
        for name in required:
            if not cell(name):
                error(name, _("不能为空"))
        staff_number, school_code = cell("staff_number"), cell("school_code")
        if staff_number in first_row:
            error("staff_number", _("工号与第 {row} 行重复").format(row=first_row[staff_number]))
        elif staff_number:
            first_row[staff_number] = number
        gender = _optional(parse_gender, cell("gender"), "gender", error)
        subject_code = _optional(subjects.code_of, cell("subject"), "subject", error)
        school = schools.get(school_code)
        if school_code and school is None:
            error("school_code", _("学校代码“{school_code}”不存在").format(school_code=school_code))
        classes = tuple(canonical_class_name(name) for name in split_list(cell("classes")))
        for name in classes:
            if school is not None and name not in school.class_grades:
                error("classes", f"班级“{name}”不存在（请先导入学生）/ unknown class")
            key = (school_code, name, subject_code or "")
            if key in taught:
                error(
                    "classes",
                    _("{name}的该学科已由第 {row} 行的教师任教").format(name=name, row=taught[key]),
                )
            taught[key] = number
        headed = _headed(cell("head_teacher"), classes, error)
        if len(errors) > before or subject_code is None:
            continue
        teachers.append(
            TeacherRow(
                number,
                staff_number,
                cell("name"),
                school_code,
                gender,
                subject_code,
                classes,
                headed,
            )
        )
    return teachers


@dataclass
class TeacherChanges:
    """Teachers new or changed by staff number; assignments by (school, class, subject)."""

    new_teachers: list[TeacherRow] = field(default_factory=list)
    changed_teachers: list[tuple[int, TeacherRow]] = field(default_factory=list)
    assignments: list[tuple[TeacherRow, str, bool]] = field(default_factory=list)  # class, head


def plan_teachers(
    session: Session, teachers: list[TeacherRow], summary: ImportSummary
) -> TeacherChanges:
    """Compare the teachers and their assignments with what is stored, reading only."""
    changes = TeacherChanges()
    if not teachers:
        return changes
    stored = {
        number: (teacher_id, (code, name, gender))
        for number, teacher_id, code, name, gender in session.execute(
            select(
                Teacher.staff_number, Teacher.id, School.code, Teacher.name, Teacher.gender
            ).join(School, School.id == Teacher.school_id)
        )
    }
    assigned = {
        (code, canonical_class_name(class_name), subject): (staff_number, is_head)
        for code, class_name, subject, staff_number, is_head in session.execute(
            select(
                School.code,
                SchoolClass.name,
                Subject.code,
                Teacher.staff_number,
                TeachingAssignment.is_head_teacher,
            )
            .join(SchoolClass, SchoolClass.id == TeachingAssignment.school_class_id)
            .join(School, School.id == SchoolClass.school_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(Teacher, Teacher.id == TeachingAssignment.teacher_id)
        )
    }
    counts = summary.count("teacher")
    assignment_counts = summary.count("teaching_assignment")
    for row in teachers:
        known = stored.get(row.staff_number)
        if known is None:
            changes.new_teachers.append(row)
            counts.new += 1
        elif known[1] != (row.school_code, row.name, row.gender):
            changes.changed_teachers.append((known[0], row))
            counts.updated += 1
        else:
            counts.unchanged += 1
        for name in row.classes:
            is_head = name in row.headed
            now = assigned.get((row.school_code, name, row.subject_code))
            if now == (row.staff_number, is_head):
                assignment_counts.unchanged += 1
                continue
            changes.assignments.append((row, name, is_head))
            if now is None:
                assignment_counts.new += 1
            else:
                assignment_counts.updated += 1
    return changes


def apply_teachers(
    session: Session,
    changes: TeacherChanges,
    class_ids: Mapping[tuple[str, str], int],
    subjects: SubjectBook,
) -> None:
    """Write the planned teachers and assignments (classes and schools exist by now)."""
    school_ids = dict(session.execute(select(School.code, School.id)).all())
    if changes.new_teachers:
        session.execute(
            insert(Teacher),
            [
                {
                    "staff_number": row.staff_number,
                    "school_id": school_ids[row.school_code],
                    "name": row.name,
                    "gender": row.gender,
                }
                for row in changes.new_teachers
            ],
        )
    if changes.changed_teachers:
        session.execute(
            update(Teacher),
            [
                {
                    "id": teacher_id,
                    "school_id": school_ids[row.school_code],
                    "name": row.name,
                    "gender": row.gender,
                }
                for teacher_id, row in changes.changed_teachers
            ],
        )
    if not changes.assignments:
        return
    teacher_ids = dict(session.execute(select(Teacher.staff_number, Teacher.id)).all())
    upsert_rows(
        session,
        TeachingAssignment,
        [
            {
                "school_class_id": class_ids[(row.school_code, name)],
                "subject_id": subjects.get(row.subject_code).id,
                "teacher_id": teacher_ids[row.staff_number],
                "is_head_teacher": is_head,
            }
            for row, name, is_head in changes.assignments
        ],
        conflict=("school_class_id", "subject_id"),
    )


def _headed(
    text: str, classes: tuple[str, ...], error: Callable[[str, str], None]
) -> frozenset[str]:
    """班主任: 是 heads every listed class, 否/blank none; otherwise the class names headed."""
    if not text:
        return frozenset()
    try:
        return frozenset(classes) if parse_bool(text) else frozenset()
    except ValueError:
        pass
    headed = frozenset(canonical_class_name(name) for name in split_list(text))
    for name in sorted(headed - set(classes)):
        error("head_teacher", _("“{name}”不在其任教班级中").format(name=name))
    return headed


def _optional(
    parse: Callable[[str], T], text: str, name: str, error: Callable[[str, str], None]
) -> T | None:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as problem:
        error(name, reason_of(problem))
        return None
