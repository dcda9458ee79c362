"""Fast bulk upserts: one prepared ``INSERT … ON CONFLICT DO UPDATE`` run by executemany.

The ORM's bulk insert builds a dictionary per row; at a hundred thousand rows a second that cost
dominates, so importers of large files hand plain tuples to the DBAPI cursor of the session's own
connection (same transaction). SQLite (3.24+) and PostgreSQL share the upsert syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from yincai.db import Base

SCORE_TOLERANCE = 1e-9  # float noise, not leniency: 4.5 of 4.5 is fine, 4.6 is not


def upsert_rows(
    session: Session,
    model: type[Base],
    fields: Sequence[str],
    rows: Sequence[tuple[object, ...]],
    *,
    conflict: Sequence[str],
) -> None:
    """Insert ``rows`` (tuples in ``fields`` order); on a clash of ``conflict`` keys, update."""
    if not rows:
        return
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    table = model.__table__.name  # type: ignore[attr-defined]
    updates = [field for field in fields if field not in conflict]
    action = (
        "DO UPDATE SET " + ", ".join(f"{field} = excluded.{field}" for field in updates)
        if updates
        else "DO NOTHING"
    )
    statement = (
        f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join([marker] * len(fields))}) "
        f"ON CONFLICT ({', '.join(conflict)}) {action}"
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()
