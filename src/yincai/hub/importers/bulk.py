"""Bulk upserts through SQLAlchemy Core: ``INSERT … ON CONFLICT DO UPDATE`` run by executemany.

Statements go through the session's own connection, so they belong to its transaction on every
backend (a preview that never writes, a rollback that undoes everything, the SQLite write lock
taken on the first write). SQLite (3.24+) and PostgreSQL share the upsert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yincai.db import Base

SCORE_TOLERANCE = 1e-9  # float noise, not leniency: 4.5 of 4.5 is fine, 4.6 is not
CHUNK = 50_000  # rows per executemany: memory stays flat


def upsert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, object]],
    *,
    conflict: Sequence[str],
) -> None:
    """Insert ``rows`` (dicts of column values); on a clash of the ``conflict`` keys, update the
    other columns given."""
    if not rows:
        return
    table = model.__table__
    dialect = session.connection().dialect.name
    statement = (sqlite if dialect == "sqlite" else postgresql).insert(table)
    updates = [name for name in rows[0] if name not in conflict]
    statement = (
        statement.on_conflict_do_update(
            index_elements=list(conflict), set_={name: statement.excluded[name] for name in updates}
        )
        if updates
        else statement.on_conflict_do_nothing(index_elements=list(conflict))
    )
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, list(rows[start : start + CHUNK]))
