"""Personal data kept out of logs: a filter that blanks phone, ID-card, student and other long
numbers and e-mail addresses in every log record, its message and its traceback.

Names cannot be recognised by a pattern, so the rest is prevention: SQL parameters are never
logged (``hide_parameters`` in ``yincai.db``), tracebacks are printed without local variables
(``yincai.cli_support``), and services write ids, never names, into log and audit messages.

The filter is installed as part of the log record factory, so it reaches every record of every
logger and every handler, including handlers added later (uvicorn's, pytest's): a filter on a
logger does not see records of its child loggers, and one on a handler misses later handlers.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any

REDACTED = "[已隐去]"
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
PATTERNS = {
    "id_card": r"\d{17}[\dXx]|\d{15}",  # 居民身份证号 (18 digits, or 15 before 1999)
    "mobile": r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}",
    "landline": r"0\d{2,3}-\d{7,8}",
    "long_number": r"[A-Za-z]{0,3}\d{6,}",  # student and staff numbers, e.g. 2025001, W20260001
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
}
_PERSONAL = re.compile(
    "|".join(f"{_EDGE_BEFORE}(?:{pattern}){_EDGE_AFTER}" for pattern in PATTERNS.values())
)


def redact(text: str) -> str:
    """``text`` with every phone, ID-card, student or other long number and e-mail blanked."""
    return _PERSONAL.sub(REDACTED, text)


class PersonalDataFilter(logging.Filter):
    """Redacts a record in place (message, traceback, stack); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_message(record)
        if record.exc_info and record.exc_info[0] is not None:
            # Formatted now, without locals; the exception object is dropped so that no handler
            # can render it again with its frames' variables.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError, KeyError):  # a malformed format: keep its parts apart
        return f"{record.msg} {record.args}"


def _redact_message(record: logging.LogRecord) -> None:
    message = _message(record)
    if redact(message) == message:
        return
    # Redact the arguments one by one where possible: some formatters (uvicorn's access log)
    # read them by position. When that is not enough (a number passed to %d), the message is
    # formatted and redacted as a whole.
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_argument(argument) for argument in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {key: _redact_argument(value) for key, value in record.args.items()}
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    after = _message(record)
    if redact(after) != after or after == message:
        record.msg, record.args = redact(message), ()


def _redact_argument(argument: object) -> object:
    if isinstance(argument, str):
        return redact(argument)
    if argument is None or isinstance(argument, int | float):
        return argument  # left for the whole-message fallback: %d needs a number
    text = str(argument)
    return redact(text) if redact(text) != text else argument


_FILTER = PersonalDataFilter()


def install_redaction() -> None:
    """Redact every log record from now on, in this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacts_personal_data", False):
        return

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _FILTER.filter(record)
        return record

    make_record.redacts_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
