from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yincai.governance.privacy import SuppressedTable, pseudonymise, suppress_small_cells


def test_pseudonym_is_stable_per_secret_and_hides_the_number() -> None:
    token = pseudonymise("20260100001", "district-secret")
    assert token == pseudonymise("20260100001", "district-secret")
    assert token != pseudonymise("20260100002", "district-secret")
    assert token != pseudonymise("20260100001", "another-secret")
    assert token.startswith("S-") and "20260100001" not in token
    with pytest.raises(ValueError, match="secret"):
        pseudonymise("20260100001", "")


def test_small_cells_are_hidden_with_a_complement_in_the_same_row_and_column() -> None:
    table = suppress_small_cells([[30, 4, 25], [40, 35, 50], [28, 33, 41]], min_size=10)
    assert table.cells[0][1] is None
    hidden_in_row = sum(cell is None for cell in table.cells[0])
    hidden_in_column = sum(row[1] is None for row in table.cells)
    assert hidden_in_row >= 2 and hidden_in_column >= 2
    assert table.total == 286  # the large totals stay published


def test_a_list_of_groups_never_shows_one_hidden_group_beside_its_total() -> None:
    table = suppress_small_cells([[120], [7], [95], [60]], min_size=10)
    hidden = [row[0] is None for row in table.cells]
    assert hidden[1]
    assert sum(hidden) >= 2 or table.total is None


def _recover(table: SuppressedTable) -> dict[tuple[str, int, int], int]:
    """What subtraction reveals: solve every line with a single unknown, until nothing changes."""
    known: dict[tuple[str, int, int], int | None] = {}
    for i, row in enumerate(table.cells):
        for j, value in enumerate(row):
            known["cell", i, j] = value
        known["row_total", i, 0] = table.row_totals[i]
    for j, value in enumerate(table.column_totals):
        known["column_total", 0, j] = value
    known["total", 0, 0] = table.total
    n_rows, n_columns = len(table.cells), len(table.column_totals)
    lines = [
        ([("cell", i, j) for j in range(n_columns)], ("row_total", i, 0)) for i in range(n_rows)
    ]
    lines += [
        ([("cell", i, j) for i in range(n_rows)], ("column_total", 0, j)) for j in range(n_columns)
    ]
    lines.append(([("row_total", i, 0) for i in range(n_rows)], ("total", 0, 0)))
    lines.append(([("column_total", 0, j) for j in range(n_columns)], ("total", 0, 0)))
    recovered: dict[tuple[str, int, int], int] = {}
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            unknown = [key for key in [*parts, total] if known[key] is None]
            if len(unknown) != 1:
                continue
            key = unknown[0]
            part_sum = sum(known[k] or 0 for k in parts if k != key)
            known[key] = part_sum if key == total else (known[total] or 0) - part_sum
            recovered[key] = known[key] or 0
            changed = True
    return recovered


def test_hidden_cells_cannot_be_recovered_from_the_totals() -> None:
    table = suppress_small_cells([[3, 40, 22], [15, 2, 30], [25, 31, 8]], min_size=10)
    assert _recover(table) == {}
    assert all(cell is None for cell in (table.cells[0][0], table.cells[1][1], table.cells[2][2]))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_columns: st.lists(
            st.lists(st.integers(0, 60), min_size=n_columns, max_size=n_columns),
            min_size=1,
            max_size=5,
        )
    )
)
def test_no_table_lets_a_small_count_be_recovered(rows: list[list[int]]) -> None:
    table = suppress_small_cells(rows, min_size=10)
    assert _recover(table) == {}
    for i, j in itertools.product(range(len(rows)), range(len(rows[0]))):
        if 0 < rows[i][j] < 10:
            assert table.cells[i][j] is None
        elif table.cells[i][j] is not None:
            assert table.cells[i][j] == rows[i][j]


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        suppress_small_cells([[1, 2], [3]])
    with pytest.raises(ValueError, match="non-negative"):
        suppress_small_cells([[-1]])
