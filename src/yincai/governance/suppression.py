"""Small-cell suppression of a table of counts that holds against its published totals.

A table is published with its row totals, column totals and grand total. Think of all of them as
one extended table of (rows + 1) × (columns + 1) entries bound by the equations "each row and
each column adds up to its total". Hiding an entry only helps if a reader who solves these
equations over non-negative values, with every published entry fixed, still cannot narrow it
down. Hence:

- primary suppression: every entry, totals included, with 0 < count < k is hidden. Zeros are
  published: a zero names nobody (the research tables count students per school and grade, where
  a zero only says a school has no such grade), and hiding them would blank most of a sparse
  table;
- protection: for each primary entry, the interval [lo, hi] that the published table allows for
  it must be at least k wide. Since lo ≥ 0, this also means hi ≥ k: the published figures are
  as consistent with a count of k or more as with the true small one, and at least k + 1 whole
  numbers remain possible;
- complementary suppression: while a primary entry lacks that protection (checked by linear
  programming), the cheapest rectangle of entries through it that protects it on its own is
  hidden; where no rectangle does, a mixed-integer programme (scipy's HiGHS) picks the cheapest
  further entries to hide so that the equations admit one table with the entry moved up and
  one with it moved down, at least k apart. Cheapest means fewest entries, cells before
  totals, small counts before large.

The equations form the incidence matrix of a bipartite graph (row nodes × column nodes), which
is totally unimodular: the bounds a linear programme finds over real numbers are attained by
whole-number tables, so the guarantee holds for counts exactly. Adding hidden entries only
removes equations, so an entry once protected stays protected while others are added.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from yincai.science.base import FloatArray

logger = logging.getLogger(__name__)

MIN_GROUP_SIZE = 10  # the district's default k: counts under it are never published
MILP_TIME_LIMIT_S = 10.0  # per protected entry; research tables solve in milliseconds
TOTAL_EXTRA_COST = 2.0  # hiding a total costs as much as three cells
WIDTH_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts ready to publish; None marks a hidden entry."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


@dataclass(frozen=True)
class _Extended:
    """The table with its totals as one (rows + 1) × (columns + 1) grid, flattened row-major."""

    values: FloatArray  # (n_entries,)
    equations: sparse.csr_array  # (rows + columns + 2, n_entries): each row/column sums to zero
    shape: tuple[int, int]

    def index(self, i: int, j: int) -> int:
        return i * self.shape[1] + j


def _extended(table: list[list[int]]) -> _Extended:
    n_rows, n_columns = len(table), len(table[0])
    grid = np.zeros((n_rows + 1, n_columns + 1))
    grid[:n_rows, :n_columns] = table
    grid[:n_rows, n_columns] = grid[:n_rows, :n_columns].sum(axis=1)
    grid[n_rows, :] = grid[:n_rows, :].sum(axis=0)
    shape = grid.shape
    # Row i: its cells minus its total; column j likewise; the totals' row and column too.
    rows, columns, signs = [], [], []
    for i in range(shape[0]):
        for j in range(shape[1]):
            entry = i * shape[1] + j
            rows += [i, shape[0] + j]
            columns += [entry, entry]
            signs += [-1.0 if j == n_columns else 1.0, -1.0 if i == n_rows else 1.0]
    equations = sparse.csr_array((signs, (rows, columns)), shape=(shape[0] + shape[1], grid.size))
    return _Extended(grid.ravel(), equations, (int(shape[0]), int(shape[1])))


def _feasible_range(table: _Extended, hidden: np.ndarray, entry: int) -> tuple[float, float]:
    """Smallest and largest value of ``entry`` over non-negative tables that agree with every
    published entry and with the equations (``inf`` when nothing bounds it above)."""
    fixed = ~hidden
    lower = np.where(fixed, table.values, 0.0)
    upper = np.where(fixed, table.values, np.inf)
    objective = np.zeros(table.values.size)
    objective[entry] = 1.0
    bounds = list(zip(lower, upper, strict=True))
    zero = np.zeros(table.equations.shape[0])
    low = linprog(objective, A_eq=table.equations, b_eq=zero, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=table.equations, b_eq=zero, bounds=bounds, method="highs")
    if low.status != 0:
        raise RuntimeError(f"suppression audit failed: {low.message}")
    return float(low.fun), np.inf if high.status == 3 else float(-high.fun)


def _is_protected(table: _Extended, hidden: np.ndarray, entry: int, k: int) -> bool:
    i, j = divmod(entry, table.shape[1])
    grid = hidden.reshape(table.shape)
    if grid[i, :].sum() < 2 or grid[:, j].sum() < 2:
        return False  # alone in its row or column: subtraction recovers it
    low, high = _feasible_range(table, hidden, entry)
    return bool(high - low >= k - WIDTH_TOLERANCE)


def _costs(table: _Extended) -> FloatArray:
    n_rows, n_columns = table.shape[0] - 1, table.shape[1] - 1
    grand_total = table.values[-1]
    costs: FloatArray = 1.0 + table.values / (grand_total + 1.0)
    grid = costs.reshape(table.shape)  # a view: the totals' costs change in ``costs``
    grid[n_rows, :] += TOTAL_EXTRA_COST
    grid[:, n_columns] += TOTAL_EXTRA_COST
    return costs


def _rectangle(
    table: _Extended, hidden: np.ndarray, keep: np.ndarray, entry: int, k: int
) -> np.ndarray | None:
    """The cheapest four entries, ``entry`` among them, that protect it on their own.

    Hidden corners of a rectangle (i, j), (i, j'), (i', j), (i', j') of the extended grid can
    move together by ±δ (each corner's sign follows from its row and column equations), which
    keeps every total; such a move alone gives the entry a range as wide as the smallest
    rising corner plus the smallest falling one. None when no rectangle is wide enough.
    """
    n_rows, n_columns = table.shape
    i, j = divmod(entry, n_columns)
    values = table.values.reshape(table.shape)
    row_sign = np.where(np.arange(n_columns) == n_columns - 1, -1.0, 1.0)  # s[·, b]
    column_sign = np.where(np.arange(n_rows) == n_rows - 1, -1.0, 1.0)  # t[a, ·]
    across = -row_sign[j] * row_sign  # sign of (i, j') per j'
    down = -column_sign[i] * column_sign  # sign of (i', j) per i'
    diagonal = -np.outer(down, np.ones(n_columns)) * row_sign[j] * row_sign[None, :]
    signs = [
        np.broadcast_to(across[None, :], table.shape),
        np.broadcast_to(down[:, None], table.shape),
        diagonal,
    ]
    corners = [
        np.broadcast_to(values[i, :][None, :], table.shape),
        np.broadcast_to(values[:, j][:, None], table.shape),
        values,
    ]
    rise = np.full(table.shape, values[i, j])
    fall = np.full(table.shape, np.inf)
    for sign, value in zip(signs, corners, strict=True):
        rise = np.where(sign > 0, np.minimum(rise, value), rise)
        fall = np.where(sign < 0, np.minimum(fall, value), fall)
    width = rise + fall
    grid_hidden = hidden.reshape(table.shape)
    grid_keep = keep.reshape(table.shape)
    new_cost = np.where(grid_hidden, 0.0, _costs(table).reshape(table.shape))
    cost = new_cost[i, :][None, :] + new_cost[:, j][:, None] + new_cost
    blocked = (
        (grid_keep[i, :][None, :] & ~grid_hidden[i, :][None, :])
        | (grid_keep[:, j][:, None] & ~grid_hidden[:, j][:, None])
        | (grid_keep & ~grid_hidden)
    )
    usable = (width >= k) & ~blocked
    usable[i, :] = False
    usable[:, j] = False
    if not usable.any():
        return None
    best = np.unravel_index(np.argmin(np.where(usable, cost, np.inf)), table.shape)
    chosen = np.zeros(table.shape, dtype=bool)
    chosen[i, j] = chosen[i, best[1]] = chosen[best[0], j] = chosen[best] = True
    return chosen.ravel()


def _complements(
    table: _Extended, hidden: np.ndarray, keep: np.ndarray, entry: int, k: int
) -> np.ndarray:
    """Entries to hide so that ``entry`` can move up and down by at least k in total.

    Two perturbations of the table, ``up`` and ``down``, each keeping every row and column
    balanced and every count non-negative, may change only hidden entries (y = 1); ``up`` raises
    the entry, ``down`` lowers it, and the two together span at least k. No perturbation needs
    to move any entry by more than k (a conformal cycle decomposition keeps the cycles through
    the entry only), which bounds the big-M links.
    """
    n = table.values.size
    room = np.minimum(table.values, k)  # how far each entry may fall before going negative
    lower = np.concatenate([-room, -room, np.where(hidden, 1.0, 0.0)])
    upper = np.concatenate([np.full(n, float(k)), np.full(n, float(k)), np.where(keep, 0.0, 1.0)])
    lower[entry] = 0.0  # up raises the entry
    upper[n + entry] = 0.0  # down lowers it
    eye = sparse.identity(n, format="csr")
    none = sparse.csr_array((n, n))
    no_balance = sparse.csr_array((table.equations.shape[0], n))
    balance = sparse.vstack(
        [
            sparse.hstack([table.equations, no_balance, no_balance]),
            sparse.hstack([no_balance, table.equations, no_balance]),
        ]
    )
    # |change| ≤ k·y and change ≥ −room·y: only hidden entries move.
    links = sparse.vstack(
        [
            sparse.hstack([eye, none, -k * eye]),
            sparse.hstack([-eye, none, -sparse.diags_array(room)]),
            sparse.hstack([none, eye, -k * eye]),
            sparse.hstack([none, -eye, -sparse.diags_array(room)]),
        ]
    )
    span = sparse.csr_array(([1.0, -1.0], ([0, 0], [entry, n + entry])), shape=(1, 3 * n))
    objective = np.concatenate([np.zeros(2 * n), np.where(hidden, 0.0, _costs(table))])
    result = milp(
        objective,
        integrality=np.concatenate([np.zeros(2 * n), np.ones(n)]),
        bounds=Bounds(lower, upper),
        constraints=[
            LinearConstraint(balance, 0.0, 0.0),
            LinearConstraint(links, -np.inf, 0.0),
            LinearConstraint(span, float(k), np.inf),
        ],
        options={"time_limit": MILP_TIME_LIMIT_S},
    )
    if result.x is None:
        # No plan within the time limit: hide everything that may be hidden (always protects).
        logger.warning("small-cell suppression fell back to hiding the whole table")
        return ~keep
    return np.asarray(result.x[2 * n :] > 0.5)


def suppress_small_cells(
    rows: Sequence[Sequence[int]],
    min_size: int = MIN_GROUP_SIZE,
    *,
    keep_column_totals: bool = False,
    use_rectangles: bool = True,
) -> SuppressedTable:
    """Hide counts below ``min_size`` and enough others that the published table, totals
    included, leaves each hidden small count free over a range at least ``min_size`` wide.

    ``rows`` is a rectangular table of non-negative counts (groups × categories); a one-column
    table is a list of groups. ``keep_column_totals`` publishes every column total (for a table
    whose column totals a reader can count elsewhere); it refuses a column total below
    ``min_size``. ``use_rectangles=False`` plans every complement with the mixed-integer
    programme (at most a few fewer hidden entries, ten to fifty times slower).
    """
    table = [list(row) for row in rows]
    n_columns = len(table[0]) if table else 0
    if any(len(row) != n_columns for row in table):
        raise ValueError("rows must all have the same length")
    if any(count < 0 for row in table for count in row):
        raise ValueError("counts must be non-negative")
    if min_size < 1:
        raise ValueError(f"min_size must be at least 1, got {min_size}")
    if n_columns == 0:
        return SuppressedTable([[] for _ in table], [0] * len(table), [], 0)
    extended = _extended(table)
    values = extended.values
    keep = np.zeros(values.size, dtype=bool)
    if keep_column_totals:
        keep.reshape(extended.shape)[-1, :-1] = True
    primary = (values > 0) & (values < min_size)
    if np.any(primary & keep):
        raise ValueError(f"a column total to keep is below min_size={min_size}")
    hidden = primary.copy()
    # Cells before totals, smallest first: they are the hardest to protect.
    grid_order = np.argsort(values + np.where(_is_total(extended), values.max() + 1, 0.0))
    for entry in (int(e) for e in grid_order if primary[e]):
        rectangle = _rectangle(extended, hidden, keep, entry, min_size)
        if rectangle is not None and not np.any(rectangle & ~hidden):
            continue  # hidden corners of one rectangle already protect it
        if _is_protected(extended, hidden, entry, min_size):
            continue
        if rectangle is not None and use_rectangles:
            hidden |= rectangle
        else:
            hidden |= _complements(extended, hidden, keep, entry, min_size)
    shown = [None if is_hidden else int(v) for v, is_hidden in zip(values, hidden, strict=True)]
    width = extended.shape[1]
    grid = [shown[i * width : (i + 1) * width] for i in range(extended.shape[0])]
    return SuppressedTable(
        cells=[row[:-1] for row in grid[:-1]],
        row_totals=[row[-1] for row in grid[:-1]],
        column_totals=grid[-1][:-1],
        total=grid[-1][-1],
    )


def _is_total(table: _Extended) -> np.ndarray:
    mask = np.zeros(table.shape, dtype=bool)
    mask[-1, :] = True
    mask[:, -1] = True
    return mask.ravel()
