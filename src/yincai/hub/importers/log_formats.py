"""Readers of the learning-log formats, each turning a file into checked ``Attempt``s."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from yincai.attempt_logs import LONG_COLUMNS, find_long_layout, read_long_log
from yincai.errors import Invalid, RowError, reason_of
from yincai.hub.importers.parsing import CHINA_TIME, parse_bool, parse_number, parse_timestamp
from yincai.hub.importers.tabular import (
    Table,
    decode_text,
    has_columns,
    known_headers_of,
    match_columns,
    read_table,
)
from yincai.i18n import _

LOG_COLUMNS = {
    "student_number": ("学号", "student_number", "student_id", "user_id"),
    "item": ("题目", "item", "item_code", "题目编码", "question"),
    "skill": ("知识点", "skill", "kp", "knowledge_point"),
    "correct": ("正确", "correct", "是否正确", "is_correct"),
    "score": ("得分", "score"),
    "full_score": ("满分", "full_score", "max_score"),
    "timestamp": ("时间", "timestamp", "作答时间", "time", "occurred_at"),
    "assignment": ("作业编号", "assignment", "assessment_code", "homework"),
}
ANSWER_VERBS = ("answered", "completed")
KT_START = datetime(2024, 9, 1, 8, 0, tzinfo=CHINA_TIME)  # the default first attempt of kt logs
KT_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Attempt:
    """One attempt as read, with where to point errors about it."""

    file: str
    row: int
    student_column: str
    activity_column: str
    student_number: str
    activity: str
    bare_id: str  # the activity without a source prefix, used to find items and kps
    skill: str | None
    is_correct: bool | None
    score: float | None  # scaled to [0, 1]
    occurred_at: datetime  # UTC
    assignment: str | None = None  # the code of the homework it answers (CSV column 作业编号)
    assignment_column: str = ""


def read_csv_log(
    path: Path, data: bytes, errors: list[RowError], *, start_at: datetime | None = None
) -> list[Attempt]:
    """Attempts of a CSV (or XLSX) log, one per row; or, for a log with an order column and no
    time column (the pyBKT and ASSISTments layouts), as ``read_long_layout`` reads it."""
    table = read_table(path, data, known_headers=known_headers_of(LOG_COLUMNS, LONG_COLUMNS))
    long_columns = find_long_layout(table.header)
    if long_columns is not None and not has_columns(table, LOG_COLUMNS["timestamp"]):
        return read_long_layout(table, long_columns, start_at, errors)
    required = ("student_number", "timestamp")
    columns = match_columns(table, LOG_COLUMNS, required=required, errors=errors)
    for one_of in (("item", "skill"), ("correct", "score")):
        if not any(name in columns for name in one_of):
            names = "/".join(LOG_COLUMNS[one_of[0]][0] + "|" + LOG_COLUMNS[one_of[1]][0])
            errors.append(RowError(table.file_name, 1, names, _("缺少必需的列")))
    if errors:
        return []
    header = {name: table.header[index] for name, index in columns.items()}
    activity_field = "item" if "item" in columns else "skill"
    attempts = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        before = len(errors)
        cell = {name: cells[index] for name, index in columns.items()}

        def error(name: str, reason: str, number: int = number) -> None:
            errors.append(RowError(table.file_name, number, header[name], reason))

        for name in ("student_number", "timestamp", activity_field):
            if not cell[name]:
                error(name, _("不能为空"))
        moment = _parsed(parse_timestamp, cell["timestamp"], "timestamp", error)
        is_correct = _parsed(parse_bool, cell.get("correct", ""), "correct", error)
        raw = _parsed(parse_number, cell.get("score", ""), "score", error)
        full = _parsed(parse_number, cell.get("full_score", ""), "full_score", error)
        score = _scaled(raw, full, lambda reason: error("score", reason))
        if is_correct is None and score is None and len(errors) == before:
            error("correct" if "correct" in columns else "score", _("没有作答结果"))
        if len(errors) > before or moment is None:
            continue
        activity = cell[activity_field]
        attempt = _attempt(
            table.file_name,
            number,
            header["student_number"],
            header[activity_field],
            cell["student_number"],
            activity,
            activity,
            cell.get("skill") or None,
            is_correct,
            score,
            moment,
        )
        if cell.get("assignment"):
            attempt = replace(
                attempt, assignment=cell["assignment"], assignment_column=header["assignment"]
            )
        attempts.append(attempt)
    return attempts


def read_long_layout(
    table: Table, columns: dict[str, int], start_at: datetime | None, errors: list[RowError]
) -> list[Attempt]:
    """Attempts of a long layout (see ``yincai.attempt_logs``). Without times, a student's i-th
    attempt (by the order column) happens ``start_at`` + i minutes, as in the kt format. An
    attempt on a problem (``problem_id``) is one event on it; without a problem column, an
    attempt on several skills is one event per skill."""
    log = read_long_log(
        table.file_name, table.header, zip(table.row_numbers, table.rows, strict=True), columns
    )
    errors.extend(log.problems)
    start = (start_at or KT_START).astimezone(UTC)
    user_column = log.columns["user"]
    attempts = []
    for attempt in log.attempts:
        moment = start + attempt.rank * KT_STEP
        skill = attempt.skills[0] if attempt.skills else None
        if attempt.item is not None:
            activities = [(log.columns["item"], attempt.item, skill)]
        else:
            activities = [(log.columns["skill"], name, name) for name in attempt.skills]
        for column, activity, known_skill in activities:
            attempts.append(
                _attempt(
                    table.file_name,
                    attempt.row,
                    user_column,
                    column,
                    attempt.user,
                    activity,
                    activity,
                    known_skill,
                    attempt.is_correct,
                    None,
                    moment,
                )
            )
    return attempts


def read_xapi_log(path: Path, data: bytes, errors: list[RowError]) -> list[Attempt]:
    """Attempts of xAPI statements; other verbs (launched, viewed …) are skipped."""
    try:
        document = json.loads(decode_text(data))
    except json.JSONDecodeError as problem:
        raise Invalid(
            _("{file}：不是 JSON（{problem}）").format(file=path.name, problem=str(problem)),
            code="import.not_json",
        ) from None
    statements = document.get("statements") if isinstance(document, dict) else document
    if not isinstance(statements, list):
        raise Invalid(
            _("{file}：应为 xAPI 语句列表").format(file=path.name), code="import.not_xapi"
        )
    attempts = []
    for number, statement in enumerate(statements, start=1):
        before = len(errors)

        def error(name: str, reason: str, number: int = number) -> None:
            errors.append(RowError(path.name, number, name, reason))

        if not isinstance(statement, dict):
            error("", _("应为对象"))
            continue
        verb = str(_get(statement, "verb", "id") or "")
        if not verb.rstrip("/").endswith(ANSWER_VERBS):
            continue
        student_number = _actor(statement)
        if not student_number:
            error("actor", "缺少学号（actor.account.name 或 mbox）/ no student number")
        object_id = str(_get(statement, "object", "id") or "").rstrip("/")
        activity = object_id.replace("#", "/").rsplit("/", 1)[-1]
        if not activity:
            error("object.id", _("缺少题目"))
        moment = _parsed(parse_timestamp, str(statement.get("timestamp") or ""), "timestamp", error)
        if not statement.get("timestamp"):
            error("timestamp", _("缺少时间"))
        success = _get(statement, "result", "success")
        is_correct = success if isinstance(success, bool) else None
        score = _xapi_score(_get(statement, "result", "score"), error)
        if is_correct is None and score is None and len(errors) == before:
            error("result", _("没有作答结果"))
        if len(errors) > before or moment is None:
            continue
        attempts.append(
            _attempt(
                path.name,
                number,
                "actor",
                "object.id",
                student_number,
                activity,
                activity,
                None,
                is_correct,
                score,
                moment,
            )
        )
    return attempts


def read_kt_log(
    path: Path,
    data: bytes,
    source: str,
    students_path: Path | None,
    students_data: bytes,
    start_at: datetime | None,
    errors: list[RowError],
) -> list[Attempt]:
    """Attempts of the three-line format, sequence k belonging to the k-th listed student."""
    if students_path is None:
        raise Invalid(
            _("kt 格式需要学号名单文件（--students）"), code="import.kt_students_required"
        )
    students = [line.strip() for line in decode_text(students_data).splitlines() if line.strip()]
    lines = decode_text(data).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) % 3:
        errors.append(RowError(path.name, len(lines), "", _("行数不是 3 的倍数")))
    start = (start_at or KT_START).astimezone(UTC)
    attempts = []
    for sequence, first in enumerate(range(0, len(lines) - len(lines) % 3, 3)):
        count_text, ids_text, answers_text = (lines[first + offset].strip() for offset in range(3))
        count_text = count_text.rstrip(",").strip()  # DKT-style files end every line with a comma
        ids = [part.strip() for part in ids_text.split(",") if part.strip()]
        answers = [part.strip() for part in answers_text.split(",") if part.strip()]
        if sequence >= len(students):
            reason = _("学号名单只有 {n} 个，少于序列数").format(n=len(students))
            errors.append(RowError(path.name, first + 1, "students", reason))
            break
        if not count_text.isdigit() or int(count_text) != len(ids) or len(ids) != len(answers):
            reason = _("作答数 {count}、题目数 {n_items}、答案数 {n_answers} 不符").format(
                count=count_text, n_items=len(ids), n_answers=len(answers)
            )
            errors.append(RowError(path.name, first + 1, "count", reason))
            continue
        bad = [answer for answer in answers if answer not in ("0", "1")]
        if bad:
            errors.append(RowError(path.name, first + 3, "answers", f"答案应为 0 或 1：{bad[0]}"))
            continue
        for step, (bare_id, answer) in enumerate(zip(ids, answers, strict=True)):
            attempts.append(
                _attempt(
                    path.name,
                    first + 2,
                    "students",
                    "ids",
                    students[sequence],
                    f"{source}:{bare_id}",
                    bare_id,
                    None,
                    answer == "1",
                    None,
                    start + step * KT_STEP,
                )
            )
    return attempts


def _attempt(
    file: str,
    row: int,
    student_column: str,
    activity_column: str,
    student_number: str,
    activity: str,
    bare_id: str,
    skill: str | None,
    is_correct: bool | None,
    score: float | None,
    moment: datetime,
) -> Attempt:
    if score is None and is_correct is not None:
        score = 1.0 if is_correct else 0.0
    if is_correct is None and score is not None:
        is_correct = score >= 1.0
    return Attempt(
        file,
        row,
        student_column,
        activity_column,
        student_number,
        activity[:120],
        bare_id,
        skill,
        is_correct,
        score,
        moment,
    )


def _scaled(raw: float | None, full: float | None, error: Any) -> float | None:
    if raw is None:
        return None
    if full is not None:
        if full <= 0:
            error(_("满分须大于 0"))
            return None
        raw = raw / full
    if not 0 <= raw <= 1:
        error("得分应在 0 与满分之间（无满分列时为 0–1）/ score out of range")
        return None
    return raw


def _xapi_score(score: Any, error: Any) -> float | None:
    if not isinstance(score, dict):
        return None
    if isinstance(score.get("scaled"), int | float):
        return _scaled(float(score["scaled"]), None, lambda reason: error("result.score", reason))
    raw, full = score.get("raw"), score.get("max")
    if isinstance(raw, int | float) and isinstance(full, int | float):
        return _scaled(float(raw), float(full), lambda reason: error("result.score", reason))
    return None


def _actor(statement: dict[str, Any]) -> str:
    name = _get(statement, "actor", "account", "name")
    if name:
        return str(name).strip()
    mbox = str(_get(statement, "actor", "mbox") or "")
    return mbox.removeprefix("mailto:").split("@", 1)[0].strip()


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _parsed(parse: Any, text: str, name: str, error: Any) -> Any:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as problem:
        error(name, reason_of(problem))
        return None
