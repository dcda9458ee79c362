"""Request body limits, enforced before a body is buffered: the outermost middleware.

A declared ``Content-Length`` above the limit is refused at once with 413, without reading a
byte; a body sent in chunks is counted as it arrives and cut off the moment it passes the
limit. Import uploads, library uploads and scanned sheets get ``max_upload_mb``; every other
request (login, forms, JSON) ``max_request_kb``, so an anonymous 100 MB ``POST /login`` costs
nothing.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yincai.i18n import SOURCE_LANGUAGE, _, translate
from yincai.web.i18n import scope_language

UPLOAD_PATHS = ("/imports/preview", "/library/upload")
UPLOAD_PATH_PATTERN = re.compile(r"/assessments/\d+/scans")  # scanned answer sheets


class BodyTooLarge(HTTPException):
    """The body passed its limit while it was being received (a route's parser answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_message(limit))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, upload_bytes: int, request_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.request_bytes = request_bytes

    def _limit(self, path: str) -> int:
        is_upload = path in UPLOAD_PATHS or UPLOAD_PATH_PATTERN.fullmatch(path) is not None
        return self.upload_bytes if is_upload else self.request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(str(scope.get("path", "")))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched_send)
        except BodyTooLarge:
            if not started:
                await _refuse(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _message(limit: int, language: str = SOURCE_LANGUAGE) -> str:
    size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
    message = _("请求内容超过 {size} 的上限，已拒绝；请拆分文件后再上传").format(size=size)
    return str(translate(message, language))


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    language = scope_language(scope)
    message = _message(limit, language)
    if str(scope.get("path", "")).startswith("/api/"):
        content = {"code": "request.too_large", "detail": message}
        body, kind = json.dumps(content).encode(), b"application/json"
    else:
        html_lang = "en" if language == "en" else "zh-CN"
        title, back = (translate(text, language) for text in (_("文件过大"), _("返回")))
        body = (
            f"<!doctype html><html lang={html_lang}><meta charset=utf-8><title>{title}</title>"
            f"<p>{message}</p><p><a href=/imports>{back}</a></p>"
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
