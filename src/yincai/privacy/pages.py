"""Privacy pages: a parent's consent and copy of their child's data; staff record paper consent
forms; admins download a student's data. Every view, change and download is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from yincai.accounts.models import Role
from yincai.consent.models import ConsentPurpose
from yincai.consent.service import METHOD_NAMES, PURPOSE_NAMES
from yincai.domain.models import Student
from yincai.errors import Invalid
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.privacy import service
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/privacy", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def privacy_home(
    request: Request, session: DbSession, user: CurrentUser, student_number: str | None = None
) -> Response:
    """A parent goes to their child's page; staff find a student of theirs by number."""
    if user.role is Role.PARENT and user.student_id is not None:
        return RedirectResponse(f"/privacy/students/{user.student_id}", status_code=303)
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    error = None
    if student_number:
        found = session.scalar(
            select(Student.id).where(
                Student.student_number == student_number.strip(),
                Student.id.in_(governance_service.visible_student_ids(user)),
            )
        )
        if found is not None:
            return RedirectResponse(f"/privacy/students/{found}", status_code=303)
        error = _("您的权限范围内没有这个学号。")
    return templates.TemplateResponse(
        request, "privacy/index.html", {"error": error}, status_code=404 if error else 200
    )


@router.get("/students/{student_id}", response_class=HTMLResponse)
def student_privacy(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's consents and the download of their data (parent and staff in scope)."""
    state = service.consent_state(
        session, actor=user, student_id=student_id, today=datetime.now(UTC).date()
    )
    session.commit()  # the audit row of the view
    return templates.TemplateResponse(
        request,
        "privacy/student.html",
        {"state": state, "purpose_names": PURPOSE_NAMES, "method_names": METHOD_NAMES},
    )


@router.post("/students/{student_id}/consent")
def change_consent(
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    purpose: Annotated[ConsentPurpose, Form()],
    action: Annotated[str, Form()],
) -> RedirectResponse:
    """Give (a parent online, staff from a paper form) or withdraw consent to one purpose."""
    if action == "give":
        service.give_consent(session, actor=user, student_id=student_id, purpose=purpose)
    elif action == "withdraw":
        service.withdraw_consent(session, actor=user, student_id=student_id, purpose=purpose)
    else:
        raise Invalid(
            _("未知操作 {action}").format(action=f"{action!r}"), code="privacy.unknown_action"
        )
    session.commit()
    return RedirectResponse(f"/privacy/students/{student_id}", status_code=303)


@router.get("/students/{student_id}/export.zip")
def export_zip(student_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Everything held about the student, as a ZIP (the parent, or an admin in scope)."""
    export = service.export_for(session, actor=user, student_id=student_id)
    session.commit()  # the audit row of the download
    return Response(
        export.data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.file_name}"',
            "Cache-Control": "no-store",
        },
    )
