"""Small-cell suppression against an attacker who solves the published table as linear equations.

The attack here is independent of the implementation: it writes the published table (cells, row
totals, column totals, grand total) as equations over non-negative unknowns, fixes every
published entry, and asks a linear programme for the least and greatest value of each hidden one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from yincai.governance.suppression import SuppressedTable, suppress_small_cells

ISSUE_TABLE = [[12, 0, 10, 10], [2, 10, 3, 10], [2, 12, 20, 0], [2, 8, 10, 20]]
Key = tuple[str, int, int]


def _entries(rows: list[list[int]]) -> dict[Key, int]:
    """The true table with its totals, keyed like the published one."""
    truth: dict[Key, int] = {}
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            truth["cell", i, j] = value
        truth["row_total", i, 0] = sum(row)
    for j in range(len(rows[0])):
        truth["column_total", 0, j] = sum(row[j] for row in rows)
    truth["total", 0, 0] = sum(map(sum, rows))
    return truth


def _published(table: SuppressedTable) -> dict[Key, int | None]:
    shown: dict[Key, int | None] = {}
    for i, row in enumerate(table.cells):
        for j, value in enumerate(row):
            shown["cell", i, j] = value
        shown["row_total", i, 0] = table.row_totals[i]
    for j, value in enumerate(table.column_totals):
        shown["column_total", 0, j] = value
    shown["total", 0, 0] = table.total
    return shown


def attack(table: SuppressedTable) -> dict[Key, tuple[float, float]]:
    """For every hidden entry, its least and greatest value consistent with what is published."""
    shown = _published(table)
    keys = list(shown)
    position = {key: n for n, key in enumerate(keys)}
    n_rows, n_columns = len(table.cells), len(table.column_totals)
    # Each equation: the parts on the left add up to the total on the right.
    equations: list[tuple[list[Key], Key]] = [
        ([("cell", i, j) for j in range(n_columns)], ("row_total", i, 0)) for i in range(n_rows)
    ]
    equations += [
        ([("cell", i, j) for i in range(n_rows)], ("column_total", 0, j)) for j in range(n_columns)
    ]
    equations.append(([("row_total", i, 0) for i in range(n_rows)], ("total", 0, 0)))
    equations.append(([("column_total", 0, j) for j in range(n_columns)], ("total", 0, 0)))
    matrix = np.zeros((len(equations), len(keys)))
    for row, (parts, total) in enumerate(equations):
        for part in parts:
            matrix[row, position[part]] = 1.0
        matrix[row, position[total]] = -1.0
    bounds = [(0, None) if shown[key] is None else (shown[key], shown[key]) for key in keys]
    ranges = {}
    for key in keys:
        if shown[key] is not None:
            continue
        objective = np.zeros(len(keys))
        objective[position[key]] = 1.0
        zero = np.zeros(len(equations))
        low = linprog(objective, A_eq=matrix, b_eq=zero, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=matrix, b_eq=zero, bounds=bounds, method="highs")
        assert low.status == 0, low.message
        ranges[key] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return ranges


def assert_safe(rows: list[list[int]], table: SuppressedTable, k: int) -> None:
    truth, shown = _entries(rows), _published(table)
    for key, value in truth.items():
        if 0 < value < k:
            assert shown[key] is None, f"small count {key}={value} published"
        elif shown[key] is not None:
            assert shown[key] == value, f"{key} published as {shown[key]}, is {value}"
    for key, (low, high) in attack(table).items():
        assert low <= truth[key] + 1e-6 and truth[key] <= high + 1e-6
        assert high - low >= 1 - 1e-6, f"hidden {key}={truth[key]} is pinned down"
        if 0 < truth[key] < k:
            assert high - low >= k - 1e-6, f"{key}={truth[key]} narrowed to [{low}, {high}]"


def test_the_issues_table_no_longer_gives_its_hidden_two_away() -> None:
    table = suppress_small_cells(ISSUE_TABLE, min_size=10)
    assert table.cells[1][0] is None
    assert_safe(ISSUE_TABLE, table, 10)
    low, high = attack(table)["cell", 1, 0]
    assert low <= 0 and high >= 10


def test_a_list_of_groups_hides_a_second_group_beside_a_small_one() -> None:
    rows = [[120], [7], [95], [60]]
    table = suppress_small_cells(rows, min_size=10)
    assert table.cells[1][0] is None and table.row_totals[1] is None
    assert sum(row[0] is None for row in table.cells) >= 2
    assert_safe(rows, table, 10)


def test_large_counts_and_totals_stay_published_when_cells_suffice() -> None:
    rows = [[30, 4, 25], [40, 35, 50], [28, 33, 41]]
    table = suppress_small_cells(rows, min_size=10)
    assert table.cells[0][1] is None
    assert table.total == 286 and None not in table.row_totals + table.column_totals
    assert sum(cell is None for row in table.cells for cell in row) == 4
    assert_safe(rows, table, 10)


def test_zeros_are_published_and_no_small_count_means_nothing_hidden() -> None:
    rows = [[0, 40, 22], [15, 0, 30]]
    table = suppress_small_cells(rows, min_size=10)
    assert table.cells == rows and table.total == 107


def test_kept_column_totals_are_published_and_the_table_is_still_safe() -> None:
    rows = [[3, 40, 22], [15, 2, 30], [25, 31, 8], [0, 12, 5]]
    table = suppress_small_cells(rows, min_size=10, keep_column_totals=True)
    assert table.column_totals == [43, 85, 65]
    assert_safe(rows, table, 10)
    with pytest.raises(ValueError, match="column total"):
        suppress_small_cells([[3, 40], [4, 30]], min_size=10, keep_column_totals=True)


def test_research_sized_tables_stay_safe() -> None:
    rng = np.random.default_rng(7)
    sizes = rng.choice([4, 60, 200], size=(60, 6), p=[0.1, 0.3, 0.6])
    rows = rng.poisson(sizes).tolist()
    table = suppress_small_cells(rows, min_size=10)
    assert_safe(rows, table, 10)
    n_hidden = sum(cell is None for row in table.cells for cell in row)
    n_small = sum(0 < value < 10 for row in rows for value in row)
    assert n_small <= n_hidden <= 3 * n_small  # complements, not a blanked table


tables = st.integers(1, 6).flatmap(
    lambda n_columns: st.lists(
        st.lists(
            st.one_of(st.integers(0, 12), st.integers(0, 80)),
            min_size=n_columns,
            max_size=n_columns,
        ),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(2, 10), st.booleans(), st.booleans())
@example(ISSUE_TABLE, 10, True, False)
@example(ISSUE_TABLE, 10, False, False)
def test_no_hidden_count_can_be_narrowed_below_k(
    rows: list[list[int]], k: int, use_rectangles: bool, keep_column_totals: bool
) -> None:
    if keep_column_totals:
        assume(all(sum(column) == 0 or sum(column) >= k for column in zip(*rows, strict=True)))
    table = suppress_small_cells(
        rows, min_size=k, use_rectangles=use_rectangles, keep_column_totals=keep_column_totals
    )
    assert_safe(rows, table, k)
    if keep_column_totals:
        assert table.column_totals == [sum(column) for column in zip(*rows, strict=True)]


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        suppress_small_cells([[1, 2], [3]])
    with pytest.raises(ValueError, match="non-negative"):
        suppress_small_cells([[-1]])
    with pytest.raises(ValueError, match="min_size"):
        suppress_small_cells([[1]], min_size=0)
