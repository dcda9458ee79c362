"""Errors the services raise, with a message a teacher can read and optional details.

    YincaiError
    ├── NotFound   the thing asked for does not exist (or is out of the actor's sight)
    ├── Invalid    the input is wrong; ``details`` lists each problem (e.g. import row errors)
    ├── Forbidden  the actor's role or scope does not allow it
    └── Conflict   it clashes with what is already stored
        └── NotReady   it is computed ahead of time and not computed yet (a job is due)

No HTTP here: ``web/errors.py`` maps them to status codes, the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class YincaiError(Exception):
    """Base of every error the services raise on purpose."""

    def __init__(self, message: str, *, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(YincaiError):
    pass


class Invalid(YincaiError):
    pass


class Forbidden(YincaiError):
    pass


class Conflict(YincaiError):
    pass


class NotReady(Conflict):
    pass


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: where it is and why it is wrong."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"
