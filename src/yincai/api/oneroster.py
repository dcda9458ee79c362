"""The OneRoster 1.2 CSV export (rostering and gradebook) of one district, for its own systems.

One ZIP, bulk mode: ``manifest.csv``, ``orgs.csv`` (the district and its schools),
``academicSessions.csv`` (school years, September to August), ``courses.csv`` (a subject in a
grade), ``classes.csv`` (a school class taught one subject: one per teaching assignment, and per
subject a class sat an assessment in), ``users.csv`` and ``roles.csv`` (students and teachers),
``enrollments.csv``, ``categories.csv`` (exam, homework, quiz), ``lineItems.csv`` (an assessment
in one class) and ``results.csv`` (each sitting's total).

Privacy (docs/security.md, "exports are pseudonymised"): the district's systems need stable
ids to match their records, so ``sourcedId`` is the platform's id (``stu-12``, ``tea-3``) and
``identifier`` the district's own student or staff number; names are left out unless asked for
(``with_names``: ``familyName`` is the first character of the Chinese name, ``givenName`` the
rest); no guardian, phone, birth year or gender leaves. Students whose data were erased
(anonymised) are left out. Every export is audited with the students it holds.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import SystemActor
from yincai.accounts.models import Role
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    District,
    Grade,
    School,
    SchoolClass,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.domain.queries import full_scores, sitting_totals
from yincai.errors import NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _

ONEROSTER_VERSION = "1.2"
# The header of each file, in the order of the OneRoster 1.2 CSV binding.
HEADERS: dict[str, tuple[str, ...]] = {
    "orgs.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ),
    "academicSessions.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
    "courses.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "users.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    "roles.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    "enrollments.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    "categories.csv": ("sourcedId", "status", "dateLastModified", "title", "weight"),
    "lineItems.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "gradingPeriodSourcedIds",
        "academicSessionSourcedId",
        "scoreScaleSourcedId",
        "resultValueMin",
        "resultValueMax",
        "schoolSourcedId",
    ),
    "results.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreScaleSourcedId",
        "scoreStatus",
        "score",
        "textScore",
        "scoreDate",
        "comment",
        "inProgress",
        "incomplete",
        "late",
        "missing",
    ),
}
MANIFEST_HEADER = ("propertyName", "value")
# Every file the 1.2 manifest names: those above are sent in bulk, the others are absent.
MANIFEST_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)
CATEGORY_TITLES = {
    AssessmentKind.EXAM: "考试",
    AssessmentKind.HOMEWORK: "作业",
    AssessmentKind.QUIZ: "测验",
}


@dataclass(frozen=True)
class OneRosterExport:
    content: bytes
    file_name: str
    counts: dict[str, int]  # data rows per file
    n_students: int


def _school_year(day: date) -> int:
    """The OneRoster school year of a day: the year it ends in (Sept 2026 → 2027)."""
    return day.year + 1 if day.month >= 9 else day.year


def _grade(level: int) -> str:
    return f"{level:02d}"


def _split_name(name: str) -> tuple[str, str]:
    """(given, family) of a Chinese name: the surname is its first character."""
    name = name.strip()
    return name[1:], name[:1]


def _district(session: Session, actor: governance_service.Actor, code: str | None) -> District:
    if isinstance(actor, SystemActor):
        query = select(District).order_by(District.id)
        if code is not None:
            query = query.where(District.code == code)
        found = session.scalars(query).first()
    else:
        governance_service.require_role(actor, Role.DISTRICT_ADMIN)
        found = session.get(District, actor.district_id)
    if found is None:
        raise NotFound(_("区 {code} 不存在").format(code=code or ""), code="district.not_found")
    return found


def export_oneroster(
    session: Session,
    *,
    actor: governance_service.Actor,
    with_names: bool = False,
    with_results: bool = True,
    district_code: str | None = None,
    now: datetime | None = None,
) -> OneRosterExport:
    """The district's OneRoster 1.2 CSV ZIP (district admins and the operator; audited)."""
    district = _district(session, actor, district_code)
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    active = ("active", stamp)
    district_org = f"org-{district.code}"
    schools = session.scalars(
        select(School).where(School.district_id == district.id).order_by(School.id)
    ).all()
    school_org = {s.id: f"org-{s.code}" for s in schools}
    rows: dict[str, list[Sequence[object]]] = {name: [] for name in HEADERS}
    rows["orgs.csv"].append((district_org, *active, district.name, "district", district.code, ""))
    for school in schools:
        rows["orgs.csv"].append(
            (school_org[school.id], *active, school.name, "school", school.code, district_org)
        )

    assessments = session.scalars(
        select(Assessment).where(Assessment.district_id == district.id).order_by(Assessment.id)
    ).all()
    today = (now or datetime.now(UTC)).date()
    years = sorted({_school_year(a.held_on) for a in assessments} | {_school_year(today)})
    current_year = f"year-{max(years)}"
    for year in years:
        rows["academicSessions.csv"].append(
            (
                f"year-{year}",
                *active,
                f"{year - 1}–{year} 学年",
                "schoolYear",
                date(year - 1, 9, 1).isoformat(),
                date(year, 8, 31).isoformat(),
                "",
                str(year),
            )
        )

    subjects = {s.id: s for s in session.scalars(select(Subject)).all()}
    classes = {
        c.id: (c, level)
        for c, level in session.execute(
            select(SchoolClass, Grade.level)
            .join(Grade, Grade.id == SchoolClass.grade_id)
            .where(SchoolClass.school_id.in_(school_org))
            .order_by(SchoolClass.id)
        ).all()
    }
    assignments = session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.school_class_id.in_(classes))
        .order_by(TeachingAssignment.id)
    ).all()
    sat = session.execute(
        select(AssessmentClass.assessment_id, AssessmentClass.school_class_id).where(
            AssessmentClass.assessment_id.in_([a.id for a in assessments])
        )
    ).all()
    by_id = {a.id: a for a in assessments}
    # A OneRoster class: one school class taught one subject.
    taught = {(t.school_class_id, t.subject_id) for t in assignments}
    taught |= {(class_id, by_id[a_id].subject_id) for a_id, class_id in sat if class_id in classes}

    students = session.scalars(
        select(Student)
        .where(
            Student.district_id == district.id,
            Student.anonymised_at.is_(None),
            Student.school_class_id.in_(classes),
        )
        .order_by(Student.id)
    ).all()
    student_ids = [s.id for s in students]
    class_of = {s.id: s.school_class_id for s in students}
    totals = (
        sitting_totals(session, assessment_ids=list(by_id), student_ids=student_ids)
        if with_results and assessments
        else []
    )
    # Sittings of students since moved to another class: that class gets the line item too.
    taught |= {(class_of[t.student_id], by_id[t.assessment_id].subject_id) for t in totals}
    lines = {(a_id, c_id) for a_id, c_id in sat if c_id in classes}
    lines |= {(t.assessment_id, class_of[t.student_id]) for t in totals}

    def class_key(class_id: int, subject_id: int) -> str:
        return f"cls-{class_id}-{subjects[subject_id].code}"

    courses = sorted({(subject_id, classes[c][1]) for c, subject_id in taught})
    for subject_id, level in courses:
        subject = subjects[subject_id]
        rows["courses.csv"].append(
            (
                f"crs-{subject.code}-{level}",
                *active,
                current_year,
                f"{subject.name}（{level} 年级）",
                f"{subject.code}-{level}",
                _grade(level),
                district_org,
                subject.name,
                "",
            )
        )
    for class_id, subject_id in sorted(taught):
        school_class, level = classes[class_id]
        subject = subjects[subject_id]
        rows["classes.csv"].append(
            (
                class_key(class_id, subject_id),
                *active,
                f"{school_class.name} {subject.name}",
                _grade(level),
                f"crs-{subject.code}-{level}",
                f"{class_id}-{subject.code}",
                "scheduled",
                "",
                school_org[school_class.school_id],
                current_year,
                subject.name,
                "",
                "",
            )
        )

    def name_fields(name: str) -> tuple[str, str]:
        return _split_name(name) if with_names else ("", "")

    for student in students:
        school_class, level = classes[student.school_class_id]
        given, family = name_fields(student.name)
        key = f"stu-{student.id}"
        rows["users.csv"].append(
            (
                key,
                *active,
                "false" if student.left_on else "true",
                student.student_number,
                "",
                given,
                family,
                "",
                student.student_number,
                "",
                "",
                "",
                "",
                _grade(level),
                "",
                "",
                "",
                "",
                "",
                "",
                school_org[school_class.school_id],
                "",
            )
        )
        rows["roles.csv"].append(
            (
                f"role-{key}",
                *active,
                key,
                "primary",
                "student",
                "",
                "",
                school_org[school_class.school_id],
                "",
            )
        )
        for class_id, subject_id in sorted(t for t in taught if t[0] == student.school_class_id):
            rows["enrollments.csv"].append(
                (
                    f"enr-{key}-{class_id}-{subjects[subject_id].code}",
                    *active,
                    class_key(class_id, subject_id),
                    school_org[school_class.school_id],
                    key,
                    "student",
                    "false",
                    "",
                    "",
                )
            )
    teachers = session.scalars(
        select(Teacher).where(Teacher.school_id.in_(school_org)).order_by(Teacher.id)
    ).all()
    for teacher in teachers:
        given, family = name_fields(teacher.name)
        key = f"tea-{teacher.id}"
        rows["users.csv"].append(
            (
                key,
                *active,
                "true",
                teacher.staff_number,
                "",
                given,
                family,
                "",
                teacher.staff_number,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                school_org[teacher.school_id],
                "",
            )
        )
        rows["roles.csv"].append(
            (
                f"role-{key}",
                *active,
                key,
                "primary",
                "teacher",
                "",
                "",
                school_org[teacher.school_id],
                "",
            )
        )
    for assignment in assignments:
        class_id, subject_id = assignment.school_class_id, assignment.subject_id
        rows["enrollments.csv"].append(
            (
                f"enr-tea-{assignment.teacher_id}-{class_id}-{subjects[subject_id].code}",
                *active,
                class_key(class_id, subject_id),
                school_org[classes[class_id][0].school_id],
                f"tea-{assignment.teacher_id}",
                "teacher",
                "true",
                "",
                "",
            )
        )

    for kind in AssessmentKind:
        rows["categories.csv"].append((f"cat-{kind.value}", *active, CATEGORY_TITLES[kind], ""))
    full = full_scores(session, list(by_id))
    for assessment_id, class_id in sorted(lines):
        assessment = by_id[assessment_id]
        rows["lineItems.csv"].append(
            (
                f"li-{assessment_id}-{class_id}",
                *active,
                assessment.name,
                assessment.code,
                assessment.held_on.isoformat(),
                assessment.held_on.isoformat(),
                class_key(class_id, assessment.subject_id),
                f"cat-{assessment.kind.value}",
                "",
                f"year-{_school_year(assessment.held_on)}",
                "",
                "0",
                _number(full.get(assessment_id, 0.0)),
                school_org[classes[class_id][0].school_id],
            )
        )
    for t in sorted(totals, key=lambda t: (t.assessment_id, t.student_id)):
        assessment = by_id[t.assessment_id]
        missing = t.is_absent or t.total is None
        rows["results.csv"].append(
            (
                f"res-{t.assessment_id}-{t.student_id}",
                *active,
                f"li-{t.assessment_id}-{class_of[t.student_id]}",
                f"stu-{t.student_id}",
                "",
                "not submitted" if missing else "fully graded",
                "" if t.total is None else _number(t.total),
                "缺考" if t.is_absent else "",
                assessment.held_on.isoformat(),
                "",
                "false",
                "false",
                "false",
                "true" if missing else "false",
            )
        )

    if not with_results:
        rows.pop("lineItems.csv")
        rows.pop("results.csv")
        rows.pop("categories.csv")
    files = {"manifest.csv": _manifest(set(rows), district.code)}
    files.update({name: _csv(HEADERS[name], data) for name, data in rows.items()})
    governance_service.audit(
        session,
        actor=actor,
        action="oneroster_export",
        object_type="district",
        object_id=district.id,
        student_ids=student_ids,
    )
    return OneRosterExport(
        content=_zip(files),
        file_name=f"oneroster-{district.code}-{today.isoformat()}.zip",
        counts={name: len(data) for name, data in rows.items()},
        n_students=len(students),
    )


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.4g}"


def _manifest(sent: set[str], district_code: str) -> bytes:
    rows: list[Sequence[object]] = [
        ("manifest.version", "1.0"),
        ("oneroster.version", ONEROSTER_VERSION),
    ]
    rows += [
        (f"file.{name}", "bulk" if f"{name}.csv" in sent else "absent") for name in MANIFEST_FILES
    ]
    rows += [("source.systemName", "yincai"), ("source.systemCode", district_code)]
    return _csv(MANIFEST_HEADER, rows)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
