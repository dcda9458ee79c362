"""The one place a language model may reword a lesson plan's prose.

``polisher(settings)`` gives the function the drafts pass their prose sections through
(``lessons.plan.POLISHED``: objectives, 学情分析, 常见错误; never the figures table or the
items). Without a configured model it is the identity, and the draft is complete as it is, made
from the class's data by rules. A section the function changes is marked AI 润色 until a person
confirms it. To connect a model, return here a function that sends the text (which holds class
totals and curriculum text, never a student's name) to the school's approved OpenAI-compatible
endpoint and returns its answer, or the text unchanged when the call fails.
"""

from __future__ import annotations

from yincai.config import Settings
from yincai.lessons.plan import Polish, identity


def polisher(settings: Settings) -> Polish:
    """The rewording function for drafts made under ``settings`` (the identity: no model)."""
    del settings  # no language model is configured in this version
    return identity
