"""Who may see which report, and the audit row of every view, download and API read.

Exam reports are for staff within their scope: the district report for district admins, a
school's for its admins, a class's for whoever sees the class. Student reports are for staff of
the student and, as the family copy only, for the student and their parent. The system
(``SystemActor``: the CLI, benchmarks) sees every report and is audited as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.analysis.details import ExamDetails
from yincai.analysis.exam import ExamReport, ReportScope
from yincai.analysis.transcript import TranscriptRow
from yincai.domain.models import Assessment, AssessmentClass, School, SchoolClass, Student
from yincai.errors import Forbidden, NotFound
from yincai.governance import service as governance_service
from yincai.i18n import _


@dataclass(frozen=True)
class ScopeOption:
    """One scope the actor may switch the report to."""

    label: str
    query: str  # the query string that selects it
    is_current: bool


ExamSurface = Literal["view", "xlsx", "pdf", "api", "cli"]
DetailsSurface = Literal["transcript", "lines", "review", "classes", "xlsx", "pdf"]
DETAILS_ACTIONS: dict[str, str] = {
    "transcript": "exam_transcript_view",
    "lines": "exam_lines_view",
    "review": "exam_review_view",
    "classes": "exam_classes_view",
    "xlsx": "exam_report_xlsx",
    "pdf": "exam_report_pdf",
}
StudentSurface = Literal["view", "pdf", "api", "cli"]
Copy = Literal["teacher", "family"]


def is_staff(actor: governance_service.Actor) -> bool:
    """Staff (and the system) may read the teacher's copy; students and parents the family's."""
    return not isinstance(actor, UserAccount) or actor.role in governance_service.STAFF_ROLES


def default_scope(
    session: Session,
    actor: governance_service.Actor,
    assessment: Assessment,
    school_id: int | None,
    school_class_id: int | None,
) -> ReportScope:
    """The scope asked for, else the actor's own: district, own school, first own class."""
    if school_class_id is not None:
        school_class = session.get(SchoolClass, school_class_id)
        if school_class is None:
            raise NotFound(
                _("班级 {id} 不存在").format(id=school_class_id), code="school_class.not_found"
            )
        return ReportScope("class", school_class.school_id, school_class_id)
    if school_id is not None:
        return ReportScope("school", school_id)
    if not isinstance(actor, UserAccount) or actor.role is Role.DISTRICT_ADMIN:
        return ReportScope()
    if actor.role is Role.SCHOOL_ADMIN:
        return ReportScope("school", actor.school_id)
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, assessment_id=assessment.id)
    found = session.execute(
        select(SchoolClass.id, SchoolClass.school_id)
        .join(AssessmentClass, AssessmentClass.school_class_id == SchoolClass.id)
        .where(
            AssessmentClass.assessment_id == assessment.id,
            SchoolClass.id.in_(governance_service.visible_class_ids(actor)),
        )
        .order_by(SchoolClass.name, SchoolClass.id)
    ).first()
    if found is None:
        raise Forbidden(_("您任教的班级未参加此考试"), code="assessment.no_class_of_yours")
    return ReportScope("class", found[1], found[0])


def require_exam_scope(
    session: Session, actor: governance_service.Actor, assessment: Assessment, scope: ReportScope
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


def require_student_scope(
    session: Session,
    actor: governance_service.Actor,
    student_id: int,
    assessment_id: int,
    audience: Copy,
) -> None:
    """The student must be in sight; students and parents only ever get the family copy."""
    governance_service.require_scope(
        session, actor=actor, student_id=student_id, assessment_id=assessment_id
    )
    if audience == "teacher" and not is_staff(actor):
        raise Forbidden(_("教师版报告仅供教师查看"), code="report.staff_only")


def named_students(report: ExamReport, *, with_movers: bool = True) -> list[str]:
    """The numbers of the students a surface of the report names: absentees, and the biggest
    risers and fallers where it shows them (page, API, CLI; the workbook and PDF list absentees
    only)."""
    numbers = [absentee.student_number for absentee in report.absentees]
    if with_movers and report.progress is not None:
        movers = report.progress.risers + report.progress.fallers
        numbers += [mover.student_number for mover in movers]
    return numbers


def audit_exam(
    session: Session,
    actor: governance_service.Actor,
    report: ExamReport,
    surface: ExamSurface,
    assessment: Assessment,
) -> None:
    """Audit a view or download of an exam report, with the students it names (one query)."""
    match surface:
        case "view":
            action = "exam_report_view"
        case "xlsx":
            action = "exam_report_xlsx"
        case "pdf":
            action = "exam_report_pdf"
        case "api":
            action = "exam_report_api"
        case "cli":
            action = "exam_report_cli"
    student_numbers = named_students(report, with_movers=surface in ("view", "api", "cli"))
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
        actor=actor,
        action=action,
        object_type="exam_report",
        object_id=f"{assessment.id}:{target}",
        student_ids=student_ids,
    )


def _target(scope: ReportScope) -> str:
    return {
        "district": "district",
        "school": f"school:{scope.school_id}",
        "class": f"class:{scope.school_class_id}",
    }[scope.kind]


def audit_details(
    session: Session,
    actor: governance_service.Actor,
    report: ExamReport,
    details: ExamDetails,
    surface: DetailsSurface,
    assessment: Assessment,
    shown: list[TranscriptRow],
) -> None:
    """Audit a section page or a download of the report with its details, naming the students
    it shows: the 成绩单 rows on the page, the 临界生, everyone behind the 试卷讲评's answers (a
    class), the whole 成绩单 in the workbook, the absentees in the PDF."""
    student_ids: set[int] = set()
    if surface == "transcript":
        student_ids.update(row.student_id for row in shown)
    elif surface == "lines":
        for group in details.borderline.groups:
            student_ids.update(s.student_id for s in group.below + group.above)
    elif surface == "review" and details.has_names:
        student_ids.update(row.student_id for row in details.transcript.rows if not row.is_absent)
    elif surface == "xlsx":
        student_ids.update(details.student_ids)
    if surface in ("xlsx", "pdf") and report.absentees:
        numbers = named_students(report, with_movers=False)
        student_ids.update(
            session.scalars(
                select(Student.id).where(
                    Student.district_id == assessment.district_id,
                    Student.student_number.in_(numbers),
                )
            ).all()
        )
    governance_service.audit(
        session,
        actor=actor,
        action=DETAILS_ACTIONS[surface],
        object_type="exam_report",
        object_id=f"{assessment.id}:{_target(report.scope)}",
        student_ids=sorted(student_ids),
    )


def audit_student(
    session: Session,
    actor: governance_service.Actor,
    student_id: int,
    surface: StudentSurface,
    audience: Copy,
) -> None:
    """Audit a view, download or API read of one student's report (one row)."""
    match surface:
        case "view":
            action = f"student_report_view_{audience}"
        case "pdf":
            action = f"student_report_pdf_{audience}"
        case "api":
            action = f"student_report_api_{audience}"
        case "cli":
            action = f"student_report_cli_{audience}"
    governance_service.audit(
        session, actor=actor, action=action, object_type="student", object_id=student_id
    )


def scope_options(
    session: Session, *, actor: UserAccount, assessment_id: int, current: ReportScope
) -> list[ScopeOption]:
    """The district, schools and classes that sat the exam and that the actor may see."""
    options: list[ScopeOption] = []
    if actor.role is Role.DISTRICT_ADMIN:
        options.append(ScopeOption("全区", "", current.kind == "district"))
    rows = session.execute(
        select(School.id, School.name, SchoolClass.id, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .join(AssessmentClass, AssessmentClass.school_class_id == SchoolClass.id)
        .where(
            AssessmentClass.assessment_id == assessment_id,
            SchoolClass.id.in_(governance_service.visible_class_ids(actor)),
        )
        .order_by(School.code, SchoolClass.name)
    ).all()
    schools_seen: set[int] = set()
    can_see_schools = actor.role in governance_service.ADMIN_ROLES
    for school_id, school_name, class_id, class_name in rows:
        if can_see_schools and school_id not in schools_seen:
            schools_seen.add(school_id)
            is_current = current.kind == "school" and current.school_id == school_id
            options.append(ScopeOption(school_name, f"school_id={school_id}", is_current))
        is_current = current.kind == "class" and current.school_class_id == class_id
        label = f"{school_name} {class_name}"
        options.append(ScopeOption(label, f"school_class_id={class_id}", is_current))
    return options


def linked_students(
    session: Session, *, actor: governance_service.Actor, assessment_id: int, report: ExamReport
) -> dict[str, int]:
    """Number → id of the risers and fallers the report names that the actor may open (others
    stay unlinked)."""
    movers = [] if report.progress is None else report.progress.risers + report.progress.fallers
    numbers = [mover.student_number for mover in movers]
    if not numbers:
        return {}
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("考试 {id} 不存在").format(id=assessment_id), code="assessment.not_found")
    district_id = assessment.district_id
    rows = session.execute(
        select(Student.student_number, Student.id).where(
            Student.district_id == district_id,
            Student.student_number.in_(numbers),
            Student.id.in_(governance_service.visible_student_ids(actor)),
        )
    ).all()
    return {str(number): int(student_id) for number, student_id in rows}
