"""The app served by uvicorn in a thread, started as ``yincai serve`` starts it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from yincai.app import create_app
from yincai.cli.serve import uvicorn_options
from yincai.config import Settings


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app on a free loopback port with the uvicorn options of ``yincai serve``; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = uvicorn_options(host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", **options))
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
