"""A small OpenAI-compatible chat server on the loopback address, for the language-model path:
it records every request's payload and headers and answers what the test tells it to."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Payload = dict[str, Any]


def completion(content: str) -> bytes:
    return json.dumps(
        {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        },
        ensure_ascii=False,
    ).encode()


@dataclass
class FakeModel:
    """The server's address and what it saw; ``answer(payload)`` gives (status, body)."""

    url: str
    payloads: list[Payload] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answer: Callable[[Payload], tuple[int, bytes]] = lambda _payload: (200, completion("好的。"))
    delay_seconds: float = 0.0

    def user_text(self) -> str:
        """What every request sent besides the fixed instructions, as one text."""
        return "\n".join(
            m["content"] for p in self.payloads for m in p["messages"] if m["role"] != "system"
        )


@contextmanager
def fake_model() -> Iterator[FakeModel]:
    model = FakeModel(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length))
            model.payloads.append(payload)
            model.headers.append(dict(self.headers))
            if model.delay_seconds:
                time.sleep(model.delay_seconds)
            status, body = (
                model.answer(payload) if self.path == "/v1/chat/completions" else (404, b"{}")
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass  # no request lines in the test output

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    model.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield model
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
