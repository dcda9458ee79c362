"""Two-factor enrolment for admins: a QR code (SVG drawn on the server, no script, no CDN) of a
fresh secret, confirmed by a first code from the authenticator app."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from yincai.accounts.models import UserAccount
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession, pending_step
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
QR_SCALE = 4
NO_STORE = {"Cache-Control": "no-store"}  # the page shows the secret while enrolment is pending
NEEDS_KEY = _("需要先配置 YINCAI_SECRET_KEY 才能启用两步验证")


def _page(
    request: Request,
    user: UserAccount,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if user.role not in governance_service.ADMIN_ROLES:
        raise Forbidden(_("两步验证目前只用于管理员账号"), code="two_factor.admins_only")
    context: dict[str, object] = {
        "is_enrolled": governance_service.is_enrolled(user),
        "can_enrol": request.app.state.settings.has_secret_key(),
        "needs_key": NEEDS_KEY,
        "error": error,
        "next_step": pending_step(request, user),
    }
    try:
        secret = governance_service.pending_secret(user, request.app.state.secret_box)
    except Invalid as exc:  # sealed with an older key: starting again draws a new secret
        secret, context["error"] = None, exc.message
    if secret is not None:
        uri = governance_service.provisioning_uri(user, secret)
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(scale=QR_SCALE)
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return templates.TemplateResponse(
        request, "auth/two_factor.html", context, status_code=status_code, headers=NO_STORE
    )


@router.get("/account/two-factor", response_class=HTMLResponse)
def two_factor(request: Request, user: CurrentUser) -> Response:
    return _page(request, user)


@router.post("/account/two-factor", response_class=HTMLResponse)
def enrol(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    code: Annotated[str | None, Form()] = None,
) -> Response:
    """Start an enrolment (no code) or confirm it with the app's first code."""
    if not request.app.state.settings.has_secret_key():
        return _page(request, user, error=NEEDS_KEY, status_code=409)
    box = request.app.state.secret_box
    try:
        if code is None:
            governance_service.begin_enrolment(session, actor=user, box=box)
        else:
            governance_service.confirm_enrolment(session, actor=user, box=box, code=code)
            governance_service.audit(
                session,
                actor=user,
                action="two_factor_enable",
                object_type="user_account",
                object_id=user.id,
            )
    except (Invalid, Conflict) as exc:
        session.rollback()
        return _page(request, user, error=exc.message, status_code=422)
    session.commit()
    return _page(request, user)
