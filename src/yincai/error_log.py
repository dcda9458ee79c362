"""Unexpected errors: a short message with an error id for the user, the traceback for the operator.

The traceback goes to ``<data_dir>/errors.log`` (mode 600: only the service account reads it),
without local variables and with personal data patterns redacted; the terminal or the page shows
only the message, so no roster value is ever printed.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from yincai.i18n import _
from yincai.redaction import redact

LOG_FILE_MODE = 0o600
_DISK_FULL_TEXTS = ("disk is full", "no space left", "could not extend file")

logger = logging.getLogger("yincai.errors")


@dataclass(frozen=True)
class ErrorReport:
    """What the user is told about one unexpected error."""

    error_id: str
    is_disk_full: bool
    log_path: Path | None  # None: the log could not be written either

    @property
    def message(self) -> str:
        if self.log_path:
            where = _("详情已记入 {path}").format(path=str(self.log_path))
        else:
            where = _("详情未能写入日志")
        if self.is_disk_full:
            message = _(
                "磁盘空间已满，操作未完成（错误编号 {error_id}）。请清理磁盘后重试；{where}。"
            )
        else:
            message = _(
                "出现意外错误，操作未完成（错误编号 {error_id}）。"
                "{where}，请把错误编号告诉系统管理员。"
            )
        return message.format(error_id=self.error_id, where=where)


def report_unexpected_error(error: BaseException, *, log_path: Path, where: str) -> ErrorReport:
    """Log ``error`` (traceback without locals, redacted) under a new id and say what to tell."""
    error_id = secrets.token_hex(4)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(traceback.format_exception(error))
    written: Path | None = log_path
    try:
        append_private(log_path, f"{stamp} error {error_id} in {where}\n{redact(text)}\n")
    except OSError:
        written = None
    logger.error("unexpected error %s in %s (%s)", error_id, where, type(error).__name__)
    return ErrorReport(error_id, is_disk_full(error), written)


def append_private(path: Path, text: str) -> None:
    """Append to a file that only its owner may read (created with, or reset to, mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
    try:
        os.fchmod(descriptor, LOG_FILE_MODE)
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` or one of its causes says the disk is full."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return True
        if any(text in str(current).lower() for text in _DISK_FULL_TEXTS):
            return True
        current = current.__cause__ or current.__context__
    return False
