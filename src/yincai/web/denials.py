"""Every refused request leaves an audit row: who, which object, which route (ids only).

``DenialAuditMiddleware`` watches the status of each answer; on a 403 — a service's Forbidden,
a scope check, a page that refuses, or the CSRF middleware inside it — it writes
``access_denied`` (or ``csrf_refused``) after the answer has gone out, in a session of its own.
The object comes from the scope check when it named one (``OutOfScope``), else from the route's
path parameters, else it is the route itself. The route is kept as its template
(``/students/{student_id}``), never the filled-in URL. The row is written by the audit trail's
``record_denial``, which the application hands the middleware (governance sits above the web
plumbing).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yincai.accounts.models import UserAccount
from yincai.accounts.sessions import SessionPolicy, session_account

DENIED = 403
STATE_DENIED = "denied_object"  # scope["state"] key: (object_type, object_id) from the handler
STATE_CSRF = "csrf_refused"  # scope["state"] key set by the CSRF middleware
PARAMETER_OBJECTS = {  # path parameter → the object type it names
    "school_id": "school",
    "school_class_id": "school_class",
    "student_id": "student",
    "assessment_id": "assessment",
    "user_account_id": "user_account",
}
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_log = logging.getLogger(__name__)


class RecordDenial(Protocol):
    """Writes one refusal's audit row (``governance.service.record_denial``)."""

    def __call__(
        self,
        session: Session,
        *,
        actor: UserAccount | None,
        action: str,
        object_type: str,
        object_id: int | str,
        path: str | None,
    ) -> object: ...


@dataclass(frozen=True)
class Denial:
    action: str
    object_type: str
    object_id: str
    path: str | None
    user_account_id: int | None
    session_token: str | None = None  # refused before login was resolved (CSRF): find the actor


class DenialAuditMiddleware:
    """Audits every 403 answer of the app it wraps (placed outside the CSRF middleware)."""

    def __init__(self, app: ASGIApp, *, record_denial: RecordDenial) -> None:
        self.app = app
        self.record_denial = record_denial

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})  # shared with the request, so the handlers' notes show
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == DENIED:
            denial = describe(scope)
            state = scope["app"].state
            await to_thread.run_sync(
                record, state.engine, denial, self.record_denial, state.session_policy
            )


def describe(scope: Scope) -> Denial:
    """What was refused, from what the request left in its scope."""
    state: dict[str, Any] = scope.get("state") or {}
    route = scope.get("route")
    path: str | None = getattr(route, "path", None)
    params: dict[str, Any] = dict(scope.get("path_params") or {})
    if path is None:  # refused before routing (CSRF): find the route the request was for
        path, params, route = _match(scope)
    user = state.get("user")
    user_account_id = user.id if isinstance(user, UserAccount) else None
    token = (scope.get("session") or {}).get("sid")
    object_type, object_id = state.get(STATE_DENIED) or _object_of(params, route)
    action = "csrf_refused" if state.get(STATE_CSRF) else "access_denied"
    return Denial(
        action,
        object_type,
        str(object_id),
        path,
        user_account_id,
        token if user_account_id is None and isinstance(token, str) else None,
    )


def _object_of(params: dict[str, Any], route: Any) -> tuple[str, str]:
    for name, value in params.items():
        if name in PARAMETER_OBJECTS and _ID.fullmatch(str(value)):
            return PARAMETER_OBJECTS[name], str(value)
    route_name = str(getattr(route, "name", None) or "-")
    return "route", route_name if _ID.fullmatch(route_name) else "-"


def _routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Route):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers whole
            context = getattr(route, "include_context", None)
            inner = prefix + str(getattr(context, "prefix", "") or "")
            yield from _routes(route.original_router.routes, inner)


def _match(scope: Scope) -> tuple[str | None, dict[str, Any], Route | None]:
    app = scope.get("app")
    if app is None:
        return None, {}, None
    for template, route in _routes(app.router.routes):
        if scope.get("method") not in (route.methods or ()):
            continue
        pattern, _format, _convertors = compile_path(template)
        found = pattern.match(scope.get("path", ""))
        if found:
            return template, found.groupdict(), route
    return None, {}, None


def _session_actor(
    session: Session, token: str | None, policy: SessionPolicy
) -> UserAccount | None:
    """The account of a live login session (a request refused before its login was read)."""
    if token is None:
        return None
    return session_account(session, token=token, policy=policy)


def record(
    engine: Engine,
    denial: Denial,
    record_denial: RecordDenial,
    policy: SessionPolicy | None = None,
) -> None:
    """Write the refusal's audit row (a failure to write is logged, never shown to the user)."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            actor = (
                session.get(UserAccount, denial.user_account_id)
                if denial.user_account_id is not None
                else _session_actor(session, denial.session_token, policy or SessionPolicy())
            )
            record_denial(
                session,
                actor=actor,
                action=denial.action,
                object_type=denial.object_type,
                object_id=denial.object_id if _ID.fullmatch(denial.object_id) else "-",
                path=denial.path,
            )
            session.commit()
    except Exception:
        _log.exception("could not audit a refused request")
