"""Read-only views of the district's structure: schools with their classes and head counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.domain.models import District, School, SchoolClass, Setting, Stage, Student, Teacher


@dataclass(frozen=True)
class SchoolOverview:
    code: str
    name: str
    setting: Setting
    stage: Stage
    n_classes: int
    n_students: int
    n_teachers: int


@dataclass(frozen=True)
class DistrictOverview:
    code: str
    name: str
    schools: list[SchoolOverview]

    @property
    def n_students(self) -> int:
        return sum(s.n_students for s in self.schools)


def district_overview(session: Session) -> DistrictOverview | None:
    """The first district (a deployment serves one) with its schools; None on an empty database."""
    district = session.scalars(select(District).order_by(District.id)).first()
    if district is None:
        return None
    classes = (
        select(SchoolClass.school_id, func.count().label("n"))
        .group_by(SchoolClass.school_id)
        .subquery()
    )
    students = (
        select(SchoolClass.school_id, func.count(Student.id).label("n"))
        .join(Student, Student.school_class_id == SchoolClass.id)
        .group_by(SchoolClass.school_id)
        .subquery()
    )
    teachers = (
        select(Teacher.school_id, func.count().label("n")).group_by(Teacher.school_id).subquery()
    )
    rows = session.execute(
        select(
            School,
            func.coalesce(classes.c.n, 0),
            func.coalesce(students.c.n, 0),
            func.coalesce(teachers.c.n, 0),
        )
        .outerjoin(classes, classes.c.school_id == School.id)
        .outerjoin(students, students.c.school_id == School.id)
        .outerjoin(teachers, teachers.c.school_id == School.id)
        .where(School.district_id == district.id)
        .order_by(School.code)
    ).all()
    schools = [
        SchoolOverview(
            code=school.code,
            name=school.name,
            setting=school.setting,
            stage=school.stage,
            n_classes=int(n_classes),
            n_students=int(n_students),
            n_teachers=int(n_teachers),
        )
        for school, n_classes, n_students, n_teachers in rows
    ]
    return DistrictOverview(code=district.code, name=district.name, schools=schools)
