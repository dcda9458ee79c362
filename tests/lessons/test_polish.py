"""The lesson plan's model polish: the identity without a model; with one (a loopback server),
its rewording is kept only when every number of the draft survives, else the draft's text."""

from __future__ import annotations

from pathlib import Path

from tests.assistant.fake_model import completion, fake_model
from yincai.config import Settings
from yincai.lessons.plan import identity
from yincai.lessons.polish import INSTRUCTIONS, polisher

DRAFT = "全班 42 人中 17 人需要巩固，平均掌握水平 0.56；常见错误是把 -3 的绝对值写成 -3。"
REWORDED = "全班 42 人里有 17 人仍需巩固（平均掌握水平 0.56），常见错误：把 -3 的绝对值写成 -3。"


def test_without_a_model_the_draft_stays_as_it_is(tmp_path: Path) -> None:
    assert polisher(Settings(data_dir=tmp_path)) is identity


def test_a_rewording_that_keeps_every_number_is_used(tmp_path: Path) -> None:
    with fake_model() as model:
        model.answer = lambda _payload: (200, completion(REWORDED))
        polish = polisher(Settings(data_dir=tmp_path, llm_url=model.url, llm_model="m"))
        assert polish(DRAFT) == REWORDED
    (payload,) = model.payloads
    assert payload["messages"] == [
        {"role": "system", "content": INSTRUCTIONS},
        {"role": "user", "content": DRAFT},
    ]


def test_a_changed_number_or_a_failing_model_keeps_the_draft(tmp_path: Path) -> None:
    with fake_model() as model:
        settings = Settings(data_dir=tmp_path, llm_url=model.url, llm_model="m")
        model.answer = lambda _payload: (200, completion(REWORDED.replace("17", "18")))
        assert polisher(settings)(DRAFT) == DRAFT
        model.answer = lambda _payload: (200, completion(REWORDED.replace("0.56", "")))
        assert polisher(settings)(DRAFT) == DRAFT
        model.answer = lambda _payload: (500, b"{}")
        assert polisher(settings)(DRAFT) == DRAFT
    assert len(model.payloads) == 3
