"""Request-scoped dependencies: a database session per request and the logged-in account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BeforeValidator
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.accounts.api_tokens import token_account
from yincai.accounts.models import UserAccount
from yincai.accounts.sessions import session_account
from yincai.accounts.two_factor import needs_enrolment
from yincai.i18n import _


class NotAuthenticated(Exception):
    """No valid login: pages redirect to the login form, the API answers 401."""


class StepRequired(Exception):
    """The account must first change its temporary password or enrol two-factor: pages redirect
    to ``form``, the API answers 403 with ``message``."""

    def __init__(self, form: str, message: str) -> None:
        super().__init__(message)
        self.form = form
        self.message = message


PASSWORD_FORM = "/account/password"
TWO_FACTOR_FORM = "/account/two-factor"
STEP_MESSAGES = {
    PASSWORD_FORM: _("请先修改初始密码（/account/password）"),
    TWO_FACTOR_FORM: _("请先绑定两步验证（/account/two-factor）"),
}
# What an account may still open while a step is pending (besides logging out).
STEP_PATHS = {
    PASSWORD_FORM: {PASSWORD_FORM, "/api/governance/me/password", "/api/governance/me"},
    TWO_FACTOR_FORM: {TWO_FACTOR_FORM, "/api/governance/me"},
}


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _session(request: Request) -> AsyncIterator[Session]:
    # Routes commit themselves before returning; whatever is left uncommitted is rolled back here.
    # Async (no I/O until the first query, which runs in the route's thread): a sync generator
    # would cost two more trips through the thread pool on every request.
    session = Session(_engine(request), expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(_session)]


BEARER_PREFIXES = "bearer_prefixes"  # app.state: paths whose reads accept API tokens


def _bearer_account(request: Request, session: Session) -> UserAccount | None:
    """The account of an ``Authorization: Bearer`` API token, on the read-only paths the app
    opened to tokens (``app.state.bearer_prefixes``); never for writes."""
    header = request.headers.get("authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or request.method not in ("GET", "HEAD"):
        return None
    prefixes: tuple[str, ...] = getattr(request.app.state, BEARER_PREFIXES, ())
    if not request.url.path.startswith(prefixes) or not prefixes:
        return None
    account = token_account(session, token=token.strip())
    session.commit()  # last_used_at; and end the read before the route runs (see below)
    return account


def _optional_user(request: Request, session: DbSession) -> UserAccount | None:
    """The active account of this browser's live login session (one indexed read), or of an API
    token on the paths that take one."""
    token = request.session.get("sid")
    if not isinstance(token, str):
        account = _bearer_account(request, session)
        if account is not None:
            request.state.user = account
        return account
    account = session_account(session, token=token, policy=request.app.state.session_policy)
    # End the read before the route runs in another trip through the thread pool: a connection
    # held between the two would let busy requests take every pooled connection while waiting
    # for threads that are themselves waiting for a connection (a deadlock under load).
    session.commit()
    if account is None:
        request.session.pop("sid", None)
        return None
    request.state.user = account  # the templates' navigation shows the role's pages
    return account


def pending_step(request: Request, account: UserAccount) -> str | None:
    """The form of the step the account must take before anything else, if any."""
    if account.must_change_password:
        return PASSWORD_FORM
    is_required = request.app.state.settings.require_admin_two_factor
    if needs_enrolment(account, is_required=is_required):
        return TWO_FACTOR_FORM
    return None


async def _current_user(
    request: Request,
    user: Annotated[UserAccount | None, Depends(_optional_user)],
) -> UserAccount:
    if user is None:
        raise NotAuthenticated
    form = pending_step(request, user)
    if form is not None and request.url.path not in STEP_PATHS[form]:
        raise StepRequired(form, STEP_MESSAGES[form])
    return user


OptionalUser = Annotated[UserAccount | None, Depends(_optional_user)]
CurrentUser = Annotated[UserAccount, Depends(_current_user)]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# A filter of a GET form: its "all" option sends the field empty, which means no filter.
FormId = Annotated[int | None, BeforeValidator(_blank_is_none)]
