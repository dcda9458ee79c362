"""The one place a language model may reword a lesson plan's prose.

``polisher(settings)`` gives the function the drafts pass their prose sections through
(``lessons.plan.POLISHED``: objectives, 学情分析, 常见错误; never the figures table or the
items). Without a configured model (``YINCAI_LLM_URL`` / ``_MODEL``, the assistant's) it is the
identity, and the draft is complete as it is, made from the class's data by rules. With one,
the text (class totals and curriculum text, never a student's name) is sent to the school's
OpenAI-compatible endpoint; its rewording is kept only if it keeps every number of the draft,
else the draft's own text stays (as it does when the model fails). A section the function
changes is marked AI 润色 until a person confirms it.
"""

from __future__ import annotations

import re

from yincai.assistant import service as assistant_service
from yincai.assistant.llm import ChatModel, ModelUnavailable
from yincai.config import Settings
from yincai.lessons.plan import Polish, identity

INSTRUCTIONS = (
    "你是一位中学教研员。请润色下面这段教案文字，使其通顺、简洁、适合教师阅读。"
    "保留所有数字、百分比、知识点名称和题目内容，不要添加原文没有的事实或数字，"
    "不要加标题或说明，只输出润色后的文字。"
)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def polisher(settings: Settings) -> Polish:
    """The rewording function for drafts made under ``settings`` (the identity: no model)."""
    model = assistant_service.model_of(settings)
    if model is None:
        return identity
    return lambda text: reworded(model, text)


def reworded(model: ChatModel, text: str) -> str:
    """The model's rewording of ``text``, or ``text`` itself when the model fails or its
    rewording drops or invents a number (a figure of the class must never change)."""
    if not text.strip():
        return text
    try:
        reply = model.chat(
            [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": text}]
        )
    except ModelUnavailable:
        return text
    if sorted(NUMBER.findall(reply)) != sorted(NUMBER.findall(text)):
        return text
    return reply.strip()
