"""A small client of the OpenAI-compatible chat API (``POST {url}/chat/completions``), which
Ollama, vLLM, llama.cpp's server and the cloud providers all speak.

Standard library only (``urllib``): one request, a timeout, no retries — the assistant falls back
to its extractive answer when the model does not answer in time. What is sent must already be
free of personal data (``assistant.personal``); the key goes in the Authorization header and is
never logged.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

MAX_REPLY_BYTES = 1_000_000  # a chat answer is a few kilobytes; more is a misconfigured endpoint
TEMPERATURE = 0.2  # grounded answers: little invention


class ModelUnavailable(Exception):
    """The model did not answer usably (unreachable, timed out, an error status, bad JSON)."""


@dataclass(frozen=True)
class ChatModel:
    """Where the model is: base URL (``…/v1``), model name, optional bearer key, timeout."""

    url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 30.0

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/chat/completions"

    def chat(self, messages: list[dict[str, str]]) -> str:
        """The model's reply to ``messages`` (``{"role", "content"}``), or ModelUnavailable."""
        body = json.dumps(
            {
                "model": self.model,
                "messages": messages,
                "temperature": TEMPERATURE,
                "stream": False,
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
        try:
            with _opener(urllib.parse.urlsplit(self.endpoint).hostname or "").open(
                request, timeout=self.timeout_seconds
            ) as response:
                raw = response.read(MAX_REPLY_BYTES + 1)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as problem:
            # HTTPError is a URLError; the reason names the status, never the key
            raise ModelUnavailable(type(problem).__name__) from None
        if len(raw) > MAX_REPLY_BYTES:
            raise ModelUnavailable("reply too long")
        return _content(raw)


def _opener(host: str) -> urllib.request.OpenerDirector:
    """Proxies from the environment, except for a model on this machine (a proxy would see the
    questions, and could not reach the loopback address anyway)."""
    if host in ("localhost", "::1") or host.startswith("127."):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _content(raw: bytes) -> str:
    try:
        reply: Any = json.loads(raw)
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ModelUnavailable("not a chat completion") from None
    if not isinstance(content, str) or not content.strip():
        raise ModelUnavailable("empty reply")
    return content.strip()
