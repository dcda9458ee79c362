"""Homework analytics for a class, a student and a school: completion, late and missing work,
accuracy by knowledge point and week.

Who sees what: a class's homework is for whoever sees the class (its teachers, 班主任 included,
and the admins of its school and district); a school's overview for its admins and the
district's; a student's own homework for the student's staff, the student and their parent.
Every read of students' records writes an audit row with the students it showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import Grade, School, SchoolClass, Student, TeachingAssignment
from yincai.errors import Invalid
from yincai.governance import service as governance_service
from yincai.homework import summary
from yincai.homework.data import (
    SCHOOL_TIME,
    Assignment,
    LoadedHomework,
    homework_subjects,
    load_homework,
)
from yincai.i18n import _
from yincai.rules import has_many_missing

PAGE_SIZE = 50
ClassSurface = Literal["view", "xlsx"]
SchoolSort = Literal["completion", "accuracy", "name"]
Status = Literal["on_time", "late", "missing"]
_STATUS: dict[int, Status] = {
    summary.ON_TIME: "on_time",
    summary.LATE: "late",
    summary.MISSING: "missing",
}


@dataclass(frozen=True)
class SubjectOption:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Totals:
    """What became of the work set to a group: the counts add up (see ``summary``)."""

    assigned: int
    completed: int
    on_time: int
    late: int
    missing: int
    completion_rate: float | None
    late_rate: float | None
    accuracy: float | None


@dataclass(frozen=True)
class StudentRow:
    student_id: int
    student_number: str
    name: str
    totals: Totals
    has_many_missing: bool


@dataclass(frozen=True)
class KpRow:
    code: str
    name: str
    accuracy: float
    weight: float  # attempts on the point, weighted


@dataclass(frozen=True)
class WeekPoint:
    monday: date
    assigned: int
    completed: int
    late: int
    completion_rate: float | None
    accuracy: float | None


@dataclass(frozen=True)
class ClassHomework:
    school_class_id: int
    class_name: str
    school_id: int
    school_name: str
    subject: SubjectOption | None  # None: no homework set to the class yet
    subjects: list[SubjectOption]
    as_of: datetime
    n_assignments: int
    n_students: int
    totals: Totals | None
    weeks: list[WeekPoint]
    kps: list[KpRow]  # weakest first
    students: list[StudentRow]  # this page's
    page: int
    n_pages: int
    n_flagged: int


@dataclass(frozen=True)
class AssignmentRow:
    assessment_id: int
    name: str
    set_on: date
    due_at: datetime  # in school time (Beijing)
    n_items: int
    status: Status
    last_at: datetime | None  # in school time
    accuracy: float | None


@dataclass(frozen=True)
class StudentHomework:
    student_id: int
    student_number: str
    name: str
    class_name: str
    subject: SubjectOption | None
    subjects: list[SubjectOption]
    as_of: datetime
    totals: Totals | None
    assignments: list[AssignmentRow]  # newest first
    kps: list[KpRow]  # weakest first


@dataclass(frozen=True)
class ClassRow:
    school_class_id: int
    name: str
    grade_level: int
    n_students: int
    totals: Totals


@dataclass(frozen=True)
class SchoolHomework:
    school_id: int
    school_name: str
    subject: SubjectOption | None
    subjects: list[SubjectOption]
    as_of: datetime
    sort: SchoolSort
    totals: Totals | None
    classes: list[ClassRow]


def _float(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _totals(counts: summary.Counts, k: int) -> Totals:
    return Totals(
        assigned=int(counts.assigned[k]),
        completed=int(counts.completed[k]),
        on_time=int(counts.on_time[k]),
        late=int(counts.late[k]),
        missing=int(counts.missing[k]),
        completion_rate=_float(counts.completion_rate[k]),
        late_rate=_float(counts.late_rate[k]),
        accuracy=_float(counts.accuracy[k]),
    )


def _overall(counts: summary.Counts) -> Totals:
    n = counts.assigned.size
    return _totals(summary.group_counts(counts, np.zeros(n, dtype=np.int64), 1), 0)


def _kps(loaded: LoadedHomework, students: summary.BoolArray | None = None) -> list[KpRow]:
    accuracy, weight = summary.kp_accuracy(loaded.data, students)
    rows = [
        KpRow(code, name, float(accuracy[k]), float(weight[k]))
        for k, (code, name) in enumerate(zip(loaded.kp_codes, loaded.kp_names, strict=True))
        if weight[k] > 0
    ]
    return sorted(rows, key=lambda row: (row.accuracy, row.code))


def _weeks(loaded: LoadedHomework, states: summary.Int8Array) -> list[WeekPoint]:
    series = summary.weekly(loaded.data, states)
    first = loaded.first_monday or date.min
    return [
        WeekPoint(
            monday=first + timedelta(weeks=week),
            assigned=int(series.assigned[k]),
            completed=int(series.completed[k]),
            late=int(series.late[k]),
            completion_rate=_float(series.completion_rate[k]),
            accuracy=_float(series.accuracy[k]),
        )
        for k, week in enumerate(series.weeks.tolist())
    ]


def _choose_subject(
    options: list[SubjectOption], code: str | None, preferred: list[int]
) -> SubjectOption | None:
    """The subject asked for (Invalid if it has no homework here), else a preferred one (the
    teacher's own), else the first."""
    if code:
        for option in options:
            if option.code == code:
                return option
        raise Invalid(
            _("科目 {code} 在此没有作业记录").format(code=code), code="homework.subject_unknown"
        )
    for option in options:
        if option.id in preferred:
            return option
    return options[0] if options else None


def _options(session: Session, class_ids: list[int]) -> list[SubjectOption]:
    return [SubjectOption(*row) for row in homework_subjects(session, class_ids)]


def _own_subjects(session: Session, actor: governance_service.Actor, class_id: int) -> list[int]:
    if not isinstance(actor, UserAccount) or actor.role is not Role.TEACHER:
        return []
    return list(
        session.scalars(
            select(TeachingAssignment.subject_id).where(
                TeachingAssignment.teacher_id == actor.teacher_id,
                TeachingAssignment.school_class_id == class_id,
            )
        )
    )


def _now(as_of: datetime | None) -> datetime:
    return datetime.now(UTC) if as_of is None else as_of


def class_homework(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    subject_code: str | None = None,
    page: int | None = 1,
    as_of: datetime | None = None,
    surface: ClassSurface = "view",
) -> ClassHomework:
    """One class's homework in one subject: totals, weeks, knowledge points and its students
    (``page`` of ``PAGE_SIZE``, or all when None); staff who see the class only."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    school = session.get(School, school_class.school_id)
    assert school is not None
    options = _options(session, [school_class_id])
    preferred = _own_subjects(session, actor, school_class_id)
    subject = _choose_subject(options, subject_code, preferred)
    moment = _now(as_of)
    if subject is None:
        if surface == "xlsx":
            raise Invalid(_("本班还没有作业记录"), code="homework.none")
        governance_service.audit(
            session,
            actor=actor,
            action="homework_class_view",
            object_type="school_class",
            object_id=school_class_id,
        )
        return ClassHomework(
            school_class_id, school_class.name, school.id, school.name, None, [], moment,
            0, 0, None, [], [], [], 1, 1, 0,
        )  # fmt: skip
    loaded = load_homework(
        session, subject_id=subject.id, class_ids=[school_class_id], as_of=moment
    )
    states = summary.status(loaded.data)
    counts = summary.student_counts(loaded.data, states)
    people = {
        int(i): (str(number), str(name))
        for i, number, name in session.execute(
            select(Student.id, Student.student_number, Student.name).where(
                Student.id.in_(loaded.student_ids)
            )
        ).all()
    }
    rows = [
        StudentRow(
            student_id=student_id,
            student_number=people[student_id][0],
            name=people[student_id][1],
            totals=_totals(counts, k),
            has_many_missing=has_many_missing(int(counts.missing[k]), int(counts.assigned[k])),
        )
        for k, student_id in enumerate(loaded.student_ids)
    ]
    n_pages = max(1, -(-len(rows) // PAGE_SIZE))
    if page is not None:
        if page < 1 or page > n_pages:
            raise Invalid(
                _("页码应在 1 到 {n} 之间").format(n=n_pages), code="homework.page_out_of_range"
            )
        shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    else:
        shown = rows
    governance_service.audit(
        session,
        actor=actor,
        action="homework_class_view" if surface == "view" else "homework_class_xlsx",
        object_type="school_class",
        object_id=f"{school_class_id}:{subject.code}",
        student_ids=[row.student_id for row in shown],
    )
    return ClassHomework(
        school_class_id=school_class_id,
        class_name=school_class.name,
        school_id=school.id,
        school_name=school.name,
        subject=subject,
        subjects=options,
        as_of=moment,
        n_assignments=len(loaded.assignments),
        n_students=len(rows),
        totals=_overall(counts),
        weeks=_weeks(loaded, states),
        kps=_kps(loaded),
        students=shown,
        page=page or 1,
        n_pages=1 if page is None else n_pages,
        n_flagged=sum(row.has_many_missing for row in rows),
    )


def student_homework(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    subject_code: str | None = None,
    as_of: datetime | None = None,
) -> StudentHomework:
    """One student's homework in one subject: what was handed in, late or missing, and the
    accuracy by knowledge point; the student's staff, the student and their parent."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    school_class = session.get(SchoolClass, student.school_class_id)
    assert school_class is not None
    options = _options(session, [student.school_class_id])
    preferred = _own_subjects(session, actor, student.school_class_id)
    subject = _choose_subject(options, subject_code, preferred)
    moment = _now(as_of)
    governance_service.audit(
        session,
        actor=actor,
        action="homework_student_view",
        object_type="student",
        object_id=student_id,
    )
    if subject is None:
        return StudentHomework(
            student_id, student.student_number, student.name, school_class.name, None, [],
            moment, None, [], [],
        )  # fmt: skip
    loaded = load_homework(
        session,
        subject_id=subject.id,
        class_ids=[student.school_class_id],
        as_of=moment,
        student_ids=[student_id],
    )
    states = summary.status(loaded.data)
    counts = summary.student_counts(loaded.data, states)
    data = loaded.data
    return StudentHomework(
        student_id=student_id,
        student_number=student.student_number,
        name=student.name,
        class_name=school_class.name,
        subject=subject,
        subjects=options,
        as_of=moment,
        totals=_totals(counts, 0) if loaded.student_ids else None,
        assignments=_assignment_rows(loaded.assignments, states, data)
        if loaded.student_ids
        else [],
        kps=_kps(loaded),
    )


def _assignment_rows(
    assignments: list[Assignment], states: summary.Int8Array, data: summary.HomeworkData
) -> list[AssignmentRow]:
    """The student's (row 0) assignments, newest first."""
    n = len(assignments)
    last = np.full(n, -np.inf)
    np.maximum.at(last, data.attempt_assignment, data.attempt_s)
    scored = np.isfinite(data.attempt_score)
    n_scored = np.bincount(data.attempt_assignment[scored], minlength=n)
    total = np.bincount(
        data.attempt_assignment[scored], weights=data.attempt_score[scored], minlength=n
    )
    rows = [
        AssignmentRow(
            assessment_id=assignment.id,
            name=assignment.name,
            set_on=assignment.set_on,
            due_at=assignment.due_at.astimezone(SCHOOL_TIME),
            n_items=assignment.n_items,
            status=_STATUS[int(states[0, k])],
            last_at=(
                datetime.fromtimestamp(float(last[k]), SCHOOL_TIME)
                if np.isfinite(last[k])
                else None
            ),
            accuracy=float(total[k] / n_scored[k]) if n_scored[k] else None,
        )
        for k, assignment in enumerate(assignments)
        if states[0, k] != summary.NOT_ASSIGNED
    ]
    return sorted(rows, key=lambda row: (row.set_on, row.assessment_id), reverse=True)


def school_homework(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_id: int,
    subject_code: str | None = None,
    sort: SchoolSort = "completion",
    as_of: datetime | None = None,
) -> SchoolHomework:
    """A school's classes side by side in one subject: completion, late, missing, accuracy;
    the school's admins and the district's."""
    governance_service.require_role(actor, *governance_service.ADMIN_ROLES)
    governance_service.require_scope(session, actor=actor, school_id=school_id)
    school = session.get(School, school_id)
    assert school is not None
    classes = session.execute(
        select(SchoolClass.id, SchoolClass.name, Grade.level)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(SchoolClass.school_id == school_id)
        .order_by(Grade.level, SchoolClass.name, SchoolClass.id)
    ).all()
    class_ids = [int(c) for c, _n, _l in classes]
    options = _options(session, class_ids)
    subject = _choose_subject(options, subject_code, [])
    moment = _now(as_of)
    governance_service.audit(
        session,
        actor=actor,
        action="homework_school_view",
        object_type="school",
        object_id=f"{school_id}:{subject.code if subject else '-'}",
    )
    if subject is None:
        return SchoolHomework(school_id, school.name, None, [], moment, sort, None, [])
    loaded = load_homework(session, subject_id=subject.id, class_ids=class_ids, as_of=moment)
    counts = summary.student_counts(loaded.data)
    position = {c: k for k, c in enumerate(class_ids)}
    group = np.array([position[c] for c in loaded.student_class_ids], dtype=np.int64)
    by_class = summary.group_counts(counts, group, len(class_ids))
    n_students = np.bincount(group, minlength=len(class_ids))
    rows = [
        ClassRow(int(c), str(name), int(level), int(n_students[k]), _totals(by_class, k))
        for k, (c, name, level) in enumerate(classes)
        if by_class.assigned[k] > 0
    ]
    if sort == "completion":
        rows.sort(key=lambda row: (_key(row.totals.completion_rate), row.name))
    elif sort == "accuracy":
        rows.sort(key=lambda row: (_key(row.totals.accuracy), row.name))
    return SchoolHomework(
        school_id, school.name, subject, options, moment, sort, _overall(counts), rows
    )


def _key(value: float | None) -> float:
    """Weakest first; classes without a figure last."""
    return 2.0 if value is None else value
