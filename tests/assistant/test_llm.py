"""The OpenAI-compatible client against a server on the loopback address: the request it sends,
and every way a model can fail to answer (each one ModelUnavailable, never another error)."""

from __future__ import annotations

import socket

import pytest

from tests.assistant.fake_model import completion, fake_model
from yincai.assistant.llm import ChatModel, ModelUnavailable


def test_the_chat_request_carries_model_messages_and_key_and_the_reply_is_read() -> None:
    with fake_model() as server:
        server.answer = lambda _payload: (200, completion(" 绝对值是距离 [1]。 "))
        model = ChatModel(
            url=server.url, model="qwen-test", api_key="secret-key", timeout_seconds=5
        )
        reply = model.chat([{"role": "user", "content": "什么是绝对值"}])
    assert reply == "绝对值是距离 [1]。"
    (payload,) = server.payloads
    assert payload["model"] == "qwen-test"
    assert payload["messages"] == [{"role": "user", "content": "什么是绝对值"}]
    assert payload["stream"] is False
    assert server.headers[0]["Authorization"] == "Bearer secret-key"


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b'{"error": "overloaded"}'), (200, b"not json"), (200, b'{"choices": []}'),
     (200, completion("   "))],
)  # fmt: skip
def test_an_error_status_or_a_malformed_reply_is_model_unavailable(
    status: int, body: bytes
) -> None:
    with fake_model() as server:
        server.answer = lambda _payload: (status, body)
        with pytest.raises(ModelUnavailable):
            ChatModel(url=server.url, model="m", timeout_seconds=5).chat(
                [{"role": "user", "content": "?"}]
            )


def test_a_slow_model_times_out() -> None:
    with fake_model() as server:
        server.delay_seconds = 1.0
        with pytest.raises(ModelUnavailable):
            ChatModel(url=server.url, model="m", timeout_seconds=0.2).chat(
                [{"role": "user", "content": "?"}]
            )


def test_a_closed_port_is_model_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ModelUnavailable):
        ChatModel(url=f"http://127.0.0.1:{port}/v1", model="m", timeout_seconds=2).chat(
            [{"role": "user", "content": "?"}]
        )
