"""Who may import what, and the audit of every import step taken on the web.

Rosters, item banks, assessments, learning logs and growth-archive records are district data:
district admins only.
Scores may be imported by teachers of the subject and class, and by admins in their scope
(``governance.require_score_editor``). Every preview, import, revert and template of named
students is audited here, so the pages only parse the upload, call these and render.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import Assessment, AssessmentKind, District
from yincai.errors import Invalid, NotFound, YincaiError
from yincai.governance import service as governance_service
from yincai.hub import import_templates
from yincai.hub.import_history import HistoryPage, import_history
from yincai.hub.import_runs import (
    KINDS,
    ImportRequest,
    preview_import,
    revert_last_import,
    run_import,
)
from yincai.hub.importers.common import ImportPlan
from yincai.hub.importers.score_diff import ScoreDiff
from yincai.hub.schemas import ImportSummary
from yincai.hub.service import class_students
from yincai.i18n import _

DISTRICT_KINDS = (
    "roster",
    "items",
    "assessment",
    "logs",
    "growth",
)  # district data: district admins


def import_kinds(actor: UserAccount) -> tuple[str, ...]:
    """The kinds of file the actor may import (staff only): everything for district admins,
    scores for other staff."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    return KINDS if actor.role is Role.DISTRICT_ADMIN else ("scores",)


def assessments_for_import(session: Session, *, actor: UserAccount) -> list[Assessment]:
    """The assessments whose scores the actor may import, newest first (the choices of a
    score import); homework is answered in logs, not score sheets, and is left out."""
    return list(
        session.scalars(
            select(Assessment)
            .where(
                Assessment.id.in_(governance_service.score_editable_assessment_ids(actor)),
                Assessment.kind != AssessmentKind.HOMEWORK,
            )
            .order_by(Assessment.held_on.desc(), Assessment.code)
        )
    )


def authorize_import(
    session: Session, *, actor: UserAccount, kind: str, assessment_code: str | None
) -> frozenset[int] | None:
    """Check that the actor may import this kind; for scores, the classes they may write
    (None: every class of the assessment)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    if kind not in KINDS:
        raise Invalid(
            _("未知的导入类型 {kind}").format(kind=f"{kind!r}"), code="import.unknown_kind"
        )
    if kind in DISTRICT_KINDS:
        governance_service.require_role(actor, Role.DISTRICT_ADMIN)
        return None
    if not assessment_code:
        raise Invalid(_("请选择考试"), code="import.assessment_required")
    assessment = _assessment(session, assessment_code)
    allowed = governance_service.require_score_editor(
        session, actor=actor, assessment_id=assessment.id
    )
    return None if actor.role is Role.DISTRICT_ADMIN else frozenset(allowed)


def import_request(
    session: Session,
    *,
    actor: UserAccount,
    kind: str,
    path: Path,
    assessment_code: str | None,
    log_format: str,
) -> ImportRequest:
    """The import of an uploaded file as the actor may make it: checked, cut to the classes they
    may write, into their own district."""
    allowed = authorize_import(session, actor=actor, kind=kind, assessment_code=assessment_code)
    district_code = session.scalar(select(District.code).where(District.id == actor.district_id))
    return ImportRequest(
        kind=kind,
        path=path,
        assessment_code=assessment_code,
        district_code=district_code,
        log_format=log_format,
        allowed_class_ids=allowed,
    )


def audit_import(
    session: Session, *, actor: UserAccount, action: str, kind: str, token: str
) -> None:
    """Audit one step of a web import (preview, rejection, commit) by its upload's token."""
    governance_service.audit(
        session, actor=actor, action=action, object_type=f"import_{kind}", object_id=token
    )


def import_history_in_scope(
    session: Session, *, actor: UserAccount, assessment_code: str | None, page: int
) -> HistoryPage:
    """Every confirmed import in the actor's scope, newest first (staff; district data for
    district admins only)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    return import_history(
        session,
        assessment_ids=governance_service.visible_assessment_ids(actor),
        with_district_data=actor.role is Role.DISTRICT_ADMIN,
        assessment_code=assessment_code,
        page=page,
    )


def revert_last_import_as(
    session: Session, *, actor: UserAccount, assessment_code: str
) -> ImportSummary:
    """Undo the last import of an assessment's scores (score editors only); audited."""
    assessment = _assessment(session, assessment_code)
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment.id)
    summary = revert_last_import(
        session, assessment_code=assessment_code, user_account_id=actor.id, origin="web"
    )
    governance_service.audit(
        session,
        actor=actor,
        action="import_revert",
        object_type="assessment",
        object_id=assessment.id,
    )
    return summary


def import_template(
    session: Session, *, actor: governance_service.Actor, kind: str, assessment_code: str | None
) -> bytes:
    """An XLSX template of ``kind`` the actor may import; for a score sheet of an assessment, its
    item columns and the students of the classes the actor may write (audited: it names them;
    the system's CLI gets every class that sat it)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    if kind not in import_templates.TEMPLATE_KINDS:
        raise NotFound(
            _("没有这种模板：{kind}").format(kind=f"{kind!r}"), code="template.not_found"
        )
    if kind in DISTRICT_KINDS:
        governance_service.require_role(actor, Role.DISTRICT_ADMIN)
    if kind == "roster":
        return import_templates.roster_template()
    if kind == "items":
        return import_templates.items_template()
    if kind == "assessment":
        return import_templates.assessment_template()
    if kind == "growth":
        return import_templates.growth_template()
    if not assessment_code:
        return import_templates.scores_template()
    found = _assessment(session, assessment_code)
    allowed = governance_service.require_score_editor(session, actor=actor, assessment_id=found.id)
    students = class_students(session, class_ids=sorted(allowed))
    governance_service.audit(
        session,
        actor=actor,
        action="score_template",
        object_type="assessment",
        object_id=found.id,
    )
    return import_templates.scores_template(
        [item.label for item in found.items],
        [import_templates.StudentEntry(*student) for student in students],
        title=found.name,
    )


def _assessment(session: Session, code: str) -> Assessment:
    assessment = session.scalars(select(Assessment).where(Assessment.code == code)).first()
    if assessment is None:
        raise NotFound(_("考试 {code} 不存在").format(code=code), code="assessment.not_found")
    return assessment


def preview_upload(
    session: Session,
    *,
    actor: UserAccount,
    kind: str,
    path: Path,
    token: str,
    assessment_code: str | None,
    log_format: str,
) -> ImportPlan:
    """What importing an uploaded file would change, worked out without writing (the actor
    checked first); the preview is audited, a file refused at preview too."""
    request = import_request(
        session,
        actor=actor,
        kind=kind,
        path=path,
        assessment_code=assessment_code,
        log_format=log_format,
    )
    try:
        plan = preview_import(session, request)
    except YincaiError:
        audit_import(session, actor=actor, action="import_preview_rejected", kind=kind, token=token)
        raise
    audit_import(session, actor=actor, action="import_preview", kind=kind, token=token)
    return plan


def confirm_upload(
    session: Session,
    *,
    actor: UserAccount,
    kind: str,
    path: Path,
    token: str,
    assessment_code: str | None,
    log_format: str,
    overwrite: bool,
) -> ImportSummary:
    """Import a previewed file for real (not committed here): existing scores are overwritten
    only when ``overwrite`` says so; audited."""
    request = import_request(
        session,
        actor=actor,
        kind=kind,
        path=path,
        assessment_code=assessment_code,
        log_format=log_format,
    )
    if kind == "scores" and not overwrite:
        diff = getattr(preview_import(session, request), "diff", None)
        if isinstance(diff, ScoreDiff) and diff.overwrites:
            raise Invalid(
                _("本次导入将覆盖 {n} 名学生的已有成绩，请勾选确认后再导入").format(
                    n=diff.n_changed
                ),
                code="import.overwrite_unconfirmed",
            )
    summary = run_import(session, request, user_account_id=actor.id, origin="web")
    audit_import(session, actor=actor, action="import_commit", kind=kind, token=token)
    return summary
