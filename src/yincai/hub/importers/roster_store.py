"""Storing a validated roster: upsert schools, grades and classes, then students in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yincai.hub.importers.parsing import GRADE_NAMES
from yincai.hub.models import District, Grade, School, SchoolClass, Student
from yincai.hub.schemas import ImportSummary

if TYPE_CHECKING:
    from yincai.hub.importers.roster import SchoolRow, StudentRow


def stored_class_grades(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(School.code, SchoolClass.name, Grade.level)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
    )
    return {(code, name): level for code, name, level in rows}


def write_schools(
    session: Session, district: District, schools: dict[str, SchoolRow], summary: ImportSummary
) -> dict[tuple[str, str], int]:
    """Upsert the schools, grades and classes the file names; return class ids by natural key."""
    stored = {school.code: school for school in session.scalars(select(School))}
    for code, row in schools.items():
        if not row.row:
            continue  # a stored school the file does not mention
        school = stored.get(code)
        assert row.setting is not None and row.stage is not None
        if school is None:
            school = School(
                district_id=district.id,
                code=code,
                name=row.name,
                setting=row.setting,
                stage=row.stage,
            )
            session.add(school)
            stored[code] = school
            summary.count("school").new += 1
        elif (school.name, school.setting, school.stage) != (row.name, row.setting, row.stage):
            school.name, school.setting, school.stage = row.name, row.setting, row.stage
            summary.count("school").updated += 1
        else:
            summary.count("school").unchanged += 1
    session.flush()
    grades = {(grade.school_id, grade.level): grade for grade in session.scalars(select(Grade))}
    classes = {(c.school_id, c.name): c for c in session.scalars(select(SchoolClass))}
    for code, row in schools.items():
        school_id = stored[code].id
        for class_name, level in row.class_grades.items():
            grade = grades.get((school_id, level))
            if grade is None:
                grade = Grade(school_id=school_id, level=level, name=GRADE_NAMES[level])
                session.add(grade)
                session.flush()
                grades[(school_id, level)] = grade
            if (school_id, class_name) in classes:
                summary.count("school_class").unchanged += 1
                continue
            school_class = SchoolClass(school_id=school_id, grade_id=grade.id, name=class_name)
            session.add(school_class)
            classes[(school_id, class_name)] = school_class
            summary.count("school_class").new += 1
    session.flush()
    codes = {school.id: code for code, school in stored.items()}
    return {(codes[school_id], name): c.id for (school_id, name), c in classes.items()}


def write_students(
    session: Session,
    district: District,
    students: list[StudentRow],
    class_ids: dict[tuple[str, str], int],
    summary: ImportSummary,
) -> None:
    """Insert new students and update changed ones in bulk, keyed by student number."""
    fields = (
        "school_class_id",
        "name",
        "gender",
        "birth_year",
        "enrolment_year",
        "guardian_name",
        "guardian_phone",
    )
    stored = {
        row[0]: (row[1], tuple(row[2:]))
        for row in session.execute(
            select(
                Student.student_number, Student.id, *(getattr(Student, f) for f in fields)
            ).where(Student.district_id == district.id)
        )
    }
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    counts = summary.count("student")
    for student in students:
        values = (
            class_ids[(student.school_code, student.class_name)],
            student.name,
            student.gender,
            student.birth_year,
            student.enrolment_year,
            student.guardian_name,
            student.guardian_phone,
        )
        known = stored.get(student.student_number)
        if known is None:
            new.append(
                {
                    "district_id": district.id,
                    "student_number": student.student_number,
                    **dict(zip(fields, values, strict=True)),
                }
            )
            counts.new += 1
        elif known[1] != values:
            changed.append({"id": known[0], **dict(zip(fields, values, strict=True))})
            counts.updated += 1
        else:
            counts.unchanged += 1
    if new:
        session.execute(insert(Student), new)
    if changed:
        session.execute(update(Student), changed)
