"""Cursor paging of every list of the API: a stable order by id (or key), ``limit`` rows at a
time, and an opaque cursor naming the last row sent.

A cursor names the last key and nothing else: ``c`` and the key in hexadecimal for lists by
id, ``s`` and the key's UTF-8 bytes in hexadecimal for lists by a text key (warnings). The
OpenAPI document states both forms as patterns, so every cursor a client can send that fits
them names a position (rows after it, possibly none) and anything else is refused with 422
``cursor.invalid``, never read as "from the start".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from yincai.errors import Invalid
from yincai.i18n import _

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
ID_CURSOR = r"^c[0-9a-f]{1,15}$"  # below 2**60: every such cursor is a valid integer key
KEY_CURSOR = r"^s(?:[0-9a-f]{2}){1,200}$"
MAX_CURSOR_LENGTH = 401

T = TypeVar("T")
Key = int | str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next (None on the last page)."""

    data: list[T]
    next_cursor: str | None


def encode_cursor(key: Key) -> str:
    """The opaque cursor after the row whose sort key is ``key``."""
    if isinstance(key, int):
        return f"c{key:x}"
    return "s" + key.encode()[:200].hex()


def _refuse(cursor: str) -> Invalid:
    return Invalid(_("分页游标无效：{cursor}").format(cursor=cursor[:40]), code="cursor.invalid")


def decode_cursor(cursor: str | None, kind: type[int] | type[str] = int) -> Key | None:
    """The last key a cursor names (None: from the start); ``Invalid`` if it is not one of ours."""
    if cursor is None or cursor == "":
        return None
    if kind is int:
        if not re.fullmatch(ID_CURSOR, cursor):
            raise _refuse(cursor)
        return int(cursor[1:], 16)
    if not re.fullmatch(KEY_CURSOR, cursor):
        raise _refuse(cursor)
    return bytes.fromhex(cursor[1:]).decode("utf-8", errors="replace")


def check_limit(limit: int) -> int:
    """``limit`` if it lies in 1…MAX_LIMIT, else ``Invalid`` (the CLI calls services too)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(_("每页条数须在 1 到 {max} 之间").format(max=MAX_LIMIT), code="limit.invalid")
    return limit


def keyset(
    session: Session,
    query: Select[Any],
    column: InstrumentedAttribute[int],
    *,
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> Page[Any]:
    """One page of ``query`` (selecting one entity) ordered by the integer ``column``."""
    check_limit(limit)
    last = decode_cursor(cursor, int)
    if last is not None:
        condition: ColumnElement[bool] = column < last if descending else column > last
        query = query.where(condition)
    order = column.desc() if descending else column.asc()
    rows = list(session.scalars(query.order_by(order).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    key = column.key
    return Page(rows, encode_cursor(getattr(rows[-1], key)) if has_more and rows else None)


def keyset_rows(
    session: Session,
    query: Any,
    column: InstrumentedAttribute[int],
    *,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """One page of ``query`` (rows of several columns, the first being ``column``), by it."""
    check_limit(limit)
    last = decode_cursor(cursor, int)
    if last is not None:
        query = query.where(column > last)
    rows = list(session.execute(query.order_by(column.asc()).limit(limit + 1)).all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(int(rows[-1][0])) if has_more and rows else None)


def slice_page(
    items: Sequence[T],
    key: Callable[[T], Key],
    *,
    cursor: str | None,
    limit: int,
    kind: type[int] | type[str] = int,
) -> Page[T]:
    """One page of a list computed in memory, ordered here by ``key``."""
    check_limit(limit)
    last = decode_cursor(cursor, kind)
    ordered = sorted(items, key=key)
    if last is not None:
        ordered = [item for item in ordered if key(item) > last]  # type: ignore[operator]
    page = ordered[:limit]
    has_more = len(ordered) > limit
    return Page(page, encode_cursor(key(page[-1])) if has_more and page else None)
