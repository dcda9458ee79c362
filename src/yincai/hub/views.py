"""Scoped read views of the hub for each role's home page: every view checks the actor's scope
(governance) and every view of student-level data is audited.

Students and parents see grade bands (等级) only, never ranks, totals of others or class statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    District,
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
from yincai.domain.models import Sitting as SittingRow
from yincai.domain.queries import full_scores, sitting_totals
from yincai.governance import service as governance_service
from yincai.hub.joint_views import JointResult, student_joint_results
from yincai.rules import grade_band


@dataclass(frozen=True)
class ClassSummary:
    id: int
    name: str
    school_name: str
    grade_name: str
    subjects: list[str]
    is_head_teacher: bool
    n_students: int


@dataclass(frozen=True)
class ClassSitting:
    """One class's participation in one assessment."""

    assessment_id: int
    name: str
    kind: AssessmentKind
    held_on: date
    subject: str
    class_name: str
    n_students: int
    n_present: int
    n_absent: int
    joint_exam_id: int | None = None  # the joint exam (联考) the paper belongs to
    school_class_id: int = 0  # the report link opens this class's view of the exam

    @property
    def participation(self) -> float:
        return self.n_present / self.n_students if self.n_students else 0.0


@dataclass(frozen=True)
class TeacherHome:
    teacher_name: str
    classes: list[ClassSummary]
    recent: list[ClassSitting]


@dataclass(frozen=True)
class ExamColumn:
    assessment_id: int
    name: str
    held_on: date
    full_score: float
    joint_exam_id: int | None = None


@dataclass(frozen=True)
class RosterRow:
    student_id: int
    student_number: str
    name: str
    gender: str
    totals: list[float | None]  # per exam column; None = absent or no sitting


@dataclass(frozen=True)
class ClassRoster:
    id: int
    name: str
    school_name: str
    grade_name: str
    exams: list[ExamColumn]
    students: list[RosterRow]


@dataclass(frozen=True)
class BandResult:
    assessment_id: int
    name: str
    kind: AssessmentKind
    held_on: date
    subject: str
    band: str | None  # None = absent (缺考)
    total: float | None  # shown to staff only
    full_score: float


@dataclass(frozen=True)
class StudentProfile:
    id: int
    student_number: str
    name: str
    class_name: str
    school_name: str
    results: list[BandResult]
    shows_scores: bool
    guardian_name: str | None = None  # staff only (teachers of the class, admins)
    guardian_phone: str | None = None
    joint_results: list[JointResult] = field(default_factory=list)  # 联考 with 总分


@dataclass(frozen=True)
class SchoolHome:
    id: int
    name: str
    code: str
    classes: list[ClassSummary]
    assessments: list[ClassSitting]


@dataclass(frozen=True)
class SchoolCount:
    id: int
    code: str
    name: str
    setting: Setting
    stage: Stage
    n_classes: int
    n_students: int
    n_teachers: int


@dataclass(frozen=True)
class DistrictExam:
    """One exam of the district with how many classes and students sat it."""

    assessment_id: int
    name: str
    held_on: date
    subject: str
    grade_level: int
    n_classes: int
    n_sat: int


@dataclass(frozen=True)
class DistrictHome:
    name: str
    schools: list[SchoolCount]
    exams: list[DistrictExam] = field(default_factory=list)
    subjects: list[tuple[str, str]] = field(default_factory=list)  # (code, name) for the filter
    grade_levels: list[int] = field(default_factory=list)

    @property
    def n_students(self) -> int:
        return sum(school.n_students for school in self.schools)


def _class_summaries(
    session: Session, class_ids: list[int], teacher_id: int | None
) -> list[ClassSummary]:
    if not class_ids:
        return []
    counts = dict(
        session.execute(
            select(Student.school_class_id, func.count())
            .where(Student.school_class_id.in_(class_ids))
            .group_by(Student.school_class_id)
        ).all()
    )
    subjects: dict[int, list[str]] = {}
    head: set[int] = set()
    if teacher_id is not None:
        assignments = session.execute(
            select(
                TeachingAssignment.school_class_id, Subject.name, TeachingAssignment.is_head_teacher
            )
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .where(TeachingAssignment.teacher_id == teacher_id)
            .order_by(Subject.name)
        )
        for class_id, subject, is_head in assignments:
            subjects.setdefault(class_id, []).append(subject)
            if is_head:
                head.add(class_id)
    rows = session.execute(
        select(SchoolClass.id, SchoolClass.name, School.name, Grade.name)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(SchoolClass.id.in_(class_ids))
        .order_by(Grade.level, SchoolClass.name)
    )
    return [
        ClassSummary(
            id=class_id,
            name=name,
            school_name=school_name,
            grade_name=grade_name,
            subjects=subjects.get(class_id, []),
            is_head_teacher=class_id in head,
            n_students=int(counts.get(class_id, 0)),
        )
        for class_id, name, school_name, grade_name in rows
    ]


def _class_sittings(
    session: Session, class_ids: list[int], limit: int | None
) -> list[ClassSitting]:
    """The latest (assessment, class) pairs among these classes (all when ``limit`` is None),
    with head counts."""
    if not class_ids:
        return []
    query = (
        select(Assessment, SchoolClass.id, SchoolClass.name, Subject.name)
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .join(SchoolClass, SchoolClass.id == AssessmentClass.school_class_id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(
            AssessmentClass.school_class_id.in_(class_ids),
            Assessment.kind != AssessmentKind.HOMEWORK,  # homework has pages of its own
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc(), SchoolClass.name)
    )
    pairs = session.execute(query if limit is None else query.limit(limit)).all()
    if not pairs:
        return []
    assessment_ids = {assessment.id for assessment, *_ in pairs}
    n_students = dict(
        session.execute(
            select(Student.school_class_id, func.count())
            .where(Student.school_class_id.in_(class_ids))
            .group_by(Student.school_class_id)
        ).all()
    )
    attendance = {
        (assessment_id, class_id): (int(present), int(absent))
        for assessment_id, class_id, present, absent in session.execute(
            select(
                SittingRow.assessment_id,
                Student.school_class_id,
                func.sum(case((SittingRow.is_absent, 0), else_=1)),
                func.sum(case((SittingRow.is_absent, 1), else_=0)),
            )
            .join(Student, Student.id == SittingRow.student_id)
            .where(
                SittingRow.assessment_id.in_(assessment_ids),
                Student.school_class_id.in_(class_ids),
            )
            .group_by(SittingRow.assessment_id, Student.school_class_id)
        )
    }
    return [
        ClassSitting(
            assessment_id=assessment.id,
            name=assessment.name,
            kind=assessment.kind,
            held_on=assessment.held_on,
            subject=subject,
            class_name=class_name,
            n_students=int(n_students.get(class_id, 0)),
            n_present=attendance.get((assessment.id, class_id), (0, 0))[0],
            n_absent=attendance.get((assessment.id, class_id), (0, 0))[1],
            joint_exam_id=assessment.joint_exam_id,
            school_class_id=class_id,
        )
        for assessment, class_id, class_name, subject in pairs
    ]


def teacher_home(session: Session, *, actor: UserAccount) -> TeacherHome:
    """A teacher's classes with head counts and every assessment those classes sat, latest first
    (the page shows them 50 at a time)."""
    governance_service.require_role(actor, Role.TEACHER)
    # an account made before its teacher record (or unlinked) has no classes yet
    teacher = session.get(Teacher, actor.teacher_id) if actor.teacher_id is not None else None
    class_ids = sorted(set(session.scalars(governance_service.visible_class_ids(actor))))
    return TeacherHome(
        teacher_name=teacher.name if teacher else actor.display_name,
        classes=_class_summaries(session, class_ids, actor.teacher_id),
        recent=_class_sittings(session, class_ids, None),
    )


def school_home(session: Session, *, actor: UserAccount, school_id: int) -> SchoolHome:
    """A school's classes and every assessment they sat, latest first (school and district
    admins; the page shows them 50 at a time)."""
    governance_service.require_role(actor, *governance_service.ADMIN_ROLES)
    governance_service.require_scope(session, actor=actor, school_id=school_id)
    school = session.get(School, school_id)
    assert school is not None  # require_scope raised NotFound otherwise
    class_ids = list(
        session.scalars(select(SchoolClass.id).where(SchoolClass.school_id == school_id))
    )
    return SchoolHome(
        id=school.id,
        name=school.name,
        code=school.code,
        classes=_class_summaries(session, class_ids, None),
        assessments=_class_sittings(session, class_ids, None),
    )


def district_home(
    session: Session,
    *,
    actor: UserAccount,
    grade_level: int | None = None,
    subject_code: str | None = None,
) -> DistrictHome:
    """The district's schools with head counts and its exams, latest first, optionally of one
    grade or subject (district admins)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    district = session.get(District, actor.district_id)
    return DistrictHome(
        name=district.name if district else "",
        schools=school_counts(session, actor=actor),
        exams=district_exams(
            session, actor=actor, grade_level=grade_level, subject_code=subject_code
        ),
        subjects=[
            (code, name)
            for code, name in session.execute(
                select(Subject.code, Subject.name)
                .where(
                    Subject.id.in_(
                        select(Assessment.subject_id).where(
                            Assessment.district_id == actor.district_id
                        )
                    )
                )
                .order_by(Subject.id)
            ).all()
        ],
        grade_levels=sorted(
            session.scalars(
                select(Assessment.grade_level)
                .where(Assessment.district_id == actor.district_id)
                .distinct()
            )
        ),
    )


def district_exams(
    session: Session,
    *,
    actor: UserAccount,
    grade_level: int | None = None,
    subject_code: str | None = None,
) -> list[DistrictExam]:
    """The district's exams (not homework), latest first, with the classes and students that sat
    them: counts only, no personal data (district admins)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    query = (
        select(Assessment.id, Assessment.name, Assessment.held_on, Subject.name,
               Assessment.grade_level)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(
            Assessment.district_id == actor.district_id,
            Assessment.kind == AssessmentKind.EXAM,
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
    )  # fmt: skip
    if grade_level is not None:
        query = query.where(Assessment.grade_level == grade_level)
    if subject_code is not None:
        query = query.where(Subject.code == subject_code)
    rows = session.execute(query).all()
    ids = [row[0] for row in rows]
    n_classes = dict(
        session.execute(
            select(AssessmentClass.assessment_id, func.count())
            .where(AssessmentClass.assessment_id.in_(ids))
            .group_by(AssessmentClass.assessment_id)
        ).all()
    )
    n_sat = dict(
        session.execute(
            select(SittingRow.assessment_id, func.count())
            .where(SittingRow.assessment_id.in_(ids), SittingRow.is_absent.is_(False))
            .group_by(SittingRow.assessment_id)
        ).all()
    )
    return [
        DistrictExam(
            assessment_id=assessment_id,
            name=name,
            held_on=held_on,
            subject=subject,
            grade_level=level,
            n_classes=int(n_classes.get(assessment_id, 0)),
            n_sat=int(n_sat.get(assessment_id, 0)),
        )
        for assessment_id, name, held_on, subject, level in rows
    ]


def school_counts(session: Session, *, actor: UserAccount) -> list[SchoolCount]:
    """The schools in the actor's sight with numbers of classes, students and teachers."""
    school_ids = governance_service.visible_school_ids(actor)
    classes = dict(
        session.execute(
            select(SchoolClass.school_id, func.count())
            .where(SchoolClass.school_id.in_(school_ids))
            .group_by(SchoolClass.school_id)
        ).all()
    )
    students = dict(
        session.execute(
            select(SchoolClass.school_id, func.count(Student.id))
            .join(Student, Student.school_class_id == SchoolClass.id)
            .where(SchoolClass.school_id.in_(school_ids))
            .group_by(SchoolClass.school_id)
        ).all()
    )
    teachers = dict(
        session.execute(
            select(Teacher.school_id, func.count())
            .where(Teacher.school_id.in_(school_ids))
            .group_by(Teacher.school_id)
        ).all()
    )
    schools = session.scalars(select(School).where(School.id.in_(school_ids)).order_by(School.code))
    return [
        SchoolCount(
            id=school.id,
            code=school.code,
            name=school.name,
            setting=school.setting,
            stage=school.stage,
            n_classes=int(classes.get(school.id, 0)),
            n_students=int(students.get(school.id, 0)),
            n_teachers=int(teachers.get(school.id, 0)),
        )
        for school in schools
    ]


def class_roster(session: Session, *, actor: UserAccount, school_class_id: int) -> ClassRoster:
    """A class's students with their totals in every exam the class sat, latest first (teachers
    and admins)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    exams = session.scalars(
        select(Assessment)
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .where(
            AssessmentClass.school_class_id == school_class_id,
            Assessment.kind == AssessmentKind.EXAM,
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
    ).all()
    exam_ids = [exam.id for exam in exams]
    full = full_scores(session, exam_ids)
    students = session.scalars(
        select(Student)
        .where(Student.school_class_id == school_class_id)
        .order_by(Student.student_number)
    ).all()
    totals = {
        (sitting.student_id, sitting.assessment_id): sitting.total
        for sitting in sitting_totals(
            session, assessment_ids=exam_ids, student_ids=[student.id for student in students]
        )
    }
    governance_service.audit(
        session,
        actor=actor,
        action="view_roster",
        object_type="school_class",
        object_id=school_class_id,
        scope=governance_service.scope_of(actor),
        student_ids=[student.id for student in students],
    )
    return ClassRoster(
        id=school_class.id,
        name=school_class.name,
        school_name=school_class.school.name,
        grade_name=school_class.grade.name,
        exams=[
            ExamColumn(exam.id, exam.name, exam.held_on, full.get(exam.id, 0.0), exam.joint_exam_id)
            for exam in exams
        ],
        students=[
            RosterRow(
                student_id=student.id,
                student_number=student.student_number,
                name=student.name,
                gender=student.gender.value,
                totals=[totals.get((student.id, exam_id)) for exam_id in exam_ids],
            )
            for student in students
        ],
    )


def student_profile(session: Session, *, actor: UserAccount, student_id: int) -> StudentProfile:
    """One student's profile and assessments with grade bands (staff also see the totals)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    rows = session.execute(
        select(Assessment, Subject.name)
        .join(SittingRow, SittingRow.assessment_id == Assessment.id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(SittingRow.student_id == student_id)
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
    ).all()
    assessment_ids = [assessment.id for assessment, _ in rows]
    full = full_scores(session, assessment_ids)
    totals = {
        sitting.assessment_id: sitting.total
        for sitting in sitting_totals(
            session, assessment_ids=assessment_ids, student_ids=[student_id]
        )
    }
    shows_scores = actor.role in governance_service.STAFF_ROLES
    results = []
    for assessment, subject in rows:
        full_score = full.get(assessment.id, 0.0)
        total = totals.get(assessment.id)
        is_scored = total is not None and full_score > 0
        results.append(
            BandResult(
                assessment_id=assessment.id,
                name=assessment.name,
                kind=assessment.kind,
                held_on=assessment.held_on,
                subject=subject,
                band=grade_band(total, full_score) if total is not None and is_scored else None,
                total=total if shows_scores and is_scored else None,
                full_score=full_score,
            )
        )
    governance_service.audit(
        session,
        actor=actor,
        action="view_student",
        object_type="student",
        object_id=student_id,
        scope=governance_service.scope_of(actor),
    )
    return StudentProfile(
        id=student.id,
        student_number=student.student_number,
        name=student.name,
        class_name=student.school_class.name,
        school_name=student.school_class.school.name,
        results=results,
        shows_scores=shows_scores,
        guardian_name=student.guardian_name if shows_scores else None,
        guardian_phone=student.guardian_phone if shows_scores else None,
        joint_results=student_joint_results(
            session, student_id=student_id, shows_scores=shows_scores
        ),
    )


def district_counts(session: Session) -> tuple[str, int, int] | None:
    """The first district's name with its numbers of schools and students: no personal data,
    shown to anyone on the landing page."""
    district = session.scalars(select(District).order_by(District.id)).first()
    if district is None:
        return None
    n_schools = session.scalar(
        select(func.count()).select_from(School).where(School.district_id == district.id)
    )
    n_students = session.scalar(
        select(func.count()).select_from(Student).where(Student.district_id == district.id)
    )
    return district.name, int(n_schools or 0), int(n_students or 0)
