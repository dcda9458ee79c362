"""The analysis capability's one door: exam reports by scope and student reports by audience.

Each call loads the assessment's scores once into arrays (``data.py``) and computes every
statistic from them. Reports are plain dataclasses for the web pages, PDFs, XLSX and the CLI.

Scope checks and the audit live here (``access.py``): every call takes the ``actor`` (the
signed-in account, or ``SystemActor`` for the CLI and benchmarks) and names the ``surface`` the
report is read on; the report is refused (Forbidden) unless the actor may see it, and each
report read writes one audit row with the students it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.analysis import access
from yincai.analysis.access import (
    Copy,
    DetailsSurface,
    ExamSurface,
    ScopeOption,
    StudentSurface,
    is_staff,
    linked_students,
    scope_options,
)
from yincai.analysis.cache import ExamCache, PreparedExam
from yincai.analysis.data import ExamData
from yincai.analysis.details import ExamDetails, build_exam_details
from yincai.analysis.exam import ExamReport, ReportScope, build_exam_report
from yincai.analysis.lines import ScoreLine, default_lines, parse_lines, parse_margin
from yincai.analysis.preparation import check_scope, prepare_exam, prepared, previous_assessment
from yincai.analysis.student import (
    Audience,
    KpMastery,
    StudentReport,
    TrendPoint,
    build_student_report,
)
from yincai.analysis.transcript import ORDERS as TRANSCRIPT_ORDERS
from yincai.analysis.transcript import TranscriptOrder, TranscriptRow
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    Assessment,
    AssessmentKind,
    School,
    SchoolClass,
    Sitting,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.errors import Invalid, NotFound, YincaiError
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _
from yincai.rules import BORDERLINE_MARGIN, GradeBands, Thresholds

TRANSCRIPT_PAGE_SIZE = 50  # rows of the 成绩单 page

__all__ = [
    "Copy",
    "DetailsRequest",
    "DetailsSurface",
    "ExamDetailsView",
    "ExamReport",
    "ExamSurface",
    "GradeBands",
    "ReportScope",
    "ScopeOption",
    "StudentReport",
    "StudentReportView",
    "StudentSurface",
    "Thresholds",
    "TrendPoint",
    "assessment_id_of",
    "exam_details_by_id",
    "exam_report",
    "exam_report_by_id",
    "exam_reports",
    "is_staff",
    "linked_students",
    "list_exam_codes",
    "prepare_exam",
    "previous_assessment",
    "resolve_scope",
    "scope_options",
    "student_report",
    "student_report_by_id",
]

MASTERY_NOT_ASKED = _("本报告未含知识点掌握度")


@dataclass(frozen=True)
class StudentReportView:
    """A student's report as a page shows it: the report, the own score-rate trend, and the
    subject whose mastery estimates it reads."""

    student_id: int
    student_number: str
    assessment_id: int
    assessment_code: str
    subject_code: str
    report: StudentReport
    trend: list[TrendPoint]


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
    actor: governance_service.Actor,
    assessment_code: str,
    surface: ExamSurface,
    scope: ReportScope | None = None,
    thresholds: Thresholds | None = None,
    show_ranks: bool = True,
    cache: ExamCache | None = None,
) -> ExamReport:
    """The exam report of one scope (the district by default), audited as read on ``surface``."""
    return exam_reports(
        session,
        actor=actor,
        assessment_code=assessment_code,
        surface=surface,
        scopes=[scope or ReportScope()],
        thresholds=thresholds,
        show_ranks=show_ranks,
        cache=cache,
    )[0]


def exam_report_by_id(
    session: Session,
    *,
    actor: governance_service.Actor,
    assessment_id: int,
    surface: ExamSurface,
    school_id: int | None = None,
    school_class_id: int | None = None,
    show_ranks: bool = True,
    cache: ExamCache | None = None,
) -> ExamReport:
    """The report of the scope asked for, else of the actor's own (district, own school, first
    own class that sat the exam)."""
    assessment = _assessment(session, assessment_id)
    scope = access.default_scope(session, actor, assessment, school_id, school_class_id)
    return exam_reports(
        session,
        actor=actor,
        assessment_code=assessment.code,
        surface=surface,
        scopes=[scope],
        show_ranks=show_ranks,
        cache=cache,
    )[0]


def exam_reports(
    session: Session,
    *,
    actor: governance_service.Actor,
    assessment_code: str,
    surface: ExamSurface,
    scopes: Sequence[ReportScope],
    thresholds: Thresholds | None = None,
    show_ranks: bool = True,
    cache: ExamCache | None = None,
) -> list[ExamReport]:
    """Reports of several scopes of one exam, its scores read once (or kept in ``cache``); each
    report is audited."""
    assessment = hub_service.get_assessment(session, code=assessment_code)
    for scope in scopes:
        access.require_exam_scope(session, actor, assessment, scope)
    exam = prepared(session, assessment, cache)
    for scope in scopes:
        check_scope(exam.data, scope)
    limits = thresholds or Thresholds()
    reports = []
    for scope in scopes:
        report = _built_report(exam, scope, limits, show_ranks, cached=cache is not None)
        access.audit_exam(session, actor, report, surface, assessment)
        reports.append(report)
    return reports


def _built_report(
    exam: PreparedExam, scope: ReportScope, limits: Thresholds, show_ranks: bool, *, cached: bool
) -> ExamReport:
    key = (scope, limits, show_ranks)
    report: ExamReport | None = exam.reports.get(key) if cached else None
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
        if cached:
            exam.reports[key] = report
    return report


@dataclass(frozen=True)
class DetailsRequest:
    """What a section page or download asks for beyond the scope: the 临界生 margin and the
    custom score lines as typed into the form (checked here), the 成绩单's page and order."""

    margin: str | None = None
    line_names: tuple[str, ...] = ()
    line_scores: tuple[str, ...] = ()
    page: int = 1
    order: str = "total"


@dataclass(frozen=True)
class ExamDetailsView:
    report: ExamReport
    details: ExamDetails
    margin: float
    lines: list[ScoreLine]
    is_custom_lines: bool
    transcript_rows: list[TranscriptRow]  # the page asked for (all rows on a download)
    page: int
    n_pages: int
    order: TranscriptOrder


def exam_details_by_id(
    session: Session,
    *,
    actor: governance_service.Actor,
    assessment_id: int,
    surface: DetailsSurface,
    school_id: int | None = None,
    school_class_id: int | None = None,
    show_ranks: bool = True,
    request: DetailsRequest | None = None,
    cache: ExamCache | None = None,
) -> ExamDetailsView:
    """The report of a scope with its 成绩单, lines, 临界生, 分数段, 试卷讲评 and side-by-side
    comparison (same scope rules as the report); audited with the students the surface names."""
    asked = request or DetailsRequest()
    assessment = _assessment(session, assessment_id)
    scope = access.default_scope(session, actor, assessment, school_id, school_class_id)
    access.require_exam_scope(session, actor, assessment, scope)
    exam = prepared(session, assessment, cache)
    check_scope(exam.data, scope)
    data = exam.data
    limits = Thresholds()
    report = _built_report(exam, scope, limits, show_ranks, cached=cache is not None)
    margin = parse_margin(asked.margin, full_score=data.full_score, default=BORDERLINE_MARGIN)
    custom = parse_lines(asked.line_names, asked.line_scores, full_score=data.full_score)
    lines = custom or default_lines(data.full_score, limits)
    order: TranscriptOrder = next((o for o in TRANSCRIPT_ORDERS if o == asked.order), "total")
    key = ("details", scope, show_ranks, margin, tuple(lines))
    # Only the default lines and margin are kept: typed ones would grow the cache without bound.
    keep = cache is not None and not custom and margin == BORDERLINE_MARGIN
    details: ExamDetails | None = exam.reports.get(key) if keep else None
    if details is None:
        details = build_exam_details(
            data,
            scope,
            thresholds=limits,
            show_ranks=show_ranks,
            margin=margin,
            lines=lines,
            teacher_of_class=_teachers(session, data),
        )
        if keep:
            exam.reports[key] = details
    rows = details.transcript.ordered(order)
    n_pages = max(1, -(-len(rows) // TRANSCRIPT_PAGE_SIZE))
    page = min(max(1, asked.page), n_pages)
    if surface == "transcript":
        rows = rows[(page - 1) * TRANSCRIPT_PAGE_SIZE : page * TRANSCRIPT_PAGE_SIZE]
    access.audit_details(session, actor, report, details, surface, assessment, rows)
    return ExamDetailsView(
        report=report,
        details=details,
        margin=margin,
        lines=lines,
        is_custom_lines=bool(custom),
        transcript_rows=rows,
        page=page,
        n_pages=n_pages,
        order=order,
    )


def assessment_id_of(session: Session, code: str) -> int:
    """The id of the assessment with ``code`` (NotFound otherwise)."""
    return hub_service.get_assessment(session, code=code).id


def _teachers(session: Session, data: ExamData) -> dict[int, str]:
    """The teacher of the exam's subject in each class that sat it (name, with the staff number
    where two teachers share a name)."""
    found = session.execute(
        select(TeachingAssignment.school_class_id, Teacher.name, Teacher.staff_number)
        .join(Teacher, Teacher.id == TeachingAssignment.teacher_id)
        .where(
            TeachingAssignment.subject_id == data.subject_id,
            TeachingAssignment.school_class_id.in_(sorted(data.class_names)),
        )
    ).all()
    staff_of_name: dict[str, set[str]] = {}
    for _class_id, name, staff_number in found:
        staff_of_name.setdefault(name, set()).add(staff_number)
    return {
        int(class_id): name if len(staff_of_name[name]) == 1 else f"{name}（{staff_number}）"
        for class_id, name, staff_number in found
    }


def student_report(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_number: str,
    assessment_code: str,
    surface: StudentSurface,
    audience: Audience = "family",
    show_ranks: bool = False,
    bands: GradeBands | None = None,
    include_mastery: bool = True,
    cache: ExamCache | None = None,
) -> StudentReport:
    """One student's report on one exam; the family copy never carries a rank. Mastery comes
    from the diagnosis service's stored estimates."""
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
    access.require_student_scope(session, actor, student_id, assessment.id, audience)
    return _student_report(
        session,
        actor=actor,
        student_id=student_id,
        assessment=assessment,
        surface=surface,
        audience=audience,
        show_ranks=show_ranks,
        bands=bands,
        include_mastery=include_mastery,
        cache=cache,
    )


def student_report_by_id(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    assessment_id: int,
    surface: StudentSurface,
    copy: str | None = None,
    show_ranks: bool = False,
    cache: ExamCache | None = None,
) -> StudentReportView:
    """A student's report with the own score-rate trend: staff get the teacher's copy unless they
    ask for the family one (ranks only if ``show_ranks``), students and parents the family's."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    assessment = _assessment(session, assessment_id)
    # Checked before the number is looked up, so no message ever names an unseen student.
    audience: Copy = "teacher" if access.is_staff(actor) and copy != "family" else "family"
    access.require_student_scope(session, actor, student_id, assessment_id, audience)
    report = _student_report(
        session,
        actor=actor,
        student_id=student_id,
        assessment=assessment,
        surface=surface,
        audience=audience,
        show_ranks=show_ranks and audience == "teacher",
        bands=None,
        include_mastery=True,
        cache=cache,
    )
    return StudentReportView(
        student_id=student_id,
        student_number=student.student_number,
        assessment_id=assessment_id,
        assessment_code=assessment.code,
        subject_code=_subject_code(session, assessment),
        report=report,
        trend=_score_trend(session, student, assessment),
    )


def _student_report(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    assessment: Assessment,
    surface: StudentSurface,
    audience: Copy,
    show_ranks: bool,
    bands: GradeBands | None,
    include_mastery: bool,
    cache: ExamCache | None,
) -> StudentReport:
    exam = prepared(session, assessment, cache)
    data = exam.data
    row = data.row_of(student_id)
    if row is None:
        number = session.scalar(select(Student.student_number).where(Student.id == student_id))
        raise NotFound(
            _("学生 {student_number} 未参加考试 {assessment_code}").format(
                student_number=number, assessment_code=assessment.code
            ),
            code="sitting.not_found",
        )
    mastery, note = (
        _mastery(session, actor, student_id, data) if include_mastery else (None, MASTERY_NOT_ASKED)
    )
    report = build_student_report(
        data,
        row,
        audience=audience,
        show_ranks=show_ranks and audience == "teacher",
        bands=bands,
        previous=exam.previous,
        mastery=mastery,
        mastery_note=note,
    )
    access.audit_student(session, actor, student_id, surface, audience)
    return report


def _score_trend(session: Session, student: Student, assessment: Assessment) -> list[TrendPoint]:
    """The student's own score rate on every assessment of the subject up to this one."""
    rows = session.execute(
        select(Assessment.id, Assessment.held_on, Assessment.name)
        .join(Sitting, Sitting.assessment_id == Assessment.id)
        .where(
            Sitting.student_id == student.id,
            Assessment.subject_id == assessment.subject_id,
            Assessment.held_on <= assessment.held_on,
            Sitting.is_absent.is_(False),
        )
        .order_by(Assessment.held_on, Assessment.id)
    ).all()
    ids = [row[0] for row in rows]
    full_scores = hub_service.full_scores(session, ids)
    totals = {
        row.assessment_id: row.total
        for row in hub_service.sitting_totals(session, assessment_ids=ids, student_ids=[student.id])
    }
    return [
        TrendPoint(
            str(held_on),
            name,
            None
            if (total := totals.get(aid)) is None or not full_scores.get(aid)
            else total / full_scores[aid],
        )
        for aid, held_on, name in rows
    ]


def _assessment(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("考试 {id} 不存在").format(id=assessment_id), code="assessment.not_found")
    return assessment


def _subject_code(session: Session, assessment: Assessment) -> str:
    subject = session.get(Subject, assessment.subject_id)
    assert subject is not None  # a foreign key
    return subject.code


def list_exam_codes(session: Session, *, district_id: int | None = None) -> list[str]:
    """Codes of every exam and quiz (of one district), oldest first; homework has pages of its
    own (``yincai.homework``)."""
    query = (
        select(Assessment.code)
        .where(Assessment.kind != AssessmentKind.HOMEWORK)
        .order_by(Assessment.held_on, Assessment.code)
    )
    if district_id is not None:
        query = query.where(Assessment.district_id == district_id)
    return list(session.scalars(query))


def _mastery(
    session: Session, actor: governance_service.Actor, student_id: int, data: ExamData
) -> tuple[list[KpMastery] | None, str]:
    """The diagnosis service's mastery of the knowledge points this student has evidence on
    (latest estimate), or None with the reason when it cannot give one."""
    try:
        found = diagnosis_service.student_mastery(
            session, actor=actor, student_id=student_id, subject_code=data.subject_code
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
