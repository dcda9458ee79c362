"""Errors the services raise: a stable code, a message a teacher can read, optional details.

    YincaiError
    ├── NotFound   the thing asked for does not exist (or is out of the actor's sight)
    ├── Invalid    the input is wrong; ``details`` lists each problem (e.g. import row errors)
    ├── Forbidden  the actor's role or scope does not allow it
    └── Conflict   it clashes with what is already stored
        └── NotReady   it is computed ahead of time and not computed yet (a job is due)

The code (``assessment.not_found``) is what clients and tests compare; the message is a
``yincai.i18n.Message`` in Chinese whose named parameters are the error's parameters, translated
once, at the edge, into the reader's language (``text_in``). No HTTP here: ``web/errors.py`` maps
the classes to status codes and answers ``{code, detail, errors}``, the CLI prints the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from yincai.i18n import _, translate


class YincaiError(Exception):
    """Base of every error the services raise on purpose."""

    default_code: ClassVar[str] = "error"

    def __init__(
        self, message: str, *, code: str | None = None, details: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details or []

    @property
    def params(self) -> dict[str, Any]:
        """The named values of the message (a student number, a file name …)."""
        return dict(getattr(self.message, "params", {}))

    def text_in(self, language: str) -> str:
        """The message in ``language``."""
        return str(translate(self.message, language))

    def details_in(self, language: str) -> list[str]:
        """Each detail (a row error, a problem) in ``language``."""
        return [
            str(translate(d.message if isinstance(d, RowError) else d, language))
            for d in self.details
        ]


class NotFound(YincaiError):
    default_code = "not_found"


class Invalid(YincaiError):
    default_code = "invalid"


class Forbidden(YincaiError):
    default_code = "forbidden"


class Conflict(YincaiError):
    default_code = "conflict"


class NotReady(Conflict):
    default_code = "not_ready"


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: where it is and why it is wrong."""

    file: str
    row: int
    column: str
    reason: str  # a Message where the importer wrote one, so it is translated where shown

    @property
    def message(self) -> str:
        """Where and why, as one translatable sentence."""
        if self.column:
            return _("{file} 第 {row} 行，{column} 列：{reason}").format(
                file=self.file, row=self.row, column=self.column, reason=self.reason
            )
        return _("{file} 第 {row} 行：{reason}").format(
            file=self.file, row=self.row, reason=self.reason
        )

    def __str__(self) -> str:
        return str(self.message)


def reason_of(problem: Exception) -> str:
    """What a parser's ValueError says, still translatable when it was raised with a message."""
    first = problem.args[0] if problem.args else ""
    return first if isinstance(first, str) else str(problem)
