"""Joint-exam (联考) reports: who may see which scope, the audit of each read, and each student's
own results.

Staff only for the scope report: district admins any scope of their district, school admins
their school and its classes, teachers the classes they teach (as ``access.require_exam_scope``
does for one paper). A student and their parent read only the student's own 总分 and subject
strengths in words (优势学科 / 薄弱学科), never z-scores or ranks. Every read is audited with the
students it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.analysis.access import ScopeOption, is_staff
from yincai.analysis.cache import KeptViews
from yincai.analysis.exam import ReportScope
from yincai.analysis.joint import (
    JointData,
    JointReport,
    JointScores,
    StudentLine,
    build_joint_report,
    joint_scores,
)
from yincai.analysis.joint_data import load_joint_data
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    JointExam,
    School,
    SchoolClass,
    Sitting,
    Student,
    Subject,
)
from yincai.errors import Forbidden, Invalid, NotFound
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _, join
from yincai.rules import GradeBands, Thresholds

JointSurface = Literal["view", "xlsx", "pdf"]
AUDIT_ACTIONS: dict[str, str] = {
    "view": "joint_report_view",
    "xlsx": "joint_report_xlsx",
    "pdf": "joint_report_pdf",
}
VIEW_ROWS = 50  # students per page of the web report's table
LOPSIDED_ROWS = 50  # the 偏科 table of the page and the PDF: the widest spreads (XLSX: all)
PDF_STUDENT_ROWS = VIEW_ROWS  # a school's or the district's PDF lists the page's first page

__all__ = [
    "JointExamEntry",
    "JointReport",
    "JointSurface",
    "StudentJoint",
    "joint_exam_report",
    "joint_scope_options",
    "list_joint_exams",
    "parse_scope",
    "pdf_students",
    "student_joint_result",
]


@dataclass(frozen=True)
class JointExamEntry:
    """A joint exam in a list: its papers' subjects."""

    id: int
    code: str
    name: str
    held_on: date
    grade_level: int
    subjects: list[str]


@dataclass(frozen=True)
class SubjectResult:
    """One subject of a student's joint exam. Staff see the score and z; the family the score
    and band (等级) and, in words, whether it is a strength."""

    name: str
    score: float | None  # None: not sat (缺考)
    full_score: float
    band: str | None
    z: float | None  # staff only
    word: str  # 优势学科 / 薄弱学科 / ""


@dataclass(frozen=True)
class StudentJoint:
    """A student's own results in one joint exam."""

    joint_exam_id: int
    code: str
    name: str
    held_on: date
    student_id: int
    student_number: str
    student_name: str
    total: float | None  # None: a subject missed, or not shown (the student and their parent)
    total_band: str | None  # None: a subject missed
    full_score: float
    missing: list[str]
    subjects: list[SubjectResult]
    strong_subject: str | None
    weak_subject: str | None
    is_lopsided: bool
    is_staff_copy: bool
    summary_words: str


def parse_scope(text: str | None) -> ReportScope | None:
    """``class:<id>``, ``school:<id>`` or ``district`` (None: the actor's own)."""
    if text is None or not text.strip():
        return None
    kind, _sep, value = text.strip().partition(":")
    if kind == "district" and not value:
        return ReportScope()
    if kind in ("class", "school") and value.isdigit():
        if kind == "class":
            return ReportScope("class", None, int(value))
        return ReportScope("school", int(value))
    raise Invalid(
        _("范围“{text}”无效：应为 class:<编号>、school:<编号> 或 district").format(text=text),
        code="report.bad_scope",
    )


def get_joint_exam(session: Session, joint_exam_id: int) -> JointExam:
    joint = session.get(JointExam, joint_exam_id)
    if joint is None:
        raise NotFound(_("联考 {id} 不存在").format(id=joint_exam_id), code="joint_exam.not_found")
    return joint


def _sat_class_ids(session: Session, joint: JointExam) -> set[int]:
    return set(
        session.scalars(
            select(AssessmentClass.school_class_id)
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(Assessment.joint_exam_id == joint.id)
        )
    )


def _in_district(actor: governance_service.Actor, joint: JointExam) -> None:
    if isinstance(actor, UserAccount) and actor.district_id != joint.district_id:
        raise NotFound(_("联考 {id} 不存在").format(id=joint.id), code="joint_exam.not_found")


def _resolve_scope(
    session: Session,
    actor: governance_service.Actor,
    joint: JointExam,
    asked: ReportScope | None,
) -> ReportScope:
    """The scope asked for (its school filled in), else the actor's own: district, own school,
    first own class that sat the joint exam."""
    if asked is not None and asked.kind == "class":
        school_class = session.get(SchoolClass, asked.school_class_id)
        if school_class is None:
            raise NotFound(
                _("班级 {id} 不存在").format(id=asked.school_class_id),
                code="school_class.not_found",
            )
        return ReportScope("class", school_class.school_id, school_class.id)
    if asked is not None:
        return asked
    if not isinstance(actor, UserAccount) or actor.role is Role.DISTRICT_ADMIN:
        return ReportScope()
    if actor.role is Role.SCHOOL_ADMIN:
        return ReportScope("school", actor.school_id)
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    found = session.execute(
        select(SchoolClass.id, SchoolClass.school_id)
        .where(
            SchoolClass.id.in_(_sat_class_ids(session, joint)),
            SchoolClass.id.in_(governance_service.visible_class_ids(actor)),
        )
        .order_by(SchoolClass.name, SchoolClass.id)
    ).first()
    if found is None:
        raise Forbidden(_("您任教的班级未参加此联考"), code="joint_exam.no_class_of_yours")
    return ReportScope("class", found[1], found[0])


def _require_scope(
    session: Session, actor: governance_service.Actor, joint: JointExam, scope: ReportScope
) -> None:
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    if scope.kind == "district":
        governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    elif scope.kind == "school":
        governance_service.require_scope(session, actor=actor, school_id=scope.school_id)
    else:
        governance_service.require_scope(
            session, actor=actor, school_class_id=scope.school_class_id
        )


def _check_sat(data: JointData, scope: ReportScope) -> None:
    if scope.kind == "school" and scope.school_id not in data.school_names:
        raise NotFound(
            _("该学校未参加联考 {code}").format(code=data.code),
            code="joint_exam.school_did_not_sit",
        )
    if scope.kind == "class" and scope.school_class_id not in data.class_names:
        raise NotFound(
            _("该班级未参加联考 {code}").format(code=data.code),
            code="joint_exam.class_did_not_sit",
        )


def _target(scope: ReportScope) -> str:
    if scope.kind == "school":
        return f"school:{scope.school_id}"
    if scope.kind == "class":
        return f"class:{scope.school_class_id}"
    return "district"


def pdf_students(report: JointReport) -> tuple[list[StudentLine], list[StudentLine]]:
    """The students a report's PDF names: (the student table, the 偏科 table). A class's PDF
    lists every student; a school's or the district's the first page the web page shows, by
    总分. The 偏科 table holds the widest spreads, as on the page."""
    students = report.students
    if report.scope.kind != "class":
        students = students[:PDF_STUDENT_ROWS]
    return students, report.lopsided[:LOPSIDED_ROWS]


@dataclass(frozen=True)
class ViewPage:
    """The students one page of the web report shows: its rows of the student table (by 总分)
    and the 偏科 table."""

    rows: list[StudentLine]
    lopsided: list[StudentLine]
    page: int
    n_pages: int


def view_page(report: JointReport, page: int) -> ViewPage:
    """Page ``page`` of the report's student table (clamped to the pages there are)."""
    n_pages = max(1, math.ceil(len(report.students) / VIEW_ROWS))
    page = min(max(page, 1), n_pages)
    rows = report.students[(page - 1) * VIEW_ROWS : page * VIEW_ROWS]
    return ViewPage(rows, report.lopsided[:LOPSIDED_ROWS], page, n_pages)


def _audited_students(report: JointReport, surface: JointSurface, page: int) -> list[int]:
    """The students a surface shows: the XLSX every one; a page its rows and 偏科 table; the
    PDF the students it names."""
    if surface == "xlsx":
        return [line.student_id for line in report.students]
    if surface == "view":
        shown = view_page(report, page)
        students, lopsided = shown.rows, shown.lopsided
    else:
        students, lopsided = pdf_students(report)
    return list(dict.fromkeys(line.student_id for line in [*students, *lopsided]))


def joint_exam_report(
    session: Session,
    *,
    actor: governance_service.Actor,
    joint_exam_id: int,
    surface: JointSurface,
    scope: ReportScope | None = None,
    thresholds: Thresholds | None = None,
    show_ranks: bool = True,
    kept_views: KeptViews | None = None,
    page: int = 1,
) -> JointReport:
    """The joint-exam report of the scope asked for, else of the actor's own; audited with
    the students the surface shows (the page ``page``: ``view_page``; the PDF:
    ``pdf_students``; the XLSX: all); kept in ``kept_views`` until the next import."""
    joint = get_joint_exam(session, joint_exam_id)
    _in_district(actor, joint)
    chosen = _resolve_scope(session, actor, joint, scope)
    _require_scope(session, actor, joint, chosen)
    thresholds = thresholds or Thresholds()
    key = (joint.id, chosen, thresholds, show_ranks, hub_service.data_version(session))
    report = kept_views.joint_reports.get(key) if kept_views is not None else None
    if report is None:
        data = load_joint_data(session, joint)
        _check_sat(data, chosen)
        report = build_joint_report(
            data, joint_scores(data), chosen, thresholds=thresholds, show_ranks=show_ranks
        )
        if kept_views is not None:
            kept_views.joint_reports.put(key, report, replaces=lambda k: k[:4] == key[:4])
    governance_service.audit(
        session,
        actor=actor,
        action=AUDIT_ACTIONS[surface],
        object_type="joint_report",
        object_id=f"{joint.id}:{_target(chosen)}",
        student_ids=_audited_students(report, surface, page),
    )
    return report


def joint_scope_options(
    session: Session, *, actor: UserAccount, joint_exam_id: int, current: ReportScope
) -> list[ScopeOption]:
    """The district, schools and classes that sat the joint exam and that the actor may see
    (``query`` is the value of ``scope=``)."""
    joint = get_joint_exam(session, joint_exam_id)
    options: list[ScopeOption] = []
    if actor.role is Role.DISTRICT_ADMIN:
        options.append(ScopeOption(_("全区"), "district", current.kind == "district"))
    rows = session.execute(
        select(School.id, School.name, SchoolClass.id, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .where(
            SchoolClass.id.in_(_sat_class_ids(session, joint)),
            SchoolClass.id.in_(governance_service.visible_class_ids(actor)),
        )
        .order_by(School.code, SchoolClass.name)
    ).all()
    seen: set[int] = set()
    can_see_schools = actor.role in governance_service.ADMIN_ROLES
    for school_id, school_name, class_id, class_name in rows:
        if can_see_schools and school_id not in seen:
            seen.add(school_id)
            is_current = current.kind == "school" and current.school_id == school_id
            options.append(ScopeOption(school_name, f"school:{school_id}", is_current))
        is_current = current.kind == "class" and current.school_class_id == class_id
        options.append(ScopeOption(f"{school_name} {class_name}", f"class:{class_id}", is_current))
    return options


def list_joint_exams(
    session: Session, *, actor: governance_service.Actor, student_id: int | None = None
) -> list[JointExamEntry]:
    """The joint exams of the actor's district that a class in their sight sat (district admins:
    all), newest first; those a student sat, if given."""
    query = select(JointExam).order_by(JointExam.held_on.desc(), JointExam.code)
    if isinstance(actor, UserAccount):
        query = query.where(JointExam.district_id == actor.district_id)
    in_sight = isinstance(actor, UserAccount) and actor.role is not Role.DISTRICT_ADMIN
    if in_sight and student_id is None:  # those a class in the actor's sight sat
        query = query.where(
            JointExam.id.in_(
                select(Assessment.joint_exam_id)
                .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
                .where(
                    AssessmentClass.school_class_id.in_(governance_service.visible_class_ids(actor))
                )
            )
        )
    if student_id is not None:
        governance_service.require_scope(session, actor=actor, student_id=student_id)
        query = query.where(
            JointExam.id.in_(
                select(Assessment.joint_exam_id)
                .join(Sitting, Sitting.assessment_id == Assessment.id)
                .where(Sitting.student_id == student_id)
            )
        )
    joints = session.scalars(query).all()
    subjects: dict[int, list[str]] = {}
    if joints:
        for joint_id, name in session.execute(
            select(Assessment.joint_exam_id, Subject.name)
            .join(Subject, Subject.id == Assessment.subject_id)
            .where(Assessment.joint_exam_id.in_([joint.id for joint in joints]))
            .order_by(Subject.id)
        ).all():
            if joint_id is not None:
                subjects.setdefault(int(joint_id), []).append(str(name))
    return [
        JointExamEntry(j.id, j.code, j.name, j.held_on, j.grade_level, subjects.get(j.id, []))
        for j in joints
    ]


STRONG_WORD = _("优势学科")
WEAK_WORD = _("薄弱学科")


def student_joint_result(
    session: Session, *, actor: governance_service.Actor, student_id: int, joint_exam_id: int
) -> StudentJoint:
    """A student's own 总分 and subjects in one joint exam: staff see scores, z-scores and the
    偏科 figures; the student and their parent bands (of each subject and of the 总分) and
    strengths in words only, no score."""
    joint = get_joint_exam(session, joint_exam_id)
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    _in_district(actor, joint)
    data = load_joint_data(session, joint)
    row = data.row_of(student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    if row is None:
        raise NotFound(
            _("学生 {number} 未参加联考 {code}").format(
                number=student.student_number, code=joint.code
            ),
            code="joint_exam.student_did_not_sit",
        )
    computed: JointScores = joint_scores(data)
    staff = is_staff(actor)
    lopsided = bool(computed.is_lopsided[row])
    weak = int(computed.weakest[row]) if lopsided else -1
    strong = int(computed.strongest[row]) if lopsided else -1
    bands = GradeBands()
    subjects = []
    for k in range(data.n_subjects):
        score = float(data.scores[row, k])
        full = float(data.full_scores[k])
        sat = score == score  # not NaN
        z = float(computed.z[row, k])
        word: str = STRONG_WORD if k == strong else WEAK_WORD if k == weak else ""
        subjects.append(
            SubjectResult(
                name=data.subject_names[k],
                score=score if sat and staff else None,
                full_score=full,
                band=bands.band_of(score, full) if sat and full > 0 else None,
                z=z if staff and z == z else None,
                word=word,
            )
        )
    total = float(computed.totals[row])
    joint_full = float(data.full_scores.sum())
    complete = total == total and joint_full > 0  # not NaN: every subject sat
    missing = [s.name for s in subjects if s.band is None]
    if missing:
        words = _("缺考：{subjects}，不计总分").format(subjects=join(missing, "、"))
    elif lopsided:
        words = _("与全区同学相比，优势学科：{strong}；薄弱学科：{weak}").format(
            strong=data.subject_names[strong], weak=data.subject_names[weak]
        )
    else:
        words = _("与全区同学相比，各学科发展较均衡")
    governance_service.audit(
        session,
        actor=actor,
        action="joint_student_view",
        object_type="student",
        object_id=student_id,
    )
    return StudentJoint(
        joint_exam_id=joint.id,
        code=joint.code,
        name=joint.name,
        held_on=joint.held_on,
        student_id=student_id,
        student_number=student.student_number,
        student_name=student.name,
        total=total if complete and staff else None,
        total_band=bands.band_of(total, joint_full) if complete else None,
        full_score=joint_full,
        missing=missing,
        subjects=subjects,
        strong_subject=data.subject_names[strong] if strong >= 0 else None,
        weak_subject=data.subject_names[weak] if weak >= 0 else None,
        is_lopsided=lopsided,
        is_staff_copy=staff,
        summary_words=words,
    )
