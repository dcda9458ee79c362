"""What a validated roster changes (schools, grades, classes, students), worked out by reading
only, and how to write it. Everything is compared by natural key: school code, (school, grade
level), (school, class name in its canonical form), student number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import District, Grade, School, SchoolClass, Student
from yincai.hub.importers.parsing import GRADE_NAMES, canonical_class_name
from yincai.hub.schemas import ImportSummary

if TYPE_CHECKING:
    from yincai.hub.importers.roster import SchoolRow, StudentRow

ClassKey = tuple[str, str]  # (school code, canonical class name)
STUDENT_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "enrolment_year",
    "guardian_name",
    "guardian_phone",
)


def stored_class_grades(session: Session) -> dict[ClassKey, int]:
    """The grade level of every stored class, by (school code, canonical class name)."""
    rows = session.execute(
        select(School.code, SchoolClass.name, Grade.level)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
    )
    return {(code, canonical_class_name(name)): level for code, name, level in rows}


def stored_class_ids(session: Session) -> dict[ClassKey, int]:
    """Every stored class id by (school code, canonical class name)."""
    rows = session.execute(
        select(School.code, SchoolClass.name, SchoolClass.id).join(
            SchoolClass, SchoolClass.school_id == School.id
        )
    )
    return {(code, canonical_class_name(name)): class_id for code, name, class_id in rows}


@dataclass
class RosterChanges:
    """The writes a roster import makes, by natural key."""

    district_id: int | None
    new_district: tuple[str, str] | None  # (code, name) when the database has no district yet
    new_schools: list[SchoolRow] = field(default_factory=list)
    changed_schools: list[tuple[int, SchoolRow]] = field(default_factory=list)
    new_grades: list[tuple[str, int]] = field(default_factory=list)  # (school code, level)
    new_classes: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, level
    new_students: list[StudentRow] = field(default_factory=list)
    changed_students: list[tuple[int, StudentRow]] = field(default_factory=list)


def plan_schools(
    session: Session,
    schools: dict[str, SchoolRow],
    changes: RosterChanges,
    summary: ImportSummary,
) -> None:
    """Schools, grades and classes the file names that are new or changed."""
    stored = {school.code: school for school in session.scalars(select(School))}
    counts = summary.count("school")
    for code, row in schools.items():
        if not row.row:
            continue  # a stored school the file does not mention
        school = stored.get(code)
        if school is None:
            changes.new_schools.append(row)
            counts.new += 1
        elif (school.name, school.setting, school.stage) != (row.name, row.setting, row.stage):
            changes.changed_schools.append((school.id, row))
            counts.updated += 1
        else:
            counts.unchanged += 1
    grades = {
        (code, level)
        for code, level in session.execute(
            select(School.code, Grade.level).join(Grade, Grade.school_id == School.id)
        )
    }
    classes = stored_class_grades(session)
    class_counts = summary.count("school_class")
    for code, row in schools.items():
        for class_name, level in row.class_grades.items():
            if (code, level) not in grades:
                grades.add((code, level))
                changes.new_grades.append((code, level))
            if (code, class_name) in classes:
                class_counts.unchanged += 1
            else:
                changes.new_classes.append((code, class_name, level))
                class_counts.new += 1


def plan_students(
    session: Session,
    district_id: int | None,
    students: list[StudentRow],
    changes: RosterChanges,
    summary: ImportSummary,
) -> None:
    """Students that are new, or whose class or details changed, by student number."""
    stored: dict[str, tuple[int, tuple[object, ...]]] = {}
    if district_id is not None:
        for row in session.execute(
            select(
                Student.student_number,
                Student.id,
                School.code,
                SchoolClass.name,
                *(getattr(Student, name) for name in STUDENT_FIELDS),
            )
            .join(SchoolClass, SchoolClass.id == Student.school_class_id)
            .join(School, School.id == SchoolClass.school_id)
            .where(Student.district_id == district_id)
        ):
            key = (row[2], canonical_class_name(row[3]))
            stored[row[0]] = (row[1], (key, *row[4:]))
    counts = summary.count("student")
    for student in students:
        known = stored.get(student.student_number)
        if known is None:
            changes.new_students.append(student)
            counts.new += 1
        elif known[1] != _values(student):
            changes.changed_students.append((known[0], student))
            counts.updated += 1
        else:
            counts.unchanged += 1


def apply_roster(session: Session, changes: RosterChanges) -> tuple[int, dict[ClassKey, int]]:
    """Write the planned schools, grades, classes and students; return the district id and
    every class id by natural key (for the teachers)."""
    district_id = changes.district_id
    if district_id is None:
        assert changes.new_district is not None
        code, name = changes.new_district
        district = District(code=code, name=name)
        session.add(district)
        session.flush()
        district_id = district.id
    if changes.new_schools:
        session.execute(
            insert(School),
            [
                {
                    "district_id": district_id,
                    "code": row.code,
                    "name": row.name,
                    "setting": row.setting,
                    "stage": row.stage,
                }
                for row in changes.new_schools
            ],
        )
    if changes.changed_schools:
        session.execute(
            update(School),
            [
                {"id": school_id, "name": row.name, "setting": row.setting, "stage": row.stage}
                for school_id, row in changes.changed_schools
            ],
        )
    school_ids = dict(session.execute(select(School.code, School.id)).all())
    if changes.new_grades:
        session.execute(
            insert(Grade),
            [
                {"school_id": school_ids[code], "level": level, "name": GRADE_NAMES[level]}
                for code, level in changes.new_grades
            ],
        )
    if changes.new_classes:
        grade_ids = {
            (school_id, level): grade_id
            for grade_id, school_id, level in session.execute(
                select(Grade.id, Grade.school_id, Grade.level)
            )
        }
        session.execute(
            insert(SchoolClass),
            [
                {
                    "school_id": school_ids[code],
                    "grade_id": grade_ids[(school_ids[code], level)],
                    "name": name,
                }
                for code, name, level in changes.new_classes
            ],
        )
    class_ids = stored_class_ids(session)
    if changes.new_students:
        session.execute(
            insert(Student),
            [
                {
                    "district_id": district_id,
                    "student_number": student.student_number,
                    "school_class_id": class_ids[(student.school_code, student.class_name)],
                    **_fields(student),
                }
                for student in changes.new_students
            ],
        )
    if changes.changed_students:
        session.execute(
            update(Student),
            [
                {
                    "id": student_id,
                    "school_class_id": class_ids[(student.school_code, student.class_name)],
                    **_fields(student),
                }
                for student_id, student in changes.changed_students
            ],
        )
    return district_id, class_ids


def _values(student: StudentRow) -> tuple[object, ...]:
    return ((student.school_code, student.class_name), *_fields(student).values())


def _fields(student: StudentRow) -> dict[str, object]:
    return {name: getattr(student, name) for name in STUDENT_FIELDS}
