"""The growth archive (综合素质评价 · 成长档案): a student's evidence in the five dimensions (五育:
德、智、体、美、劳) over time.

Staff in scope, the student and their parent read it (``governance`` scope checks; every read
audited with the student). The academic dimension summarises the exams the student sat and links
to their reports rather than copying the results. A teacher of the student's class (any subject,
班主任 included) adds a record; the recorder is stored as a role (班主任, 数学教师), never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import SystemActor
from yincai.accounts.models import Role
from yincai.domain.models import (
    Assessment,
    AssessmentKind,
    Dimension,
    GrowthRecord,
    Sitting,
    Student,
    Subject,
    TeachingAssignment,
)
from yincai.errors import Forbidden
from yincai.governance import service as governance_service
from yincai.growth.records import (
    DIMENSION_WORDS,
    MAX_EVIDENCE_CHARS,
    check_evidence,
    parse_dimension,
    parse_recorded_on,
)
from yincai.i18n import _

__all__ = ["DIMENSION_WORDS", "MAX_EVIDENCE_CHARS", "add_record", "growth_archive"]

RECORDS_PER_PAGE = 50  # the site's page size (web.paging)
N_RECENT_EXAMS = 5  # the academic dimension's latest exams, each linking to its report
HEAD_TEACHER = "班主任"


@dataclass(frozen=True)
class ArchiveRecord:
    id: int
    dimension: Dimension
    evidence: str
    recorded_on: date
    recorded_by: str


@dataclass(frozen=True)
class ExamSat:
    """An exam the student sat: the academic dimension links to its student report."""

    assessment_id: int
    name: str
    held_on: date


@dataclass(frozen=True)
class GrowthArchive:
    student_id: int
    name: str
    student_number: str
    class_name: str
    counts: dict[Dimension, int]  # records per dimension, every dimension present
    records: list[ArchiveRecord]  # one page, newest first
    page: int  # its number, from 1
    n_records: int  # on every page
    n_exams: int
    recent_exams: list[ExamSat]  # newest first
    can_add: bool  # the reader may add a record (a teacher of the class)


def growth_archive(
    session: Session, *, actor: governance_service.Actor, student_id: int, page: int = 1
) -> GrowthArchive:
    """One page of the student's records (50, newest first), the counts per dimension and the
    exams sat (staff of the student, the student, their parent; audited)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    found = dict(
        session.execute(
            select(GrowthRecord.dimension, func.count())
            .where(GrowthRecord.student_id == student_id)
            .group_by(GrowthRecord.dimension)
        ).all()
    )
    counts = {dimension: int(found.get(dimension, 0)) for dimension in Dimension}
    total = sum(counts.values())
    number = min(max(page, 1), max(1, -(-total // RECORDS_PER_PAGE)))  # too large: the last page
    rows = session.scalars(
        select(GrowthRecord)
        .where(GrowthRecord.student_id == student_id)
        .order_by(GrowthRecord.recorded_on.desc(), GrowthRecord.id.desc())
        .offset((number - 1) * RECORDS_PER_PAGE)
        .limit(RECORDS_PER_PAGE)
    )
    records = [
        ArchiveRecord(r.id, r.dimension, r.evidence, r.recorded_on, r.recorded_by) for r in rows
    ]
    exams = (
        select(Assessment.id, Assessment.name, Assessment.held_on)
        .join(Sitting, Sitting.assessment_id == Assessment.id)
        .where(
            Sitting.student_id == student_id,
            Sitting.is_absent.is_(False),
            Assessment.kind == AssessmentKind.EXAM,
        )
    )
    n_exams = int(session.scalar(select(func.count()).select_from(exams.subquery())) or 0)
    recent = [
        ExamSat(assessment_id, name, held_on)
        for assessment_id, name, held_on in session.execute(
            exams.order_by(Assessment.held_on.desc(), Assessment.id.desc()).limit(N_RECENT_EXAMS)
        )
    ]
    governance_service.audit(
        session,
        actor=actor,
        action="growth_archive_view",
        object_type="student",
        object_id=student_id,
        student_ids=[student_id],
    )
    return GrowthArchive(
        student_id=student_id,
        name=student.name,
        student_number=student.student_number,
        class_name=student.school_class.name,
        counts=counts,
        records=records,
        page=number,
        n_records=total,
        n_exams=n_exams,
        recent_exams=recent,
        can_add=_recorder(session, actor, student.school_class_id) is not None,
    )


def add_record(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    dimension: str,
    recorded_on: str,
    evidence: str,
    today: date,
) -> GrowthRecord:
    """Add one record to the student's archive (a teacher of the student's class; audited).
    Invalid, with the reason in words, for an unknown dimension, a date that is not a date or
    lies after ``today``, and evidence that is empty or longer than ``MAX_EVIDENCE_CHARS``."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    recorder = _recorder(session, actor, student.school_class_id)
    if recorder is None:
        raise Forbidden(_("只有任教该班的教师可以添加成长记录"), code="growth.not_teacher")
    record = GrowthRecord(
        student_id=student_id,
        dimension=parse_dimension(dimension),
        evidence=check_evidence(evidence),
        recorded_on=parse_recorded_on(recorded_on, today=today),
        recorded_by=recorder,
    )
    session.add(record)
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="growth_record_add",
        object_type="student",
        object_id=student_id,
        student_ids=[student_id],
    )
    return record


def _recorder(
    session: Session, actor: governance_service.Actor, school_class_id: int
) -> str | None:
    """How a record the actor adds names its recorder: 班主任 for the class's head teacher, else
    the subject's teacher (数学教师); None when the actor teaches no subject in the class."""
    if isinstance(actor, SystemActor) or actor.role is not Role.TEACHER:
        return None
    assignments = session.execute(
        select(TeachingAssignment.is_head_teacher, Subject.name)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(
            TeachingAssignment.teacher_id == actor.teacher_id,
            TeachingAssignment.school_class_id == school_class_id,
        )
        .order_by(TeachingAssignment.is_head_teacher.desc(), Subject.name)
    ).all()
    if not assignments:
        return None
    is_head, subject = assignments[0]
    return HEAD_TEACHER if is_head else f"{subject}教师"
