"""The app served by uvicorn on a free loopback port, in a thread: one event loop, as in
production (two TestClients would each drive the app from a loop of their own)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import uvicorn

from tests.governance.world import PASSWORD
from yincai.app import create_app
from yincai.config import Settings

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def http_login(base: str, username: str, password: str = PASSWORD) -> tuple[httpx2.Client, str]:
    """A client logged in over HTTP, and the CSRF token of its session."""
    client = httpx2.Client(base_url=base, timeout=120)
    match = TOKEN.search(client.get("/login").text)
    assert match
    done = client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": match.group(1)})  # fmt: skip
    assert done.status_code in (200, 303), done.text
    page = client.get("/account/password")
    token = TOKEN.search(page.text)
    assert token, page.text[:200]
    return client, token.group(1)
