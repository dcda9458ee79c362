"""The long CSV layouts public knowledge-tracing logs come in: one row per attempt (or per skill).

Both the benchmark readers (``yincai.bench.datasets``) and the learning-log importer
(``yincai.hub.importers.log_formats``) read them here, so the two cannot drift apart.

* pyBKT: ``user_id``, ``skill_name``, ``correct``, ``order_id`` (any further columns are ignored);
* the ASSISTments exports: ``order_id``, ``user_id``, ``problem_id``, ``correct``, ``skill_id``
  (and ``skill_name``) …, where an attempt on a problem of several skills is either one row whose
  ``skill_id`` joins the ids with ``_`` (``10_13``) or one row per skill sharing the ``order_id``.

The order column orders each student's attempts (numerically); rows of one student with the same
order are one attempt, and must agree on its correctness. An attempt keeps its skills in the order
they are listed, each once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from yincai.errors import RowError
from yincai.i18n import _

# role → header aliases, the preferred first (ASSISTments has both skill_id and skill_name)
LONG_COLUMNS: dict[str, tuple[str, ...]] = {
    "user": ("user_id", "学号", "student_id", "studentId", "Anon Student Id"),
    "skill": ("skill_id", "skill_name", "skill", "知识点", "KC(Default)"),
    "correct": ("correct", "正确", "是否正确", "Correct First Attempt"),
    "order": ("order_id", "作答顺序", "problem_log_id", "log_id", "action_num", "Row"),
    "item": ("problem_id", "题目", "item"),
}
TRUE_TEXTS = frozenset({"1", "1.0", "true"})
FALSE_TEXTS = frozenset({"0", "0.0", "false"})
_NOISE = re.compile(r"[\s_\-]+")


def _normal(header: str) -> str:
    return _NOISE.sub("", header).lower()


def find_long_layout(header: Sequence[str]) -> dict[str, int] | None:
    """Role → column index when ``header`` is a long layout (user, correct, order and a skill or
    an item column), else None. Of several aliases of one role the earliest listed wins."""
    at = {_normal(text): index for index, text in reversed(list(enumerate(header)))}
    columns: dict[str, int] = {}
    for role, aliases in LONG_COLUMNS.items():
        found = [at[_normal(alias)] for alias in aliases if _normal(alias) in at]
        if found:
            columns[role] = found[0]
    if {"user", "correct", "order"} <= columns.keys() and columns.keys() & {"skill", "item"}:
        return columns
    return None


@dataclass(frozen=True)
class LongAttempt:
    """One attempt: ``rank`` is its 0-based place among the student's attempts."""

    row: int  # the file row of its first line (the header is row 1)
    user: str
    rank: int
    skills: tuple[str, ...]
    item: str | None
    is_correct: bool


@dataclass
class LongLog:
    """The attempts of one file, student by student (in order of first appearance), each in
    order; ``problems`` lists every row that could not be read (then ``attempts`` is empty)."""

    file: str
    columns: dict[str, str]  # role → the header text, for errors
    attempts: list[LongAttempt] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)


def split_skills(text: str) -> tuple[str, ...]:
    """ASSISTments joins the ids of a multi-skill problem with ``_``: ``10_13`` → (10, 13)."""
    parts = [part.strip() for part in text.split("_")]
    if len(parts) > 1 and all(part.isdigit() for part in parts):
        return tuple(dict.fromkeys(parts))
    return (text,) if text else ()


def read_long_log(
    file: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    columns: dict[str, int] | None = None,
) -> LongLog:
    """Check every (row number, cells) of a long layout and gather them into attempts."""
    columns = columns if columns is not None else find_long_layout(header)
    if columns is None:
        names = "/".join(LONG_COLUMNS[role][0] for role in ("user", "skill", "correct", "order"))
        return LongLog(file, {}, problems=[RowError(file, 1, names, _("缺少必需的列"))])
    log = LongLog(file, {role: header[index] for role, index in columns.items()})
    groups: dict[tuple[str, str], _Group] = {}  # (user, order text) → the attempt's rows
    for number, cells in rows:
        if not any(text.strip() for text in cells):
            continue  # a blank line
        cell = {role: (cells[i].strip() if i < len(cells) else "") for role, i in columns.items()}
        before = len(log.problems)

        def problem(role: str, reason: str, number: int = number) -> None:
            log.problems.append(RowError(file, number, log.columns[role], reason))

        for role in ("user", "order", "correct"):
            if not cell[role]:
                problem(role, _("不能为空"))
        skills = split_skills(cell.get("skill", ""))
        item = cell.get("item") or None
        if not skills and item is None:
            problem("skill" if "skill" in columns else "item", _("不能为空"))
        order = _number(cell["order"])
        if cell["order"] and order is None:
            problem("order", _("“{text}”不是数字").format(text=cell["order"]))
        correct = cell["correct"].lower()
        if correct and correct not in TRUE_TEXTS | FALSE_TEXTS:
            problem("correct", _("应为 0 或 1"))
        if len(log.problems) > before or order is None:
            continue
        is_correct = correct in TRUE_TEXTS
        group = groups.get((cell["user"], cell["order"]))
        if group is None:
            groups[cell["user"], cell["order"]] = _Group(
                number, order, is_correct, list(skills), item
            )
        elif group.is_correct != is_correct or group.item not in (None, item or group.item):
            reason = _("与第 {row} 行是同一次作答，但内容不同").format(row=group.row)
            problem("correct" if group.is_correct != is_correct else "item", reason)
        else:
            group.skills.extend(skill for skill in skills if skill not in group.skills)
            group.item = group.item or item
    if log.problems:
        return log
    by_user: dict[str, list[_Group]] = {}
    for (user, _order), group in groups.items():
        by_user.setdefault(user, []).append(group)
    for user, attempts in by_user.items():
        attempts.sort(key=lambda group: (group.order, group.row))
        log.attempts.extend(
            LongAttempt(group.row, user, rank, tuple(group.skills), group.item, group.is_correct)
            for rank, group in enumerate(attempts)
        )
    return log


@dataclass
class _Group:
    """The rows of one attempt as they are read."""

    row: int
    order: float
    is_correct: bool
    skills: list[str]
    item: str | None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN orders nothing
