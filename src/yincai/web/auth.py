"""Login, logout, own password change and the language switch (pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.errors import Forbidden, Invalid
from yincai.governance import service as governance_service
from yincai.governance.models import UserAccount
from yincai.web.deps import CurrentUser, DbSession, OptionalUser
from yincai.web.i18n import COOKIE_NAME, LANGUAGES
from yincai.web.ratelimit import LoginRateLimiter
from yincai.web.sessions import SessionCodec, new_csrf_token
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another host, ``//x``) → home."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/home"


def start_session(request: Request, account: UserAccount) -> None:
    """Bind the session to the account with a fresh CSRF token (no session fixation)."""
    codec: SessionCodec = request.app.state.session_codec
    request.session.clear()
    request.session.update(
        uid=account.id, ver=codec.fingerprint(account.password_hash), csrf=new_csrf_token()
    )


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
    """Check the password (argon2), throttled per username and address."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    address = _client_address(request)
    context = {"next": safe_next(next), "username": username}
    if limiter.retry_after_s(username, address):
        return templates.TemplateResponse(
            request,
            "auth/login.html",
            {**context, "error": "登录失败次数过多，请 15 分钟后再试"},
            status_code=429,
            headers={"Retry-After": str(limiter.retry_after_s(username, address))},
        )
    try:
        account = governance_service.authenticate(session, username=username, password=password)
    except Forbidden:
        limiter.record_failure(username, address)
        return templates.TemplateResponse(
            request, "auth/login.html", {**context, "error": "用户名或密码错误"}, status_code=401
        )
    session.commit()
    limiter.reset(username, address)
    start_session(request, account)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session."""
    request.session.clear()
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse("/", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, user: CurrentUser) -> Response:
    """The form to change one's own password."""
    return templates.TemplateResponse(request, "auth/password.html", {})


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    old_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    new_password_again: Annotated[str, Form()],
) -> Response:
    """Change one's own password; other sessions of the account end."""
    try:
        if new_password != new_password_again:
            raise Invalid("两次输入的新密码不一致")
        account = governance_service.change_password(
            session, actor=user, old_password=old_password, new_password=new_password
        )
    except (Forbidden, Invalid) as exc:
        status = 403 if isinstance(exc, Forbidden) else 422
        return templates.TemplateResponse(
            request, "auth/password.html", {"error": exc.message}, status_code=status
        )
    session.commit()
    start_session(request, account)
    return templates.TemplateResponse(request, "auth/password.html", {"is_done": True})


@router.get("/lang/{language}")
def switch_language(language: str, next: str | None = None) -> RedirectResponse:
    """Remember the interface language (zh or en) in a cookie."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE_NAME, language, max_age=LANGUAGE_COOKIE_MAX_AGE_S, httponly=True, samesite="lax"
        )
    return response
