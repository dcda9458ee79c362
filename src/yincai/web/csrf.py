"""CSRF protection for every state-changing request (POST, PUT, PATCH, DELETE).

The token lives in the signed session cookie; a form sends it back as the field ``csrf_token``,
a script (htmx, fetch) as the header ``X-CSRF-Token``. A request without the matching token is
refused with 403 before any route runs, so routes added later are protected too.
"""

from __future__ import annotations

import hmac
import json

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yincai.i18n import _, translate
from yincai.web.denials import STATE_CSRF
from yincai.web.i18n import scope_language

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
HEADER = "x-csrf-token"
FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfMiddleware:
    """Checks the token against ``scope["session"]["csrf"]`` (set by SessionMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        expected = str(scope["session"]["csrf"])
        request = Request(scope)
        token = request.headers.get(HEADER)
        body = b""
        if token is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
            body = await _read_body(receive)
            form = await Request(scope, _replay(body)).form()
            value = form.get(FIELD)
            token = value if isinstance(value, str) else None
            await form.close()
            receive = _replay(body)
        if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
            await _refuse(scope, send)
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(scope: Scope, send: Send) -> None:
    scope.setdefault("state", {})[STATE_CSRF] = True  # audited as csrf_refused (web.denials)
    message = translate(_("请求缺少有效的安全令牌，请刷新页面后重试"), scope_language(scope))
    if str(scope.get("path", "")).startswith("/api/"):
        content = {"code": "csrf.refused", "detail": message}
        body, kind = json.dumps(content).encode(), b"application/json"
    else:
        body, kind = (
            f"<!doctype html><meta charset=utf-8><p>{message}</p>".encode(),
            b"text/html; charset=utf-8",
        )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
