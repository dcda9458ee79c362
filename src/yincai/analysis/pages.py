"""Report pages: the exam report of a scope (staff) and a student's report on one exam (the
teacher's copy for staff, the family copy for the student and their parent), with XLSX and PDF
downloads of exactly what the page shows. Every view and download is audited.

Scope checks happen in ``analysis.service`` (``actor=``); the pages pick the default scope of
the role, shape the charts' ECharts options and write the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.analysis import service
from yincai.analysis.cache import ExamCache
from yincai.analysis.exam import ExamReport, ReportScope
from yincai.analysis.student import StudentReport, TeacherStudentReport
from yincai.analysis.xlsx import exam_workbook_bytes
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.errors import Forbidden, NotFound
from yincai.governance import service as governance_service
from yincai.governance.models import Role, UserAccount
from yincai.hub import service as hub_service
from yincai.hub.models import (
    Assessment,
    AssessmentClass,
    School,
    SchoolClass,
    Sitting,
    Student,
    Subject,
)
from yincai.i18n import _
from yincai.reports.maths import page_text_html
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.fragments import FragmentCache
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)

# Ranks and the 一分一段表 are staff tools; a district may turn them off with a ``show_ranks``
# setting (read if present) and a teacher may hide them on the page (?ranks=0).
SHOWS_RANKS_BY_DEFAULT = True
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Copy = Literal["teacher", "family"]


@dataclass(frozen=True)
class ScopeOption:
    """One scope the user may switch the report to."""

    label: str
    query: str  # the query string that selects it
    is_current: bool


@dataclass(frozen=True)
class TrendPoint:
    held_on: str
    name: str
    score_rate: float | None


def ranks_allowed(request: Request) -> bool:
    """The district setting (default on for staff), narrowed by ``?ranks=0`` on the page."""
    setting = bool(getattr(request.app.state.settings, "show_ranks", SHOWS_RANKS_BY_DEFAULT))
    return setting and request.query_params.get("ranks", "1") != "0"


def exam_cache(request: Request) -> ExamCache:
    """The application's exams kept between requests (see ``analysis.cache``)."""
    cache: ExamCache = request.app.state.exam_cache
    return cache


def _assessment(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("考试 {id} 不存在").format(id=assessment_id), code="assessment.not_found")
    return assessment


def report_scope(
    session: Session,
    user: UserAccount,
    assessment: Assessment,
    school_id: int | None,
    school_class_id: int | None,
) -> ReportScope:
    """The scope asked for, else the role's own: district, own school, first own class."""
    if school_class_id is not None:
        school_class = session.get(SchoolClass, school_class_id)
        if school_class is None:
            raise NotFound(
                _("班级 {id} 不存在").format(id=school_class_id), code="school_class.not_found"
            )
        return ReportScope("class", school_class.school_id, school_class_id)
    if school_id is not None:
        return ReportScope("school", school_id)
    if user.role is Role.DISTRICT_ADMIN:
        return ReportScope()
    if user.role is Role.SCHOOL_ADMIN:
        return ReportScope("school", user.school_id)
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=user, assessment_id=assessment.id)
    found = session.execute(
        select(SchoolClass.id, SchoolClass.school_id)
        .join(AssessmentClass, AssessmentClass.school_class_id == SchoolClass.id)
        .where(
            AssessmentClass.assessment_id == assessment.id,
            SchoolClass.id.in_(governance_service.visible_class_ids(user)),
        )
        .order_by(SchoolClass.name, SchoolClass.id)
    ).first()
    if found is None:
        raise Forbidden(_("您任教的班级未参加此考试"), code="assessment.no_class_of_yours")
    return ReportScope("class", found[1], found[0])


def _exam_report(
    request: Request,
    session: Session,
    user: UserAccount,
    assessment_id: int,
    school_id: int | None,
    school_class_id: int | None,
) -> tuple[Assessment, ExamReport]:
    assessment = _assessment(session, assessment_id)
    scope = report_scope(session, user, assessment, school_id, school_class_id)
    report = service.exam_report(
        session,
        actor=user,
        assessment_code=assessment.code,
        scope=scope,
        show_ranks=ranks_allowed(request),
        cache=exam_cache(request),
    )
    return assessment, report


def named_students(report: ExamReport, *, with_movers: bool = True) -> list[str]:
    """The numbers of the students a surface of the report names: absentees, and the biggest
    risers and fallers where it shows them (page, API; the workbook and PDF list absentees only)."""
    numbers = [absentee.student_number for absentee in report.absentees]
    if with_movers and report.progress is not None:
        movers = report.progress.risers + report.progress.fallers
        numbers += [mover.student_number for mover in movers]
    return numbers


def audit_exam(
    session: Session,
    user: UserAccount,
    report: ExamReport,
    action: str,
    assessment: Assessment,
    student_numbers: list[str],
) -> None:
    """Audit a view or download of an exam report, with the students it names (one query)."""
    scope = report.scope
    target = {
        "district": "district",
        "school": f"school:{scope.school_id}",
        "class": f"class:{scope.school_class_id}",
    }[scope.kind]
    student_ids = (
        session.scalars(
            select(Student.id).where(
                Student.district_id == assessment.district_id,
                Student.student_number.in_(student_numbers),
            )
        ).all()
        if student_numbers
        else []
    )
    governance_service.audit(
        session,
        actor=user,
        action=action,
        object_type="exam_report",
        object_id=f"{assessment.id}:{target}",
        student_ids=student_ids,
    )
    session.commit()


def scope_options(
    session: Session, user: UserAccount, assessment: Assessment, current: ReportScope
) -> list[ScopeOption]:
    """The district, schools and classes that sat the exam and that the user may see."""
    options: list[ScopeOption] = []
    if user.role is Role.DISTRICT_ADMIN:
        options.append(ScopeOption("全区", "", current.kind == "district"))
    rows = session.execute(
        select(School.id, School.name, SchoolClass.id, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .join(AssessmentClass, AssessmentClass.school_class_id == SchoolClass.id)
        .where(
            AssessmentClass.assessment_id == assessment.id,
            SchoolClass.id.in_(governance_service.visible_class_ids(user)),
        )
        .order_by(School.code, SchoolClass.name)
    ).all()
    schools_seen: set[int] = set()
    can_see_schools = user.role in governance_service.ADMIN_ROLES
    for school_id, school_name, class_id, class_name in rows:
        if can_see_schools and school_id not in schools_seen:
            schools_seen.add(school_id)
            is_current = current.kind == "school" and current.school_id == school_id
            options.append(ScopeOption(school_name, f"school_id={school_id}", is_current))
        is_current = current.kind == "class" and current.school_class_id == class_id
        label = f"{school_name} {class_name}"
        options.append(ScopeOption(label, f"school_class_id={class_id}", is_current))
    return options


def student_links(
    session: Session, user: UserAccount, district_id: int, numbers: list[str]
) -> dict[str, int]:
    """Student number → id, for the students the user may open (others stay unlinked)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(Student.student_number, Student.id).where(
            Student.district_id == district_id,
            Student.student_number.in_(numbers),
            Student.id.in_(governance_service.visible_student_ids(user)),
        )
    ).all()
    return {str(number): int(student_id) for number, student_id in rows}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def exam_charts(report: ExamReport) -> dict[str, dict[str, Any]]:
    """ECharts options of the exam page: distribution, group comparison, knowledge points."""
    charts: dict[str, dict[str, Any]] = {
        "distribution": {
            "tooltip": {},
            "grid": {"left": 40, "right": 10, "top": 20, "bottom": 40},
            "xAxis": {
                "type": "category",
                "data": [f"{band.lower:g}–{band.upper:g}" for band in report.distribution],
            },
            "yAxis": {"type": "value", "name": _("人数")},
            "series": [
                {
                    "type": "bar",
                    "data": [band.count for band in report.distribution],
                    "itemStyle": {"color": "#b83a2f"},
                }
            ],
        }
    }
    groups = report.classes if len(report.classes) > 1 else report.schools
    if groups:
        charts["groups"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [_("平均分"), _("优秀率%"), _("及格率%")]},
            "grid": {"left": 50, "right": 50, "top": 40, "bottom": 60},
            "xAxis": {
                "type": "category",
                "data": [_group_label(g.school_name, g.name) for g in groups],
                "axisLabel": {"rotate": 30 if len(groups) > 6 else 0},
            },
            "yAxis": [
                {"type": "value", "name": _("分")},
                {"type": "value", "name": "%", "max": 100},
            ],
            "series": [
                {"name": _("平均分"), "type": "bar", "data": [g.mean for g in groups]},
                {
                    "name": _("优秀率%"),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [_percent(g.excellent_rate) for g in groups],
                },
                {
                    "name": _("及格率%"),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [_percent(g.pass_rate) for g in groups],
                },
            ],
        }
    knowledge = report.knowledge
    if knowledge.rows and knowledge.groups:
        cells = [
            [g, k, _percent(row.group_rates[g])]
            for k, row in enumerate(knowledge.rows)
            for g in range(len(knowledge.groups))
        ]
        charts["knowledge"] = {
            "tooltip": {"position": "top"},
            "grid": {"left": 170, "right": 20, "top": 10, "bottom": 80},
            "xAxis": {
                "type": "category",
                "data": knowledge.groups,
                "splitArea": {"show": True},
                "axisLabel": {"rotate": 30 if len(knowledge.groups) > 6 else 0},
            },
            "yAxis": {
                "type": "category",
                "data": [row.name for row in knowledge.rows],
                "splitArea": {"show": True},
            },
            "visualMap": {
                "min": 0,
                "max": 100,
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "inRange": {"color": ["#fde8e6", "#fff4db", "#e3f6e8", "#2e8b57"]},
            },
            "series": [
                {
                    "name": _("得分率%"),
                    "type": "heatmap",
                    "data": cells,
                    "label": {"show": len(cells) <= 120},
                }
            ],
        }
    return charts


def _group_label(school_name: str, name: str) -> str:
    return name if not school_name or school_name == name else f"{school_name} {name}"


@router.get("/assessments/{assessment_id}/report", response_class=HTMLResponse)
def exam_report_page(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """The exam report of the district, a school or a class (staff within their scope)."""
    assessment, report = _exam_report(
        request, session, user, assessment_id, school_id, school_class_id
    )
    options = scope_options(session, user, assessment, report.scope)
    movers = [] if report.progress is None else report.progress.risers + report.progress.fallers
    links = student_links(
        session, user, assessment.district_id, [mover.student_number for mover in movers]
    )
    query = request.url.query
    audit_exam(session, user, report, "exam_report_view", assessment, named_students(report))
    language = language_of(request, request.app.state.settings.language)

    def render_body() -> str:
        return templates.get_template("analysis/_exam_body.html").render(
            report=report,
            assessment_id=assessment_id,
            links=links,
            charts=exam_charts(report),
            lang=language,
        )

    fragments: FragmentCache = request.app.state.fragments
    body = fragments.get(report, ("exam", language, tuple(sorted(links.items()))), render_body)
    return templates.TemplateResponse(
        request,
        "analysis/exam.html",
        {
            "report": report,
            "assessment_id": assessment_id,
            "options": options,
            "body": body,
            "query": query,
            "ranks_query": _without(query, "ranks"),
        },
    )


def _without(query: str, name: str) -> str:
    return "&".join(part for part in query.split("&") if part and not part.startswith(f"{name}="))


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/assessments/{assessment_id}/report.xlsx")
def exam_report_xlsx(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """The same report as a workbook."""
    assessment, report = _exam_report(
        request, session, user, assessment_id, school_id, school_class_id
    )
    numbers = named_students(report, with_movers=False)
    audit_exam(session, user, report, "exam_report_xlsx", assessment, numbers)
    return _download(exam_workbook_bytes(report), XLSX_TYPE, f"{assessment.code}-report.xlsx")


@router.get("/assessments/{assessment_id}/report.pdf")
def exam_report_pdf(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> Response:
    """The same report as a printable PDF."""
    from yincai.reports.exam_pdf import exam_report_pdf as render  # WeasyPrint loads on demand

    assessment, report = _exam_report(
        request, session, user, assessment_id, school_id, school_class_id
    )
    numbers = named_students(report, with_movers=False)
    audit_exam(session, user, report, "exam_report_pdf", assessment, numbers)
    return _download(render(report), "application/pdf", f"{assessment.code}-report.pdf")


def _student_report(
    request: Request,
    session: Session,
    user: UserAccount,
    student_id: int,
    assessment_id: int,
    copy: str | None,
) -> tuple[Student, Assessment, StudentReport]:
    """Staff get the teacher's copy unless they ask for the family one; others the family's."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    assessment = _assessment(session, assessment_id)
    # Checked before the service looks the number up, so its messages never name an unseen student.
    governance_service.require_scope(
        session, actor=user, student_id=student_id, assessment_id=assessment_id
    )
    is_staff = user.role in governance_service.STAFF_ROLES
    audience: Copy = "teacher" if is_staff and copy != "family" else "family"
    report = service.student_report(
        session,
        actor=user,
        student_number=student.student_number,
        assessment_code=assessment.code,
        audience=audience,
        show_ranks=audience == "teacher" and ranks_allowed(request),
        cache=exam_cache(request),
    )
    return student, assessment, report


def score_trend(session: Session, student: Student, assessment: Assessment) -> list[TrendPoint]:
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


def student_charts(report: StudentReport, trend: list[TrendPoint]) -> dict[str, dict[str, Any]]:
    """ECharts options of the student page: the own score-rate trend and mastery per point."""
    charts: dict[str, dict[str, Any]] = {}
    if trend:
        charts["trend"] = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 20, "top": 20, "bottom": 60},
            "xAxis": {"type": "category", "data": [f"{p.held_on}\n{p.name}" for p in trend]},
            "yAxis": {"type": "value", "min": 0, "max": 100, "name": _("得分率%")},
            "series": [
                {
                    "type": "line",
                    "data": [_percent(p.score_rate) for p in trend],
                    "itemStyle": {"color": "#b83a2f"},
                }
            ],
        }
    if report.mastery:
        ordered = sorted(report.mastery, key=lambda entry: entry.mastery)
        charts["mastery"] = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 170, "right": 30, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
            "yAxis": {"type": "category", "data": [entry.name for entry in ordered]},
            "series": [
                {
                    "type": "bar",
                    "name": _("掌握度%"),
                    "data": [_percent(entry.mastery) for entry in ordered],
                    "itemStyle": {"color": "#3b6ea5"},
                }
            ],
        }
    return charts


def weak_point_reasons(report: StudentReport) -> list[tuple[str, str]]:
    """Each weak point with why it is weak: its mastery, the evidence and this exam's rate."""
    if not report.weak_points or not report.mastery:
        return []
    by_name = {entry.name: entry for entry in report.mastery}
    rates = {kp.name: kp.score_rate for kp in report.knowledge}
    reasons: list[tuple[str, str]] = []
    for name in report.weak_points:
        entry = by_name[name]
        band = entry.band_word
        if report.audience == "teacher":
            reason = _(
                "{band}：掌握度约 {mastery}（{percent}% 可信区间 {low}–{high}），依据 {n} 次作答"
            ).format(
                band=band,
                mastery=f"{entry.mastery:.0%}",
                percent=levels.CREDIBLE_PERCENT,
                low=f"{entry.level_low:.0%}",
                high=f"{entry.level_high:.0%}",
                n=entry.n_evidence,
            )
        else:
            reason = _("{band}（依据 {n} 次作答）").format(band=band, n=entry.n_evidence)
        if rates.get(name) is not None:
            reason = _("{reason}；本次考试得分率 {rate}").format(
                reason=reason, rate=f"{rates[name]:.0%}"
            )
        reasons.append((name, reason))
    return reasons


@router.get("/students/{student_id}/assessments/{assessment_id}", response_class=HTMLResponse)
def student_report_page(
    request: Request,
    student_id: int,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    copy: str | None = None,
) -> Response:
    """One student's report on one exam: the teacher's copy for staff, the family copy else."""
    student, assessment, report = _student_report(
        request, session, user, student_id, assessment_id, copy
    )
    trend = score_trend(session, student, assessment)
    mastery_state = diagnosis_service.refresh_if_stale(
        session,
        subject_code=_subject_code(session, assessment),
        request_refresh=request.app.state.jobs.request_mastery_refresh,
    )
    governance_service.audit(
        session,
        actor=user,
        action=f"student_report_view_{report.audience}",
        object_type="student",
        object_id=student_id,
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "analysis/student.html",
        {
            "report": report,
            "student_id": student_id,
            "assessment_id": assessment_id,
            "ranks": report.ranks if isinstance(report, TeacherStudentReport) else None,
            "is_staff": user.role in governance_service.STAFF_ROLES,
            "charts": student_charts(report, trend),
            "reasons": weak_point_reasons(report),
            "maths": page_text_html,
            "mastery_state": mastery_state,
        },
    )


def _subject_code(session: Session, assessment: Assessment) -> str:
    subject = session.get(Subject, assessment.subject_id)
    assert subject is not None
    return subject.code


@router.get("/students/{student_id}/assessments/{assessment_id}/report.pdf")
def student_report_pdf(
    request: Request,
    student_id: int,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    copy: str | None = None,
) -> Response:
    """The student's report as PDF (students and parents: always the family copy)."""
    from yincai.reports.student_pdf import student_report_pdf as render

    student, assessment, report = _student_report(
        request, session, user, student_id, assessment_id, copy
    )
    governance_service.audit(
        session,
        actor=user,
        action=f"student_report_pdf_{report.audience}",
        object_type="student",
        object_id=student_id,
    )
    session.commit()
    filename = f"{assessment.code}-{student.student_number}-{report.audience}.pdf"
    return _download(render(report), "application/pdf", filename)
