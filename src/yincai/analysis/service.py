"""The analysis capability's one door: exam reports by scope and student reports by audience.

Each call loads the assessment's scores once into arrays (``data.py``) and computes every
statistic from them. Reports are plain dataclasses for the web pages, PDFs, XLSX and the CLI.

Scope checks live here: pass the logged-in account as ``actor`` and the report is refused
(Forbidden) unless the account may see it — exam reports for staff within their scope, student
reports for staff of the student and, as the family copy only, for the student and their parent.
``actor=None`` is the system operator with shell access (the CLI, benchmarks and tests): no check.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.analysis.cache import ExamCache, PreparedExam
from yincai.analysis.data import ExamData, load_exam_data
from yincai.analysis.exam import ExamReport, ReportScope, build_exam_report, reference_rates
from yincai.analysis.progress import PreviousExam
from yincai.analysis.student import (
    Audience,
    KpMastery,
    StudentReport,
    build_student_report,
)
from yincai.diagnosis import service as diagnosis_service
from yincai.errors import Forbidden, Invalid, NotFound, YincaiError
from yincai.governance import service as governance_service
from yincai.governance.models import Role, UserAccount
from yincai.hub import service as hub_service
from yincai.hub.models import (
    Assessment,
    School,
    SchoolClass,
    Student,
)
from yincai.i18n import _
from yincai.rules import GradeBands, Thresholds

__all__ = [
    "ExamReport",
    "GradeBands",
    "ReportScope",
    "StudentReport",
    "Thresholds",
    "exam_report",
    "exam_reports",
    "list_exam_codes",
    "previous_assessment",
    "resolve_scope",
    "student_report",
]

MASTERY_NOT_ASKED = "本报告未含知识点掌握度 / mastery was not requested for this report"


def resolve_scope(
    session: Session, *, school_code: str | None = None, class_name: str | None = None
) -> ReportScope:
    """The scope named by a school code and/or a class name (unique within the district)."""
    if school_code is None and class_name is None:
        return ReportScope()
    school_id = None
    if school_code is not None:
        school_id = session.scalar(select(School.id).where(School.code == school_code))
        if school_id is None:
            raise NotFound(
                _("学校 {school_code} 不存在").format(school_code=school_code),
                code="school.not_found",
            )
    if class_name is None:
        return ReportScope(kind="school", school_id=school_id)
    query = select(SchoolClass.id, SchoolClass.school_id).where(SchoolClass.name == class_name)
    if school_id is not None:
        query = query.where(SchoolClass.school_id == school_id)
    found = session.execute(query).all()
    if not found:
        raise NotFound(
            _("班级 {class_name} 不存在").format(class_name=class_name),
            code="school_class.not_found",
        )
    if len(found) > 1:
        raise Invalid(
            _("多所学校有 {class_name}，请指定学校").format(class_name=class_name),
            code="school_class.ambiguous",
        )
    return ReportScope(kind="class", school_id=found[0][1], school_class_id=found[0][0])


def exam_report(
    session: Session,
    *,
    actor: UserAccount | None = None,
    assessment_code: str,
    scope: ReportScope | None = None,
    thresholds: Thresholds | None = None,
    show_ranks: bool = True,
    cache: ExamCache | None = None,
) -> ExamReport:
    """The exam report of one scope (the district by default)."""
    return exam_reports(
        session,
        actor=actor,
        assessment_code=assessment_code,
        scopes=[scope or ReportScope()],
        thresholds=thresholds,
        show_ranks=show_ranks,
        cache=cache,
    )[0]


def exam_reports(
    session: Session,
    *,
    actor: UserAccount | None = None,
    assessment_code: str,
    scopes: Sequence[ReportScope],
    thresholds: Thresholds | None = None,
    show_ranks: bool = True,
    cache: ExamCache | None = None,
) -> list[ExamReport]:
    """Reports of several scopes of one exam, its scores read once (or kept in ``cache``)."""
    assessment = hub_service.get_assessment(session, code=assessment_code)
    if actor is not None:
        for scope in scopes:
            _require_exam_scope(session, actor, assessment, scope)
    exam = _prepared(session, assessment, cache)
    for scope in scopes:
        _check_scope(exam.data, scope)
    limits = thresholds or Thresholds()
    reports = []
    for scope in scopes:
        key = (scope, limits, show_ranks)
        report = exam.reports.get(key) if cache is not None else None
        if report is None:
            report = build_exam_report(
                exam.data,
                scope,
                thresholds=limits,
                show_ranks=show_ranks,
                previous=exam.previous,
                reference_item_rates=exam.item_rates,
                reference_kp_rates=exam.kp_rates,
            )
            if cache is not None:
                exam.reports[key] = report
        reports.append(report)
    return reports


def _prepared(session: Session, assessment: Assessment, cache: ExamCache | None) -> PreparedExam:
    return (
        prepare_exam(session, assessment)
        if cache is None
        else cache.get(session, assessment, prepare_exam)
    )


def prepare_exam(session: Session, assessment: Assessment) -> PreparedExam:
    """The scores of an exam, its cohort's previous exam and the district reference rates."""
    data = load_exam_data(session, assessment)
    previous = previous_assessment(session, assessment)
    item_rates, kp_rates = reference_rates(data)
    return PreparedExam(
        data=data,
        previous=None if previous is None else _previous_totals(session, previous),
        item_rates=item_rates,
        kp_rates=kp_rates,
    )


def student_report(
    session: Session,
    *,
    actor: UserAccount | None = None,
    student_number: str,
    assessment_code: str,
    audience: Audience = "family",
    show_ranks: bool = False,
    bands: GradeBands | None = None,
    include_mastery: bool = True,
    cache: ExamCache | None = None,
) -> StudentReport:
    """One student's report on one exam; the family copy never carries a rank. Mastery comes
    from the diagnosis service (which calibrates its model once per process on first use)."""
    if audience not in ("teacher", "family"):
        raise Invalid(
            _("未知的读者 {audience}：应为 teacher 或 family").format(audience=f"{audience!r}"),
            code="report.unknown_audience",
        )
    assessment = hub_service.get_assessment(session, code=assessment_code)
    student_id = session.scalar(
        select(Student.id).where(
            Student.student_number == student_number,
            Student.district_id == assessment.district_id,
        )
    )
    if student_id is None:
        raise NotFound(
            _("学生 {student_number} 不存在").format(student_number=student_number),
            code="student.not_found",
        )
    if actor is not None:
        _require_student_scope(session, actor, assessment, student_id, audience)
    exam = _prepared(session, assessment, cache)
    data = exam.data
    row = data.row_of(student_id)
    if row is None:
        raise NotFound(
            _("学生 {student_number} 未参加考试 {assessment_code}").format(
                student_number=student_number, assessment_code=assessment_code
            ),
            code="sitting.not_found",
        )
    mastery, note = (
        _mastery(session, student_id, data) if include_mastery else (None, MASTERY_NOT_ASKED)
    )
    return build_student_report(
        data,
        row,
        audience=audience,
        show_ranks=show_ranks and audience == "teacher",
        bands=bands,
        previous=exam.previous,
        mastery=mastery,
        mastery_note=note,
    )


def list_exam_codes(session: Session, *, district_id: int | None = None) -> list[str]:
    """Codes of every assessment (of one district), oldest first."""
    query = select(Assessment.code).order_by(Assessment.held_on, Assessment.code)
    if district_id is not None:
        query = query.where(Assessment.district_id == district_id)
    return list(session.scalars(query))


def previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The latest earlier assessment of the same district, subject, grade and kind."""
    return session.scalars(
        select(Assessment)
        .where(
            Assessment.district_id == assessment.district_id,
            Assessment.subject_id == assessment.subject_id,
            Assessment.grade_level == assessment.grade_level,
            Assessment.kind == assessment.kind,
            Assessment.held_on < assessment.held_on,
        )
        .order_by(Assessment.held_on.desc(), Assessment.id.desc())
        .limit(1)
    ).first()


def _require_exam_scope(
    session: Session, actor: UserAccount, assessment: Assessment, scope: ReportScope
) -> None:
    """Staff only; the district report for district admins, a school's for its admins, a
    class's for whoever sees the class; the assessment itself must be in sight."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, assessment_id=assessment.id)
    if scope.kind == "district":
        governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    elif scope.kind == "school":
        governance_service.require_scope(session, actor=actor, school_id=scope.school_id)
    else:
        governance_service.require_scope(
            session, actor=actor, school_class_id=scope.school_class_id
        )


def _require_student_scope(
    session: Session, actor: UserAccount, assessment: Assessment, student_id: int, audience: str
) -> None:
    """The student must be in sight; students and parents only ever get the family copy."""
    governance_service.require_scope(
        session, actor=actor, student_id=student_id, assessment_id=assessment.id
    )
    if audience == "teacher" and actor.role not in governance_service.STAFF_ROLES:
        raise Forbidden(_("教师版报告仅供教师查看"), code="report.staff_only")


def _check_scope(data: ExamData, scope: ReportScope) -> None:
    if scope.kind == "school" and scope.school_id not in data.school_names:
        raise NotFound(
            _("该学校未参加考试 {code}").format(code=data.code),
            code="assessment.school_did_not_sit",
        )
    if scope.kind == "class" and scope.school_class_id not in data.class_names:
        raise NotFound(
            _("该班级未参加考试 {code}").format(code=data.code), code="assessment.class_did_not_sit"
        )


def _previous_totals(session: Session, assessment: Assessment) -> PreviousExam:
    """Totals of the previous exam by student (NaN for absentees), by the hub's one rule."""
    sittings = hub_service.sitting_totals(session, assessment_ids=[assessment.id])
    return PreviousExam(
        code=assessment.code,
        name=assessment.name,
        full_score=hub_service.full_score(session, assessment.id),
        student_ids=np.array([row.student_id for row in sittings], dtype=np.int64),
        totals=np.array(
            [np.nan if row.total is None else row.total for row in sittings], dtype=np.float64
        ),
    )


def _mastery(
    session: Session, student_id: int, data: ExamData
) -> tuple[list[KpMastery] | None, str]:
    """The diagnosis service's mastery of the knowledge points this student has evidence on
    (latest estimate), or None with the reason when it cannot give one."""
    try:
        found = diagnosis_service.student_mastery(
            session, student_id=student_id, subject_code=data.subject_code
        )
    except YincaiError as problem:
        return None, problem.message
    return [
        KpMastery(
            code=entry.kp_code,
            name=entry.kp_name,
            mastery=entry.mastery,
            logit_sd=entry.logit_sd,
            level_low=entry.level_low,
            level_high=entry.level_high,
            n_evidence=entry.n_evidence,
            band_word=entry.band_word,
        )
        for entry in found
        if entry.n_evidence > 0
    ], ""
