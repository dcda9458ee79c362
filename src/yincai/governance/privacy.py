"""Pseudonymised exports: stable tokens instead of student numbers, and small-cell suppression.

A published table of counts comes with its row totals, column totals and grand total. A cell under
the minimum group size is hidden (primary suppression); a line (a row, a column, or the totals
row/column) in which exactly one entry is hidden would let anyone recover it by subtraction, so
the next smallest entry of that line is hidden too (complementary suppression), until no line
has exactly one hidden entry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

PSEUDONYM_HEX_DIGITS = 16  # 64 bits: collisions stay negligible at district scale (≤ 10⁶ students)


def pseudonymise(student_number: str, secret: str) -> str:
    """A stable token for one student number under one secret (HMAC-SHA256), e.g. ``S-3f9c…``."""
    if not secret:
        raise ValueError(
            "secret must not be empty: an unkeyed hash of a student number is reversible"
        )
    digest = hmac.new(secret.encode(), student_number.encode(), hashlib.sha256).hexdigest()
    return f"S-{digest[:PSEUDONYM_HEX_DIGITS]}"


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts ready to publish; None marks a hidden entry."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


def suppress_small_cells(rows: Sequence[Sequence[int]], min_size: int = 10) -> SuppressedTable:
    """Hide counts below ``min_size`` and enough others that no hidden count follows from totals.

    ``rows`` is a rectangular table of non-negative counts (groups × categories); a one-column
    table is a list of groups. Zero cells are not hidden on their own (they reveal no person),
    but they may be hidden as complements.
    """
    table = [list(row) for row in rows]
    n_columns = len(table[0]) if table else 0
    if any(len(row) != n_columns for row in table):
        raise ValueError("rows must all have the same length")
    if any(count < 0 for row in table for count in row):
        raise ValueError("counts must be non-negative")
    if min_size < 1:
        raise ValueError(f"min_size must be at least 1, got {min_size}")
    n_rows = len(table)
    # Every entry of the published table as (kind, i, j) → value; totals are entries too.
    values: dict[tuple[str, int, int], int] = {}
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            values["cell", i, j] = count
        values["row_total", i, 0] = sum(row)
    for j in range(n_columns):
        values["column_total", 0, j] = sum(row[j] for row in table)
    values["total", 0, 0] = sum(map(sum, table))
    lines = [
        [("cell", i, j) for j in range(n_columns)] + [("row_total", i, 0)] for i in range(n_rows)
    ]
    lines += [
        [("cell", i, j) for i in range(n_rows)] + [("column_total", 0, j)] for j in range(n_columns)
    ]
    lines.append([("row_total", i, 0) for i in range(n_rows)] + [("total", 0, 0)])
    lines.append([("column_total", 0, j) for j in range(n_columns)] + [("total", 0, 0)])
    hidden = {key for key, count in values.items() if 0 < count < min_size}
    changed = True
    while changed:
        changed = False
        for line in lines:
            open_entries = [key for key in line if key not in hidden]
            if len(line) - len(open_entries) != 1 or not open_entries:
                continue
            # Prefer a cell over a total, a non-zero count over zero, then the smallest.
            hidden.add(
                min(
                    open_entries,
                    key=lambda key: (key[0] != "cell", values[key] == 0, values[key], key),
                )
            )
            changed = True

    def shown(key: tuple[str, int, int]) -> int | None:
        return None if key in hidden else values[key]

    return SuppressedTable(
        cells=[[shown(("cell", i, j)) for j in range(n_columns)] for i in range(n_rows)],
        row_totals=[shown(("row_total", i, 0)) for i in range(n_rows)],
        column_totals=[shown(("column_total", 0, j)) for j in range(n_columns)],
        total=shown(("total", 0, 0)),
    )
