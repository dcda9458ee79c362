"""Login (password, then the TOTP code of enrolled accounts), logout, own password change and the
language switch (pages).

Every attempt, password or code, first passes the throttle (per account and per client address);
every failure leaves an audit row with ids only. A login opens a new server-side session with a
new token and CSRF token (no session fixation); logout revokes it.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.errors import Forbidden, Invalid
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.web.deps import CurrentUser, DbSession, OptionalUser, pending_step
from yincai.web.i18n import COOKIE_NAME, LANGUAGES
from yincai.web.ratelimit import Attempt, LoginRateLimiter
from yincai.web.sessions import new_csrf_token
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600
SECOND_STEP_S = 5 * 60  # the password step is good for this long while the code is awaited
TOO_MANY = _("登录失败次数过多，请 15 分钟后再试")
WRONG_LOGIN = _("用户名或密码错误")
WRONG_CODE = _("验证码不正确")


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another host, ``//x``) → home."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/home"


def client_address(request: Request) -> str:
    """The client's address (behind a trusted proxy, the one the proxy saw)."""
    return request.client.host if request.client else "unknown"


def start_session(request: Request, session: Session, account: UserAccount) -> None:
    """Open a new server-side session for this browser with a fresh token and CSRF token,
    revoking the one it had (no session fixation)."""
    old = request.session.get("sid")
    if isinstance(old, str):
        governance_service.revoke_session(session, token=old)
    token = governance_service.open_session(
        session, account=account, policy=request.app.state.session_policy
    )
    request.session.clear()
    request.session.update(sid=token, csrf=new_csrf_token())


def _limiter(request: Request) -> LoginRateLimiter:
    limiter: LoginRateLimiter = request.app.state.login_limiter
    return limiter


def _too_many(
    request: Request, session: Session, attempt: Attempt, *, username: str, template: str
) -> Response:
    _limiter(request).refused(session, attempt)
    governance_service.record_login_refused(session, username=username, action="login_locked_out")
    session.commit()
    return templates.TemplateResponse(
        request,
        template,
        {"next": "/home", "error": TOO_MANY},
        status_code=429,
        headers={"Retry-After": str(attempt.retry_after_s)},
    )


def _logged_in(request: Request, session: Session, account: UserAccount, target: str) -> Response:
    start_session(request, session, account)
    governance_service.audit(
        session, actor=account, action="login", object_type="user_account", object_id=account.id
    )
    session.commit()
    return RedirectResponse(pending_step(request, account) or safe_next(target), status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    """The login form (already logged in → home)."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return templates.TemplateResponse(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/home",
) -> Response:
    """Check the password (argon2), throttled per account and per client address."""
    limiter = _limiter(request)
    attempt = limiter.begin(session, username=username, address=client_address(request))
    if attempt.is_refused:
        return _too_many(request, session, attempt, username=username, template="auth/login.html")
    try:
        account = governance_service.authenticate(session, username=username, password=password)
    except Forbidden:
        session.commit()  # the failure stays counted, with its audit row
        return templates.TemplateResponse(
            request,
            "auth/login.html",
            {"next": safe_next(next), "username": username, "error": WRONG_LOGIN},
            status_code=401,
        )
    if governance_service.is_enrolled(account):
        # Only the code completes the login: the account's failure stays counted until then.
        limiter.succeeded(session, attempt, is_complete=False)
        session.commit()
        request.session["mfa"] = {"uid": account.id, "at": int(time.time()), "next": next}
        return RedirectResponse("/login/two-factor", status_code=303)
    limiter.succeeded(session, attempt)
    return _logged_in(request, session, account, next)


def _waiting_account(request: Request, session: Session) -> tuple[UserAccount, str] | None:
    """The account whose password was right moments ago in this browser, and where to go."""
    pending = request.session.get("mfa")
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if int(pending.get("at", 0)) + SECOND_STEP_S < time.time():
        return None
    account = session.get(UserAccount, pending["uid"])
    if account is None or not account.is_active or not governance_service.is_enrolled(account):
        return None
    return account, str(pending.get("next", "/home"))


@router.get("/login/two-factor", response_class=HTMLResponse)
def code_form(request: Request, session: DbSession) -> Response:
    """The second login step: the 6-digit code of the authenticator app."""
    waiting = _waiting_account(request, session)
    session.commit()
    if waiting is None:
        request.session.pop("mfa", None)
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(request, "auth/code.html", {})


@router.post("/login/two-factor", response_class=HTMLResponse)
def check_code(request: Request, session: DbSession, code: Annotated[str, Form()]) -> Response:
    """Check the code, throttled like passwords (the same per-account count)."""
    waiting = _waiting_account(request, session)
    if waiting is None:
        session.commit()
        request.session.pop("mfa", None)
        return RedirectResponse("/login", status_code=303)
    account, target = waiting
    limiter = _limiter(request)
    attempt = limiter.begin(session, username=account.username, address=client_address(request))
    if attempt.is_refused:
        return _too_many(
            request, session, attempt, username=account.username, template="auth/code.html"
        )
    box: governance_service.SecretBox = request.app.state.secret_box
    try:
        is_right = governance_service.verify_code(account, box=box, code=code)
    except Invalid as exc:  # the secret key changed since enrolment
        session.rollback()
        return templates.TemplateResponse(
            request, "auth/code.html", {"error": exc.message}, status_code=409
        )
    if not is_right:
        governance_service.record_login_refused(
            session, username=account.username, action="login_wrong_totp"
        )
        session.commit()
        return templates.TemplateResponse(
            request, "auth/code.html", {"error": WRONG_CODE}, status_code=401
        )
    limiter.succeeded(session, attempt)
    return _logged_in(request, session, account, target)


@router.post("/logout")
def logout(request: Request, session: DbSession) -> RedirectResponse:
    """End the session on the server too: a copy of the cookie opens nothing any more."""
    token = request.session.get("sid")
    if isinstance(token, str):
        governance_service.revoke_session(session, token=token)
        session.commit()
    request.session.clear()
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse("/", status_code=303)


def _password_context() -> dict[str, object]:
    return {"min_length": governance_service.MIN_PASSWORD_LENGTH}


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, user: CurrentUser) -> Response:
    """The form to change one's own password."""
    return templates.TemplateResponse(request, "auth/password.html", _password_context())


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    old_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    new_password_again: Annotated[str, Form()],
) -> Response:
    """Change one's own password; every other session of the account ends."""
    try:
        if new_password != new_password_again:
            raise Invalid(_("两次输入的新密码不一致"), code="password.mismatch")
        account = governance_service.change_password(
            session, actor=user, old_password=old_password, new_password=new_password
        )
    except (Forbidden, Invalid) as exc:
        session.rollback()
        status = 403 if isinstance(exc, Forbidden) else 422
        return templates.TemplateResponse(
            request,
            "auth/password.html",
            {**_password_context(), "error": exc.message},
            status_code=status,
        )
    start_session(request, session, account)
    session.commit()
    return templates.TemplateResponse(
        request,
        "auth/password.html",
        {**_password_context(), "is_done": True, "next_step": pending_step(request, user)},
    )


@router.get("/lang/{language}")
def switch_language(language: str, next: str | None = None) -> RedirectResponse:
    """Remember the interface language (zh or en) in a cookie."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE_NAME, language, max_age=LANGUAGE_COOKIE_MAX_AGE_S, httponly=True, samesite="lax"
        )
    return response
