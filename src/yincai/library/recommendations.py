"""Resource recommendations: for a student, their weak knowledge points (prerequisites first)
with the library's best passages on each at their grade, and why; for a class, the points the
most students are weak on, with the count and the passages.

Mastery is read from the stored estimates through the diagnosis service (one quantity, one rule
for a weak point: ``diagnosis.levels``); the order and the reasons are ``weak_points``'s, the
passages come from the library's search index filtered to the point. Scope checks and the audit
live here: a student's recommendations for staff of the student, the student and their parent
(one ``student_resources_view`` row); a class's for staff of the class and admins in scope (one
``class_resources_view`` row naming every student of the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    KpPrerequisite,
    SchoolClass,
    Student,
    Subject,
    TeachingAssignment,
)
from yincai.domain.queries import SubjectChoice, class_subjects
from yincai.errors import NotFound, NotReady
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.library.search import Found, LibraryIndex, library_index
from yincai.library.weak_points import (
    ClassPoint,
    ClassPointStanding,
    PointStanding,
    WeakPoint,
    class_points,
    student_points,
)
from yincai.retrieval import Query

N_PASSAGES = 3  # passages on a point: a note's key idea, a worked example, a typical mistake


@dataclass(frozen=True)
class ResourceLink:
    """A resource recommended on a point and its passages that matter, best first."""

    resource_id: int
    title: str
    grade: int | None
    passages: list[tuple[int, str]]  # (position, heading): /library/{id}#c{position}


@dataclass(frozen=True)
class StudentRecommendation:
    weak: WeakPoint
    resources: list[ResourceLink]


@dataclass(frozen=True)
class StudentRecommendations:
    """A student's recommendations in one subject; ``is_ready`` False while no estimates are
    stored yet; ``shows_numbers`` for staff (levels and intervals in the reasons)."""

    student_id: int
    name: str
    class_name: str
    grade_level: int
    subjects: list[SubjectChoice]
    subject: SubjectChoice | None
    is_ready: bool
    shows_numbers: bool
    points: list[StudentRecommendation]


@dataclass(frozen=True)
class ClassRecommendation:
    point: ClassPoint
    resources: list[ResourceLink]


@dataclass(frozen=True)
class ClassRecommendations:
    school_class_id: int
    class_name: str
    school_name: str
    grade_level: int
    subjects: list[SubjectChoice]
    subject: SubjectChoice | None
    is_ready: bool
    n_students: int
    points: list[ClassRecommendation]


def student_recommendations(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    subject_code: str | None = None,
) -> StudentRecommendations:
    """A student's weak points in one subject with the passages to read on each (the
    student's staff, the student, their parent; audited)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    consent_service.require_consent(
        session,
        student_id=student_id,
        purpose=ConsentPurpose.DIAGNOSIS,
        today=datetime.now(UTC).date(),
    )
    school_class = student.school_class
    grade_level = school_class.grade.level
    subjects = class_subjects(session, school_class_id=school_class.id)
    subject = _chosen(subjects, subject_code, default=subjects[0] if subjects else None)
    points: list[StudentRecommendation] = []
    is_ready = False
    if subject is not None:
        try:
            rows = diagnosis_service.student_mastery(
                session, actor=actor, student_id=student_id, subject_code=subject.code
            )
            is_ready = True
        except NotReady:
            rows = []
        needs = _prerequisites(session, [row.kp_id for row in rows])
        standings = [
            PointStanding(
                kp_id=row.kp_id,
                code=row.kp_code,
                name=row.kp_name,
                level=row.mastery,
                level_low=row.level_low,
                level_high=row.level_high,
                n_evidence=row.n_evidence,
                is_met=row.is_taught,
                prerequisite_ids=needs.get(row.kp_id, ()),
                recent_scores=tuple(e.score for e in row.evidence),
            )
            for row in rows
        ]
        index = library_index(session) if standings else None
        for weak in student_points(standings):
            resources = _resources(
                index, subject.code, weak.point.code, weak.point.name, grade_level
            )
            points.append(StudentRecommendation(weak, resources))
    governance_service.audit(
        session,
        actor=actor,
        action="student_resources_view",
        object_type="student",
        object_id=student_id,
    )
    return StudentRecommendations(
        student_id=student_id,
        name=student.name,
        class_name=school_class.name,
        grade_level=grade_level,
        subjects=subjects,
        subject=subject,
        is_ready=is_ready,
        shows_numbers=_is_staff(actor),
        points=points,
    )


def class_recommendations(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    subject_code: str | None = None,
) -> ClassRecommendations:
    """The points the most students of a class are weak on in one subject, with the count and
    the passages to teach from (staff of the class, admins in scope; audited)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    grade_level = school_class.grade.level
    subjects = class_subjects(session, school_class_id=school_class_id)
    subject = _chosen(
        subjects, subject_code, default=_own_subject(session, actor, school_class_id, subjects)
    )
    student_ids = list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id == school_class_id)
            .order_by(Student.id)
        )
    )
    points: list[ClassRecommendation] = []
    is_ready = False
    if subject is not None:
        try:
            standings = _class_standings(session, actor, school_class_id, subject.code)
            is_ready = True
        except NotReady:
            standings = []
        index = library_index(session) if standings else None
        for chosen in class_points(standings):
            resources = _resources(
                index, subject.code, chosen.point.code, chosen.point.name, grade_level
            )
            points.append(ClassRecommendation(chosen, resources))
    governance_service.audit(
        session,
        actor=actor,
        action="class_resources_view",
        object_type="school_class",
        object_id=school_class_id,
        student_ids=student_ids,
    )
    return ClassRecommendations(
        school_class_id=school_class_id,
        class_name=school_class.name,
        school_name=school_class.school.name,
        grade_level=grade_level,
        subjects=subjects,
        subject=subject,
        is_ready=is_ready,
        n_students=len(student_ids),
        points=points,
    )


def _class_standings(
    session: Session, actor: governance_service.Actor, school_class_id: int, subject_code: str
) -> list[ClassPointStanding]:
    """Each point the class has met: students weak on it (band 需要巩固 on their own evidence),
    students with evidence, and their mean level; students without consent count as neither."""
    table = diagnosis_service.class_mastery(
        session, actor=actor, school_class_id=school_class_id, subject_code=subject_code
    )
    fitted = diagnosis_service.mastery_model(session, subject_code=subject_code)
    met = diagnosis_service.class_met_points(session, fitted, school_class_id=school_class_id)
    names = fitted.kp_names
    needs = _prerequisites(session, table.kp_ids)
    answered = table.n_evidence > 0
    weak = answered & (table.mastery < levels.NEEDS_WORK_BELOW)  # levels.is_weak, vectorised
    standings = []
    for k in sorted(met):
        n_answered = int(answered[:, k].sum())
        mean = float(table.mastery[answered[:, k], k].mean()) if n_answered else None
        standings.append(
            ClassPointStanding(
                kp_id=table.kp_ids[k],
                code=table.kp_codes[k],
                name=names[k],
                n_weak=int(weak[:, k].sum()),
                n_answered=n_answered,
                n_students=len(table.student_ids),
                mean_level=mean,
                prerequisite_ids=needs.get(table.kp_ids[k], ()),
            )
        )
    return standings


def _own_subject(
    session: Session,
    actor: governance_service.Actor,
    school_class_id: int,
    subjects: list[SubjectChoice],
) -> SubjectChoice | None:
    """A teacher's own subject in the class, else the class's first."""
    if isinstance(actor, UserAccount) and actor.role is Role.TEACHER:
        own = set(
            session.scalars(
                select(Subject.code)
                .join(TeachingAssignment, TeachingAssignment.subject_id == Subject.id)
                .where(
                    TeachingAssignment.teacher_id == actor.teacher_id,
                    TeachingAssignment.school_class_id == school_class_id,
                )
            )
        )
        for subject in subjects:
            if subject.code in own:
                return subject
    return subjects[0] if subjects else None


def _chosen(
    subjects: list[SubjectChoice], code: str | None, *, default: SubjectChoice | None
) -> SubjectChoice | None:
    if not code:
        return default
    for subject in subjects:
        if subject.code == code:
            return subject
    raise NotFound(
        _("科目 {subject_code} 不存在").format(subject_code=code), code="subject.not_found"
    )


def _prerequisites(session: Session, kp_ids: list[int]) -> dict[int, tuple[int, ...]]:
    """Each point's prerequisites (ids), for the given points."""
    needs: dict[int, list[int]] = {}
    if not kp_ids:
        return {}
    for kp_id, prerequisite_id in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
        .where(KpPrerequisite.knowledge_point_id.in_(kp_ids))
        .order_by(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        needs.setdefault(kp_id, []).append(prerequisite_id)
    return {kp_id: tuple(ids) for kp_id, ids in needs.items()}


def _resources(
    index: LibraryIndex | None, subject_code: str, kp_code: str, kp_name: str, grade: int
) -> list[ResourceLink]:
    """The best passages tagged with the point (the asker's grade first, none above it), by
    the point's name, grouped by resource in the order of their best passage."""
    if index is None:
        return []
    found: list[Found] = index.search(
        Query(kp_name, subject=subject_code, kp_prefix=kp_code, boost_grade=grade),
        k=3 * N_PASSAGES,
    )
    kept = [f for f in found if f.chunk.grade is None or f.chunk.grade <= grade][:N_PASSAGES]
    links: dict[int, ResourceLink] = {}
    for passage in kept:
        chunk = passage.chunk
        link = links.setdefault(
            chunk.resource_id, ResourceLink(chunk.resource_id, chunk.title, chunk.grade, [])
        )
        position = int(chunk.key.rsplit("#", 1)[1])
        link.passages.append((position, chunk.heading))
    return list(links.values())


def _is_staff(actor: governance_service.Actor) -> bool:
    return not isinstance(actor, UserAccount) or actor.role in governance_service.STAFF_ROLES
