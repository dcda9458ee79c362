"""How a report writes its figures, one rule for every surface: the print templates (``pdf``) and
the web pages that show the same report register these as Jinja2 filters, so a page and its PDF
read alike figure for figure. Undefined figures read as an em dash."""

from __future__ import annotations

DASH = "—"


def number(value: float | None, digits: int = 1) -> str:
    """A figure for a table (a mean: 71.3)."""
    return DASH if value is None else f"{value:.{digits}f}"


def points(value: float | None) -> str:
    """A score without trailing zeros (12, 7.5)."""
    return DASH if value is None else f"{value:g}"


def percent(value: float | None, digits: int = 1) -> str:
    """A share as a percentage (0.5 → 50.0%)."""
    return DASH if value is None else f"{100 * value:.{digits}f}%"


def signed(value: float | None, digits: int = 2) -> str:
    """A figure around zero with its sign (a mean standard score: +0.12, -0.30)."""
    return DASH if value is None else f"{value:+.{digits}f}"


FILTERS = {"number": number, "points": points, "percent": percent, "signed": signed}
