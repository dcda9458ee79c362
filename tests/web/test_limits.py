"""Body limits hold before anything buffers the body: an over-size upload or an anonymous
100 MB login gets 413 with a Chinese message, whether the size is declared or streamed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx2
import pytest
from starlette.types import Message, Receive, Scope, Send

from tests.web.conftest import WorldDatabase
from tests.web.server import served
from yincai.web.limits import BodyLimitMiddleware

LIMIT = 1024


class _Recorder:
    """An app that reads the whole body (like a form parser) and records how much it got."""

    def __init__(self) -> None:
        self.received = 0
        self.was_called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.was_called = True
        while True:
            message = await receive()
            self.received += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _run(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, bytes, _Recorder]:
    app = _Recorder()
    middleware = BodyLimitMiddleware(app, upload_bytes=LIMIT * 4, request_bytes=LIMIT)
    pending = list(chunks)
    sent: list[Message] = []

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/login", "headers": headers}
    asyncio.run(middleware(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, body, app


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body() -> None:
    status, body, app = _run([(b"content-length", str(100 * 2**20).encode())], [b"x" * 10])
    assert status == 413 and "超过 1 KB 的上限" in body.decode()
    assert not app.was_called


def test_a_streamed_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    chunks = [b"x" * 600] * 50  # 30 KB sent in chunks, no length declared
    status, body, app = _run([], chunks)
    assert status == 413 and "上限" in body.decode()
    assert app.received <= LIMIT + 600  # it stopped at the chunk that passed the limit


def test_a_body_under_the_limit_goes_through_whole() -> None:
    status, body, app = _run([(b"content-length", b"900")], [b"x" * 900])
    assert (status, body, app.received) == (200, b"ok", 900)


@pytest.fixture
def base(world_db: WorldDatabase) -> Iterator[str]:
    with served(world_db.settings) as url:
        yield url


def test_an_anonymous_100_mb_login_and_an_oversize_upload_get_413_from_the_server(
    base: str,
) -> None:
    def endless() -> Iterator[bytes]:
        chunk = b"username=a&password=" + b"x" * (1 << 20)
        for _ in range(100):
            yield chunk

    with httpx2.Client(base_url=base, timeout=30) as client:
        login = client.post(
            "/login",
            content=endless(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        upload = client.post(
            "/imports/preview",
            content=b"x" * (25 * 2**20),
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        after = client.get("/login")
    assert login.status_code == 413 and "请求内容超过" in login.text
    assert upload.status_code == 413 and "20 MB" in upload.text
    assert after.status_code == 200  # the server is unharmed
