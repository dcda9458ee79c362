"""What the language model is told, and how its reply is read back.

The model sees the numbered passages the library found and the question, both through the
personal-data filter, and is told to answer only from the passages, cite them as ``[n]`` and
reply with ``NOT_COVERED`` when they do not answer the question. In student mode it is told to
give hints and guiding questions only; the item's answer is never in the prompt, and the reply
is checked for it all the same (``student_mode.withhold_key``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yincai.assistant.maths import WorkedSolution
from yincai.library.search import Found

NOT_COVERED = "NOT_COVERED"
MAX_PASSAGE_CHARS = 1200  # a passage is cut near a screen's length on import; this bounds it
_CITATION = re.compile(r"\[(\d{1,2})\]")

SYSTEM = (
    "你是一所中学的 AI 助教，只根据下面编号的资料回答问题。"
    "规则：1. 只使用资料中的内容，不编造；2. 每个用到资料的句子后用 [编号] 注明出处，如 [1]；"
    f"3. 如果资料不能回答这个问题，只回复 {NOT_COVERED}；4. 用简体中文，简洁清楚；"
    "5. 数学式用 $…$ 包围的 LaTeX 书写。"
)
SYSTEM_HINTS = (
    "你是一所中学的 AI 学伴。学生问的是他当前作业中的一道题。"
    "规则：1. 绝对不要给出答案、最终结果或正确选项，也不要替学生完成解题过程；"
    "2. 只给 2–4 条提示和引导性问题，帮助学生自己想出来；"
    "3. 可以引用下面编号的资料，用 [编号] 注明出处；4. 用简体中文。"
)


def messages(
    question: str,
    passages: list[Found],
    *,
    scrub: Callable[[str], str],
    worked: WorkedSolution | None = None,
    is_hints: bool = False,
    about: str | None = None,
) -> list[dict[str, str]]:
    """The chat messages for one question (everything passed through ``scrub`` first)."""
    parts = ["资料："]
    for number, found in enumerate(passages, start=1):
        text = found.text[:MAX_PASSAGE_CHARS]
        parts.append(f"[{number}] {found.chunk.title} › {found.chunk.heading}\n{text}")
    if not passages:
        parts.append("（没有找到资料）")
    if worked is not None and not is_hints:
        parts.append(
            "已由计算机代数系统计算并检验的结果（可直接采用）：\n"
            + "\n".join(str(step) for step in worked.steps)
        )
    if about:
        parts.append(about)
    parts.append(f"问题：{question}")
    return [
        {"role": "system", "content": SYSTEM_HINTS if is_hints else SYSTEM},
        {"role": "user", "content": scrub("\n\n".join(parts))},
    ]


def is_not_covered(reply: str) -> bool:
    """The model said the passages do not answer the question."""
    return NOT_COVERED in reply.upper().replace(" ", "_")[:200]


def cited(reply: str, n_passages: int) -> list[int]:
    """The passage numbers the reply cites (1-based, in order of first citation)."""
    numbers = [int(m.group(1)) for m in _CITATION.finditer(reply)]
    return list(dict.fromkeys(n for n in numbers if 1 <= n <= n_passages))


def strip_unknown_citations(reply: str, n_passages: int) -> str:
    """The reply without citations of passages it was not given."""
    return _CITATION.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_passages else "", reply)
