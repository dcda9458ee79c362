"""The demo district's people and places as plain data: schools, classes, teachers, students.

Sizes follow real districts: urban schools are larger with bigger classes, rural ones small.
Nothing here touches the database; ``build.py`` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from yincai.demo.names import Locale, Stage, class_name, person_name, school_names

DISTRICT_CODE = "SFQ"
DISTRICT_NAME = "示范区"
SCHOOL_YEAR = 2026  # the autumn semester of the 2026–2027 school year
JUNIOR_GRADES = (7, 8, 9)
PRIMARY_GRADES = (5, 6)
GRADE_NAMES = {5: "五年级", 6: "六年级", 7: "七年级", 8: "八年级", 9: "九年级"}
SETTINGS = ("urban", "township", "rural")
CLASS_SIZE = {"urban": 46, "township": 40, "rural": 32}
# (setting, stage, share of the junior-high students); primary schools get a fixed roster.
SCHOOL_PLAN: tuple[tuple[Locale, Stage, float], ...] = (
    ("urban", "junior", 1.6),
    ("urban", "junior", 1.6),
    ("urban", "junior", 1.6),
    ("urban", "junior", 1.6),
    ("urban", "nine_year", 1.2),
    ("township", "junior", 1.0),
    ("township", "junior", 1.0),
    ("township", "junior", 1.0),
    ("rural", "junior", 0.6),
    ("rural", "junior", 0.6),
    ("rural", "nine_year", 0.5),
    ("urban", "primary", 0.0),
    ("rural", "primary", 0.0),
    ("rural", "primary", 0.0),
)
PRIMARY_STUDENTS_PER_GRADE = 90
ALL_GRADES = (*PRIMARY_GRADES, *JUNIOR_GRADES)
# Subject codes and the grades each is taught in (primary schools teach 语文、数学、英语 too).
CORE_SUBJECTS: dict[str, tuple[int, ...]] = {
    "MATH": ALL_GRADES,
    "CHN": ALL_GRADES,
    "ENG": ALL_GRADES,
}
LATER_SUBJECTS: dict[str, tuple[int, ...]] = {"PHY": (8, 9), "CHEM": (9,)}
HEAD_TEACHER_SUBJECT = "CHN"  # the 语文 teacher is 班主任, as in most schools


@dataclass(frozen=True)
class SchoolPlan:
    code: str
    name: str
    setting: str
    stage: str


@dataclass(frozen=True)
class ClassPlan:
    school: int  # index into schools
    grade: int
    name: str


@dataclass(frozen=True)
class TeacherPlan:
    school: int
    staff_number: str
    name: str
    gender: str
    subject: str  # subject code
    classes: tuple[int, ...]  # indices into classes
    heads: tuple[int, ...]  # classes where this teacher is head teacher (班主任)


@dataclass(frozen=True)
class StudentPlan:
    school_class: int
    student_number: str
    name: str
    gender: str
    birth_year: int
    enrolment_year: int
    guardian_name: str
    guardian_phone: str


@dataclass(frozen=True)
class DistrictPlan:
    schools: list[SchoolPlan]
    classes: list[ClassPlan]
    teachers: list[TeacherPlan]
    students: list[StudentPlan]

    def junior_class_indices(self) -> list[int]:
        return [i for i, c in enumerate(self.classes) if c.grade in JUNIOR_GRADES]


def plan_district(
    rng: np.random.Generator,
    *,
    n_junior_students: int,
    staff_rng: np.random.Generator | None = None,
) -> DistrictPlan:
    """Schools, classes, teachers and students for ``n_junior_students`` junior-high pupils.

    The teachers of 语文、数学、英语 are drawn from ``rng``; those of the subjects that start in
    later grades (物理 from grade 8, 化学 in grade 9) from ``staff_rng`` when given (else none),
    so that adding them leaves the rest of the district as ``rng`` drew it."""
    names = school_names(rng, [(setting, stage) for setting, stage, _ in SCHOOL_PLAN])
    schools = [
        SchoolPlan(code=f"{DISTRICT_CODE}{i + 1:02d}", name=name, setting=setting, stage=stage)
        for i, (name, (setting, stage, _)) in enumerate(zip(names, SCHOOL_PLAN, strict=True))
    ]
    shares = np.array([share for _, _, share in SCHOOL_PLAN])
    per_school = np.floor(n_junior_students * shares / shares.sum()).astype(int)
    per_school[0] += n_junior_students - per_school.sum()  # the remainder goes to school 1

    classes: list[ClassPlan] = []
    students: list[StudentPlan] = []
    for school_index, school in enumerate(schools):
        if school.stage == "primary":
            grade_sizes = dict.fromkeys(PRIMARY_GRADES, PRIMARY_STUDENTS_PER_GRADE)
        else:
            base = per_school[school_index] // len(JUNIOR_GRADES)
            grade_sizes = dict.fromkeys(JUNIOR_GRADES, base)
            grade_sizes[JUNIOR_GRADES[0]] += per_school[school_index] - base * len(JUNIOR_GRADES)
        for grade, size in grade_sizes.items():
            if size <= 0:
                continue
            n_classes = max(1, round(size / CLASS_SIZE[school.setting]))
            sizes = np.full(n_classes, size // n_classes)
            sizes[: size - sizes.sum()] += 1
            for number, class_size in enumerate(sizes, start=1):
                classes.append(ClassPlan(school_index, grade, class_name(grade, int(number))))
                students.extend(
                    _students(rng, len(classes) - 1, school_index, grade, int(class_size), students)
                )
    teachers = _teachers(rng, schools, classes)
    if staff_rng is not None:
        teachers += _teachers(staff_rng, schools, classes, LATER_SUBJECTS, first=len(teachers))
    return DistrictPlan(schools=schools, classes=classes, teachers=teachers, students=students)


def _students(
    rng: np.random.Generator,
    class_index: int,
    school_index: int,
    grade: int,
    size: int,
    so_far: list[StudentPlan],
) -> list[StudentPlan]:
    enrolment_year = SCHOOL_YEAR - (grade - 7) if grade >= 7 else SCHOOL_YEAR - (grade - 1)
    plans: list[StudentPlan] = []
    for _ in range(size):
        gender = "male" if rng.random() < 0.52 else "female"
        name = person_name(rng, "男" if gender == "male" else "女")
        guardian = name[0] + person_name(rng, "男" if rng.random() < 0.5 else "女")[1:]
        number = f"{enrolment_year}{school_index + 1:02d}{len(so_far) + len(plans) + 1:05d}"
        plans.append(
            StudentPlan(
                school_class=class_index,
                student_number=number,
                name=name,
                gender=gender,
                birth_year=SCHOOL_YEAR - (grade + 5) - int(rng.random() < 0.3),
                enrolment_year=enrolment_year,
                guardian_name=guardian,
                guardian_phone=f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10**9):09d}",
            )
        )
    return plans


def _teachers(
    rng: np.random.Generator,
    schools: list[SchoolPlan],
    classes: list[ClassPlan],
    subjects: Mapping[str, tuple[int, ...]] = CORE_SUBJECTS,
    first: int = 0,
) -> list[TeacherPlan]:
    """Each subject teacher takes two classes of one grade; the Chinese teacher is head teacher.

    ``subjects`` maps subject codes to the grades they are taught in; staff numbers count on
    from ``first``."""
    teachers: list[TeacherPlan] = []
    for school_index in range(len(schools)):
        by_grade: dict[int, list[int]] = {}
        for index, plan in enumerate(classes):
            if plan.school == school_index:
                by_grade.setdefault(plan.grade, []).append(index)
        for subject, grades in subjects.items():
            for grade, grade_classes in by_grade.items():
                if grade not in grades:
                    continue
                for start in range(0, len(grade_classes), 2):
                    taught = tuple(grade_classes[start : start + 2])
                    gender = "female" if rng.random() < 0.65 else "male"
                    teachers.append(
                        TeacherPlan(
                            school=school_index,
                            staff_number=f"T{school_index + 1:02d}{first + len(teachers) + 1:04d}",
                            name=person_name(rng, "女" if gender == "female" else "男"),
                            gender=gender,
                            subject=subject,
                            classes=taught,
                            heads=taught if subject == HEAD_TEACHER_SUBJECT else (),
                        )
                    )
    return teachers
