"""Signed session cookies: a small JSON payload, HMAC-SHA256 signed, HttpOnly, SameSite=Lax.

The payload holds the CSRF token, the random token of the login session (``sid``; the session
itself lives on the server, see ``accounts.sessions``), while a second login step is pending
the account waiting for its code (``mfa``), and an expiry. Nothing personal is stored. The cookie
has no Max-Age, so it ends with the browser (shared computers in school rooms); it is ``Secure``
when the request came over HTTPS (directly or through a trusted proxy) or when configured.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "yincai_session"
MAX_AGE_S = 8 * 3600  # one school day; the server-side session has its own limits


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Signs and verifies session payloads with one secret key."""

    def __init__(self, secret_key: str, *, max_age_s: int = MAX_AGE_S) -> None:
        self._key = hashlib.sha256(b"yincai-session:" + secret_key.encode()).digest()
        self.max_age_s = max_age_s

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def dumps(self, data: dict[str, Any]) -> str:
        body = _b64(json.dumps({**data, "exp": int(time.time()) + self.max_age_s}).encode())
        return f"{body}.{self._sign(body)}"

    def loads(self, cookie: str | None) -> dict[str, Any]:
        """The payload, or an empty dict if the cookie is missing, forged or expired."""
        if not cookie or "." not in cookie:
            return {}
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return {}
        try:
            data = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return {}
        if not isinstance(data, dict) or int(data.pop("exp", 0)) < time.time():
            return {}
        return data


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


class SessionMiddleware:
    """Loads ``scope["session"]`` (always with a CSRF token) and writes the cookie back when it
    changed; an anonymous visitor gets a session too, so the login form carries a token."""

    def __init__(self, app: ASGIApp, *, codec: SessionCodec, always_secure: bool = False) -> None:
        self.app = app
        self.codec = codec
        self.always_secure = always_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loaded = self.codec.loads(HTTPConnection(scope).cookies.get(COOKIE_NAME))
        session = dict(loaded)
        session.setdefault("csrf", new_csrf_token())
        scope["session"] = session
        is_static = str(scope.get("path", "")).startswith("/static/")
        is_secure = self.always_secure or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and not is_static and session != loaded:
                parts = [
                    f"{COOKIE_NAME}={self.codec.dumps(session)}",
                    "Path=/",
                    "HttpOnly",
                    "SameSite=Lax",
                ]
                if is_secure:
                    parts.append("Secure")
                MutableHeaders(scope=message).append("set-cookie", "; ".join(parts))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
