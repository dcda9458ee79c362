"""Request-scoped dependencies: a database session per request and the logged-in account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.governance.models import UserAccount
from yincai.web.sessions import SessionCodec


class NotAuthenticated(Exception):
    """No valid login: pages redirect to the login form, the API answers 401."""


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


def _optional_user(request: Request, session: DbSession) -> UserAccount | None:
    """The active account of this session, if its password has not changed since login."""
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    account = session.get(UserAccount, user_id)
    # End the read before the route runs in another trip through the thread pool: a connection
    # held between the two would let busy requests take every pooled connection while waiting
    # for threads that are themselves waiting for a connection (a deadlock under load).
    session.commit()
    codec: SessionCodec = request.app.state.session_codec
    if (
        account is None
        or not account.is_active
        or request.session.get("ver") != codec.fingerprint(account.password_hash)
    ):
        request.session.pop("uid", None)
        request.session.pop("ver", None)
        return None
    request.state.user = account  # the templates' navigation shows the role's pages
    return account


async def _current_user(
    user: Annotated[UserAccount | None, Depends(_optional_user)],
) -> UserAccount:
    if user is None:
        raise NotAuthenticated
    return user


OptionalUser = Annotated[UserAccount | None, Depends(_optional_user)]
CurrentUser = Annotated[UserAccount, Depends(_current_user)]
