"""The reads behind ``/api/v1``: each checks the actor's role and scope (``governance``), writes
the audit row of every read of students' records, and pages its list by cursor (``api.paging``).

Where a capability already answers the question (an exam's statistics, mastery, warnings), this
module calls its service and only pages and audits what it returns; the directory lists
(schools, classes, teachers, students, assessments, results) are the scoped selects of
``governance.scope`` read page by page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts import api_tokens
from yincai.accounts.models import ApiToken, Role, UserAccount
from yincai.analysis import service as analysis_service
from yincai.analysis.cache import ExamCache
from yincai.analysis.totals import TotalSummary
from yincai.cockpit import service as cockpit_service
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.schemas import MasteryRead
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    District,
    Grade,
    Item,
    ItemKp,
    KnowledgePoint,
    KpPrerequisite,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.domain.queries import full_scores, sitting_totals
from yincai.errors import Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.governance.models import AuditEvent
from yincai.i18n import _
from yincai.rules import grade_band

from .paging import DEFAULT_LIMIT, Page, keyset, keyset_rows, slice_page

Actor = governance_service.Actor
STAFF = governance_service.STAFF_ROLES
ADMINS = governance_service.ADMIN_ROLES


def _is_staff(actor: Actor) -> bool:
    return isinstance(actor, governance_service.SystemActor) or actor.role in STAFF


def _district_id(actor: Actor) -> int | None:
    return actor.district_id if isinstance(actor, UserAccount) else None


# --- the district and its schools -------------------------------------------------------------


@dataclass(frozen=True)
class DistrictView:
    id: int
    code: str
    name: str
    n_schools: int
    n_classes: int
    n_students: int


def district(session: Session, *, actor: UserAccount) -> DistrictView:
    """The actor's district with the numbers of schools, classes and students it holds."""
    row = session.get(District, actor.district_id)
    if row is None:
        raise NotFound(_("区县不存在"), code="district.not_found")
    school_ids = select(School.id).where(School.district_id == row.id)
    n_schools = session.scalar(
        select(func.count()).select_from(School.__table__).where(School.district_id == row.id)
    )
    n_classes = session.scalar(select(func.count()).where(SchoolClass.school_id.in_(school_ids)))
    n_students = session.scalar(
        select(func.count()).where(Student.district_id == row.id, Student.anonymised_at.is_(None))
    )
    return DistrictView(
        row.id, row.code, row.name, int(n_schools or 0), int(n_classes or 0), int(n_students or 0)
    )


def list_schools(
    session: Session, *, actor: Actor, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[School]:
    """The schools whose school-wide data the actor may see (admins), by id."""
    governance_service.require_role(actor, *ADMINS)
    query = select(School).where(School.id.in_(governance_service.visible_school_ids(actor)))
    return keyset(session, query, School.id, cursor=cursor, limit=limit)


def get_school(session: Session, *, actor: Actor, school_id: int) -> School:
    governance_service.require_scope(session, actor=actor, school_id=school_id)
    school = session.get(School, school_id)
    assert school is not None  # require_scope checked it exists
    return school


# --- classes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassView:
    id: int
    school_id: int
    name: str
    grade_level: int
    grade_name: str
    n_students: int


def _class_query() -> Any:
    n_students = (
        select(func.count())
        .where(Student.school_class_id == SchoolClass.id, Student.anonymised_at.is_(None))
        .scalar_subquery()
    )
    return select(
        SchoolClass.id, SchoolClass.school_id, SchoolClass.name, Grade.level, Grade.name, n_students
    ).join(Grade, Grade.id == SchoolClass.grade_id)


def _class_views(rows: Sequence[Any]) -> list[ClassView]:
    return [ClassView(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows]


def list_classes(
    session: Session,
    *,
    actor: Actor,
    school_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ClassView]:
    """The classes whose roster and results the actor may see (of one school, if given), by id."""
    governance_service.require_role(actor, *STAFF)
    query = _class_query().where(SchoolClass.id.in_(governance_service.visible_class_ids(actor)))
    if school_id is not None:
        governance_service.require_scope(session, actor=actor, school_id=school_id)
        query = query.where(SchoolClass.school_id == school_id)
    page = keyset_rows(session, query, SchoolClass.id, cursor=cursor, limit=limit)
    return Page(_class_views(page.data), page.next_cursor)


def get_class(session: Session, *, actor: Actor, school_class_id: int) -> ClassView:
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    row = session.execute(_class_query().where(SchoolClass.id == school_class_id)).one()
    return _class_views([row])[0]


def class_students(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Student]:
    """A class's students by id (staff of the class; the page's students are audited)."""
    governance_service.require_role(actor, *STAFF)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    query = select(Student).where(
        Student.school_class_id == school_class_id, Student.anonymised_at.is_(None)
    )
    page = keyset(session, query, Student.id, cursor=cursor, limit=limit)
    governance_service.audit(
        session,
        actor=actor,
        action="view_roster",
        object_type="school_class",
        object_id=school_class_id,
        student_ids=[s.id for s in page.data],
    )
    return page


@dataclass(frozen=True)
class AssignmentView:
    id: int
    teacher_id: int
    teacher_name: str
    school_class_id: int
    subject_code: str
    subject_name: str
    is_head_teacher: bool


def class_teachers(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AssignmentView]:
    """Who teaches what in a class (任课), by assignment id."""
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    query = (
        select(
            TeachingAssignment.id,
            Teacher.id,
            Teacher.name,
            TeachingAssignment.school_class_id,
            Subject.code,
            Subject.name,
            TeachingAssignment.is_head_teacher,
        )
        .join(Teacher, Teacher.id == TeachingAssignment.teacher_id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(TeachingAssignment.school_class_id == school_class_id)
    )
    page = keyset_rows(session, query, TeachingAssignment.id, cursor=cursor, limit=limit)
    return Page([AssignmentView(*row) for row in page.data], page.next_cursor)


def class_assessments(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Assessment]:
    """The assessments a class sat, by id."""
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    query = select(Assessment).where(
        Assessment.id.in_(
            select(AssessmentClass.assessment_id).where(
                AssessmentClass.school_class_id == school_class_id
            )
        )
    )
    return keyset(session, query, Assessment.id, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class KpMeanView:
    kp_id: int
    kp_code: str
    mean_mastery: float
    n_students: int


def class_mastery(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    subject_code: str = "MATH",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[KpMeanView]:
    """The class's mean mastery of each point-level knowledge point (students whose data may
    be used only), by knowledge point id; the students are audited."""
    _subject(session, subject_code)
    table = diagnosis_service.class_mastery(
        session, actor=actor, school_class_id=school_class_id, subject_code=subject_code
    )
    blocked = set(table.without_consent)
    rows = [i for i, s in enumerate(table.student_ids) if s not in blocked]
    means = np.nanmean(table.mastery[rows], axis=0) if rows else np.full(len(table.kp_ids), np.nan)
    views = [
        KpMeanView(kp_id, code, float(mean), len(rows))
        for kp_id, code, mean in zip(table.kp_ids, table.kp_codes, means.tolist(), strict=True)
        if not np.isnan(mean)
    ]
    governance_service.audit(
        session,
        actor=actor,
        action="mastery_view",
        object_type="school_class",
        object_id=school_class_id,
        student_ids=[table.student_ids[i] for i in rows],
    )
    return slice_page(views, lambda v: v.kp_id, cursor=cursor, limit=limit)


# --- teachers ---------------------------------------------------------------------------------


def _visible_teachers(actor: Actor) -> Any:
    if isinstance(actor, governance_service.SystemActor):
        return select(Teacher.id)
    if actor.role in ADMINS:
        return select(Teacher.id).where(
            Teacher.school_id.in_(governance_service.visible_school_ids(actor))
        )
    return select(Teacher.id).where(Teacher.id == actor.teacher_id)


def list_teachers(
    session: Session,
    *,
    actor: Actor,
    school_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Teacher]:
    """The teachers of the schools in sight (admins), or oneself (a teacher), by id."""
    governance_service.require_role(actor, *STAFF)
    query = select(Teacher).where(Teacher.id.in_(_visible_teachers(actor)))
    if school_id is not None:
        governance_service.require_scope(session, actor=actor, school_id=school_id)
        query = query.where(Teacher.school_id == school_id)
    return keyset(session, query, Teacher.id, cursor=cursor, limit=limit)


def get_teacher(session: Session, *, actor: Actor, teacher_id: int) -> Teacher:
    governance_service.require_role(actor, *STAFF)
    teacher = session.get(Teacher, teacher_id)
    if teacher is None:
        raise NotFound(_("教师 {id} 不存在").format(id=teacher_id), code="teacher.not_found")
    seen = session.scalar(
        select(Teacher.id).where(Teacher.id == teacher_id, Teacher.id.in_(_visible_teachers(actor)))
    )
    if seen is None:
        raise governance_service.OutOfScope(
            _("教师 {id} 不在您的权限范围内").format(id=teacher_id),
            object_type="teacher",
            object_id=teacher_id,
        )
    return teacher


# --- students ---------------------------------------------------------------------------------


def list_students(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Student]:
    """The students whose records the actor may see (self, own child, own classes, school,
    district), by id; the page's students are audited."""
    query = select(Student).where(
        Student.id.in_(governance_service.visible_student_ids(actor)),
        Student.anonymised_at.is_(None),
    )
    if school_class_id is not None:
        governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
        query = query.where(Student.school_class_id == school_class_id)
    page = keyset(session, query, Student.id, cursor=cursor, limit=limit)
    governance_service.audit(
        session,
        actor=actor,
        action="view_roster",
        object_type="district",
        object_id=_district_id(actor) or 0,
        student_ids=[s.id for s in page.data],
    )
    return page


def get_student(session: Session, *, actor: Actor, student_id: int) -> Student:
    """One student's record (audited)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    governance_service.audit(
        session, actor=actor, action="view_student", object_type="student", object_id=student_id
    )
    return student


def student_guardian(session: Session, *, actor: Actor, student_id: int) -> Student:
    """A student's guardian and phone (staff of the student only; audited)."""
    governance_service.require_role(actor, *STAFF)
    return get_student(session, actor=actor, student_id=student_id)


def student_accounts(
    session: Session,
    *,
    actor: Actor,
    student_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[UserAccount]:
    """The student's and the parents' accounts bound to a student (admins; audited)."""
    governance_service.require_role(actor, *ADMINS)
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    query = select(UserAccount).where(UserAccount.student_id == student_id)
    page = keyset(session, query, UserAccount.id, cursor=cursor, limit=limit)
    governance_service.audit(
        session, actor=actor, action="view_student", object_type="student", object_id=student_id
    )
    return page


@dataclass(frozen=True)
class ResultView:
    sitting_id: int
    assessment_id: int
    assessment_code: str
    student_id: int
    is_absent: bool
    total: float | None  # staff only
    full_score: float
    band: str | None


def _results(session: Session, actor: Actor, rows: Sequence[Any]) -> list[ResultView]:
    """Sittings (id, assessment id, code, student id) with totals (staff) and bands."""
    if not rows:
        return []
    assessment_ids = {row[1] for row in rows}
    student_ids = {row[3] for row in rows}
    totals = {
        (t.assessment_id, t.student_id): t
        for t in sitting_totals(session, assessment_ids=assessment_ids, student_ids=student_ids)
    }
    full = full_scores(session, assessment_ids)
    staff = _is_staff(actor)
    views = []
    for sitting_id, assessment_id, code, student_id in rows:
        found = totals.get((assessment_id, student_id))
        total = found.total if found is not None else None
        is_absent = found.is_absent if found is not None else False
        out_of = full.get(assessment_id, 0.0)
        band = grade_band(total, out_of) if total is not None and out_of > 0 else None
        views.append(
            ResultView(
                sitting_id,
                assessment_id,
                code,
                student_id,
                is_absent,
                total if staff else None,
                out_of,
                band,
            )
        )
    return views


def student_results(
    session: Session,
    *,
    actor: Actor,
    student_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ResultView]:
    """A student's sittings, by sitting id: totals for staff, grade bands for everyone (the
    student and parents see bands only, as on the pages); audited."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    query = (
        select(Sitting.id, Sitting.assessment_id, Assessment.code, Sitting.student_id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .where(Sitting.student_id == student_id)
    )
    page = keyset_rows(session, query, Sitting.id, cursor=cursor, limit=limit)
    governance_service.audit(
        session, actor=actor, action="view_results", object_type="student", object_id=student_id
    )
    return Page(_results(session, actor, page.data), page.next_cursor)


def student_mastery(
    session: Session,
    *,
    actor: Actor,
    student_id: int,
    subject_code: str = "MATH",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[MasteryRead]:
    """A student's mastery of each point-level knowledge point of a subject (audited)."""
    _subject(session, subject_code)
    rows = diagnosis_service.student_mastery(
        session, actor=actor, student_id=student_id, subject_code=subject_code
    )
    governance_service.audit(
        session, actor=actor, action="mastery_view", object_type="student", object_id=student_id
    )
    return slice_page(rows, lambda r: r.kp_id, cursor=cursor, limit=limit)


def student_warnings(
    session: Session,
    *,
    actor: Actor,
    student_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[EarlyWarning]:
    """The early warnings about one student (admins), by key."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    found = cockpit_service.early_warnings(session, actor=actor)
    mine = [w for w in found if w.subject.student_id == student_id]
    return slice_page(mine, lambda w: w.key, cursor=cursor, limit=limit, kind=str)


# --- curriculum and items ---------------------------------------------------------------------


def _subject(session: Session, code: str) -> Subject:
    subject = session.scalars(select(Subject).where(Subject.code == code)).first()
    if subject is None:
        raise NotFound(_("学科 {code} 不存在").format(code=code[:32]), code="subject.not_found")
    return subject


def list_subjects(
    session: Session, *, actor: Actor, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[Subject]:
    """The subjects (curriculum: no personal data), by id."""
    governance_service.require_role(actor, *Role)
    return keyset(session, select(Subject), Subject.id, cursor=cursor, limit=limit)


def knowledge_points(
    session: Session,
    *,
    actor: Actor,
    subject_code: str,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[KnowledgePoint]:
    """A subject's curriculum tree, node by node in id order."""
    governance_service.require_role(actor, *Role)
    subject = _subject(session, subject_code)
    query = select(KnowledgePoint).where(KnowledgePoint.subject_id == subject.id)
    return keyset(session, query, KnowledgePoint.id, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class KnowledgePointView:
    point: KnowledgePoint
    subject_code: str
    prerequisite_ids: list[int]


def knowledge_point(
    session: Session, *, actor: Actor, knowledge_point_id: int
) -> KnowledgePointView:
    governance_service.require_role(actor, *Role)
    point = session.get(KnowledgePoint, knowledge_point_id)
    if point is None:
        raise NotFound(
            _("知识点 {id} 不存在").format(id=knowledge_point_id), code="knowledge_point.not_found"
        )
    subject = session.get(Subject, point.subject_id)
    assert subject is not None
    prerequisites = list(
        session.scalars(
            select(KpPrerequisite.prerequisite_id)
            .where(KpPrerequisite.knowledge_point_id == point.id)
            .order_by(KpPrerequisite.prerequisite_id)
        )
    )
    return KnowledgePointView(point, subject.code, prerequisites)


@dataclass(frozen=True)
class ItemView:
    item: Item
    subject_code: str
    knowledge_points: list[tuple[int, str, float]]  # id, code, weight


def get_item(session: Session, *, actor: Actor, item_id: int) -> ItemView:
    """A bank item with its answer and knowledge points (staff only: answers stay with them)."""
    governance_service.require_role(actor, *STAFF)
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(_("题目 {id} 不存在").format(id=item_id), code="item.not_found")
    subject = session.get(Subject, item.subject_id)
    assert subject is not None
    kps = session.execute(
        select(KnowledgePoint.id, KnowledgePoint.code, ItemKp.weight)
        .join(ItemKp, ItemKp.knowledge_point_id == KnowledgePoint.id)
        .where(ItemKp.item_id == item_id)
        .order_by(KnowledgePoint.id)
    ).all()
    return ItemView(item, subject.code, [(int(a), str(b), float(c)) for a, b, c in kps])


# --- assessments ------------------------------------------------------------------------------


def list_assessments(
    session: Session,
    *,
    actor: Actor,
    subject_code: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[Assessment]:
    """The assessments sat by a class in sight (own class for students and parents), by id."""
    query = select(Assessment).where(
        Assessment.id.in_(governance_service.visible_assessment_ids(actor))
    )
    if subject_code is not None:
        query = query.where(Assessment.subject_id == _subject(session, subject_code).id)
    return keyset(session, query, Assessment.id, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class AssessmentView:
    assessment: Assessment
    subject_code: str
    full_score: float
    class_ids: list[int]


def get_assessment(session: Session, *, actor: Actor, assessment_id: int) -> AssessmentView:
    governance_service.require_scope(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get(Assessment, assessment_id)
    assert assessment is not None
    subject = session.get(Subject, assessment.subject_id)
    assert subject is not None
    classes = select(AssessmentClass.school_class_id).where(
        AssessmentClass.assessment_id == assessment_id
    )
    if not isinstance(actor, governance_service.SystemActor):
        classes = classes.where(
            AssessmentClass.school_class_id.in_(governance_service.visible_class_ids(actor))
        )
    return AssessmentView(
        assessment,
        subject.code,
        full_scores(session, [assessment_id]).get(assessment_id, 0.0),
        sorted(session.scalars(classes)),
    )


def assessment_items(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AssessmentItem]:
    """The questions of an assessment (label, full score, bank item), by id."""
    governance_service.require_scope(session, actor=actor, assessment_id=assessment_id)
    query = select(AssessmentItem).where(AssessmentItem.assessment_id == assessment_id)
    return keyset(session, query, AssessmentItem.id, cursor=cursor, limit=limit)


def assessment_results(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ResultView]:
    """Each sitting's total of an assessment for the students in the actor's scope (staff), by
    sitting id; the page's students are audited."""
    governance_service.require_role(actor, *STAFF)
    governance_service.require_scope(session, actor=actor, assessment_id=assessment_id)
    query = (
        select(Sitting.id, Sitting.assessment_id, Assessment.code, Sitting.student_id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .where(
            Sitting.assessment_id == assessment_id,
            Sitting.student_id.in_(governance_service.visible_student_ids(actor)),
        )
    )
    page = keyset_rows(session, query, Sitting.id, cursor=cursor, limit=limit)
    views = _results(session, actor, page.data)
    governance_service.audit(
        session,
        actor=actor,
        action="view_results",
        object_type="assessment",
        object_id=assessment_id,
        student_ids=[v.student_id for v in views],
    )
    return Page(views, page.next_cursor)


@dataclass(frozen=True)
class ItemScoreView:
    assessment_item_id: int
    label: str
    full_score: float
    score: float | None


@dataclass(frozen=True)
class StudentResultView:
    assessment_id: int
    student_id: int
    is_absent: bool
    total: float | None
    full_score: float
    band: str | None
    items: list[ItemScoreView]


def student_result(
    session: Session, *, actor: Actor, assessment_id: int, student_id: int
) -> StudentResultView:
    """One student's scores on each question of an assessment (anyone who may see both)."""
    governance_service.require_scope(
        session, actor=actor, assessment_id=assessment_id, student_id=student_id
    )
    sitting = session.execute(
        select(Sitting.id, Sitting.assessment_id, Assessment.code, Sitting.student_id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .where(Sitting.assessment_id == assessment_id, Sitting.student_id == student_id)
    ).all()
    if not sitting:
        raise NotFound(
            _("学生 {student} 没有参加考试 {assessment}").format(
                student=student_id, assessment=assessment_id
            ),
            code="sitting.not_found",
        )
    result = _results(session, governance_service.CLI, sitting)[0]  # totals: own scores
    scores = dict(
        session.execute(
            select(Score.assessment_item_id, Score.score)
            .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
            .where(AssessmentItem.assessment_id == assessment_id, Score.student_id == student_id)
        ).all()
    )
    items = session.scalars(
        select(AssessmentItem)
        .where(AssessmentItem.assessment_id == assessment_id)
        .order_by(AssessmentItem.position, AssessmentItem.id)
    ).all()
    governance_service.audit(
        session, actor=actor, action="view_results", object_type="student", object_id=student_id
    )
    return StudentResultView(
        assessment_id,
        student_id,
        result.is_absent,
        result.total,
        result.full_score,
        result.band,
        [ItemScoreView(i.id, i.label, i.full_score, scores.get(i.id)) for i in items],
    )


@dataclass(frozen=True)
class StatisticsView:
    assessment_id: int
    scope_kind: str
    scope_title: str
    summary: TotalSummary


def assessment_statistics(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    school_id: int | None = None,
    school_class_id: int | None = None,
    cache: ExamCache | None = None,
) -> StatisticsView:
    """An exam's totals, 三率 and spread in the actor's scope, from the analysis service (which
    checks the scope and audits the read)."""
    report = analysis_service.exam_report_by_id(
        session,
        actor=actor,
        assessment_id=assessment_id,
        surface="api",
        school_id=school_id,
        school_class_id=school_class_id,
        show_ranks=False,
        cache=cache,
    )
    return StatisticsView(assessment_id, report.scope.kind, report.scope_title, report.summary)


# --- warnings and the audit trail -------------------------------------------------------------


def warnings(
    session: Session,
    *,
    actor: Actor,
    kind: WarningKind | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[EarlyWarning]:
    """The early warnings in the actor's scope (admins; audited by the cockpit), by key."""
    found = cockpit_service.early_warnings(session, actor=actor, kind=kind)
    return slice_page(found, lambda w: w.key, cursor=cursor, limit=limit, kind=str)


def warning(session: Session, *, actor: Actor, key: str) -> EarlyWarning:
    for found in cockpit_service.early_warnings(session, actor=actor):
        if found.key == key:
            return found
    raise NotFound(
        _("预警 {key} 不存在或不在您的范围内").format(key=key[:64]), code="warning.not_found"
    )


@dataclass(frozen=True)
class AuditEventView:
    event: AuditEvent
    student_ids: list[int]


def audit_events(
    session: Session,
    *,
    actor: UserAccount,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AuditEventView]:
    """The district's audit trail, newest first (district admins; reading it is audited)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    in_district = select(UserAccount.id).where(UserAccount.district_id == actor.district_id)
    query = select(AuditEvent).where(AuditEvent.user_account_id.in_(in_district))
    page = keyset(session, query, AuditEvent.id, cursor=cursor, limit=limit, descending=True)
    shown = governance_service.students_shown(session, [e.id for e in page.data])
    governance_service.audit(
        session,
        actor=actor,
        action="audit_view",
        object_type="district",
        object_id=actor.district_id,
        student_ids=sorted({s for ids in shown.values() for s in ids}),
    )
    return Page([AuditEventView(e, shown.get(e.id, [])) for e in page.data], page.next_cursor)


# --- API tokens -------------------------------------------------------------------------------

MAX_TOKEN_DAYS = 730


def _token_target(session: Session, actor: Actor, user_account_id: int) -> UserAccount:
    """The staff account a district admin (or the operator) may bind a token to."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    account = session.get(UserAccount, user_account_id)
    if account is None or (
        isinstance(actor, UserAccount) and account.district_id != actor.district_id
    ):
        raise NotFound(
            _("账号 {id} 不存在").format(id=user_account_id), code="user_account.not_found"
        )
    if account.role not in STAFF or not account.is_active:
        raise Invalid(_("接口令牌只能绑定到在用的教职工账号"), code="api_token.account_not_staff")
    return account


def create_token(
    session: Session,
    *,
    actor: Actor,
    user_account_id: int,
    name: str,
    days: int = 365,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A token bound to a staff account of the district, valid ``days`` (district admins and
    the operator; audited). The token is returned once and stored only as its hash."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise Invalid(_("令牌名称须为 1 到 100 个字"), code="api_token.name")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(
            _("有效期须在 1 到 {max} 天之间").format(max=MAX_TOKEN_DAYS), code="api_token.days"
        )
    account = _token_target(session, actor, user_account_id)
    now = now or datetime.now(UTC)
    row, token = api_tokens.issue_token(
        session,
        account=account,
        name=name,
        created_by=actor.id if isinstance(actor, UserAccount) else None,
        expires_at=now + timedelta(days=days),
        now=now,
    )
    governance_service.audit(
        session,
        actor=actor,
        action="api_token_create",
        object_type="user_account",
        object_id=account.id,
    )
    return row, token


def _tokens_in_sight(actor: Actor) -> Any:
    query = select(ApiToken)
    if isinstance(actor, UserAccount):
        query = query.where(
            ApiToken.user_account_id.in_(
                select(UserAccount.id).where(UserAccount.district_id == actor.district_id)
            )
        )
    return query


def list_tokens(
    session: Session, *, actor: Actor, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> Page[ApiToken]:
    """The district's API tokens (never the tokens themselves), by id (district admins)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    return keyset(session, _tokens_in_sight(actor), ApiToken.id, cursor=cursor, limit=limit)


def revoke_token(
    session: Session, *, actor: Actor, token_id: int, now: datetime | None = None
) -> ApiToken:
    """End a token of the district at once (district admins; audited; idempotent)."""
    governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    row = session.scalars(_tokens_in_sight(actor).where(ApiToken.id == token_id)).first()
    if row is None:
        raise NotFound(_("令牌 {id} 不存在").format(id=token_id), code="api_token.not_found")
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
        session.flush()
        governance_service.audit(
            session,
            actor=actor,
            action="api_token_revoke",
            object_type="user_account",
            object_id=row.user_account_id,
        )
    return row  # type: ignore[no-any-return]
