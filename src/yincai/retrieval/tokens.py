"""Tokens for Chinese and mixed text: jieba's search mode (words and the shorter words inside
them, e.g. 一元二次方程 → 一元, 二次, 方程, 一元二次方程), Latin words lower-cased, function words
and punctuation dropped.

jieba builds its prefix dictionary on first use (about a second, then cached in the temp folder);
one tokenizer serves the process.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache

import jieba

# Words that carry no topic in a question or a lesson note: particles, question words, pronouns.
_STOPWORD_TEXT = (
    "的 了 和 与 及 或 是 在 把 被 对 从 向 就 都 也 还 又 而 并 但 呢 吗 吧 啊 呀 哦 么 嘛 "
    "我 你 他 她 它 我们 你们 他们 这 那 这个 那个 这些 那些 这种 那种 之 其 以 为 于 中 上 下 "
    "个 些 一个 一些 有 没有 没 不 会 能 要 想 请问 请 老师 同学 什么 怎么 怎么样 怎样 如何 为什么 "
    "哪 哪些 哪个 哪里 多少 几 就是 还是 可以 应该 需要 时候 一下 知道 问 问题 题 道 这道 "
    "得 地 着 过 让 给 用 如果 那么 所以 因为 即 等 比如 例如 例 the a an of to is are"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Maths signs as the words students type for them: "根号2" must meet "√2", "a的平方" "a²"
_SIGN_WORDS = str.maketrans(
    {"√": " 根号 ", "∛": " 立方根 ", "²": " 平方 ", "³": " 立方 ", "⁻": " 负 ", "≠": " 不等于 "}
)
_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_LOCK = threading.Lock()
# Bumped whenever ``tokenize`` changes: stored tokens of another version are stale (the library
# folds it into each file's digest, so importing the same file again re-tokenises it).
TOKENS_VERSION = 2


@cache
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not ours to print
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def tokenize(text: str) -> list[str]:
    """Every search token of ``text`` in order, stopwords and punctuation dropped."""
    with _LOCK:  # jieba's lazy state is not thread-safe while it initialises
        tokenizer = _tokenizer()
    words = tokenizer.cut_for_search(text.lower().translate(_SIGN_WORDS))
    return [w for w in (word.strip() for word in words) if _is_content(w)]


def content_tokens(text: str) -> list[str]:
    """The content words of ``text`` in jieba's precise mode (no shorter words inside)."""
    with _LOCK:
        tokenizer = _tokenizer()
    words = tokenizer.lcut(text.lower())
    return [w for w in (word.strip() for word in words) if _is_content(w)]


def _is_content(word: str) -> bool:
    return bool(word) and word not in STOPWORDS and _WORD.search(word) is not None
