"""One paging rule for every list on the site: 50 rows a page, the page number in the query
parameter ``page`` (a blank, wrong or too large number shows the nearest page, never an error),
and one Jinja macro (``_paging.html``: ``pager(page, request)``) with 上一页/下一页 and
"第 n / m 页 · 共 k 条" that keeps the page's other query parameters (filters).

Pages page a list they already hold (``paginate``); a service that pages in SQL returns its own
slice and total and builds a ``Page`` with ``Page.of``. Both read the number with
``page_number``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar
from urllib.parse import urlencode

PAGE_SIZE = 50
PARAMETER = "page"
_MAX_DIGITS = 9
T = TypeVar("T")


def page_number(query: Mapping[str, str], parameter: str = PARAMETER) -> int:
    """The page asked for in a query (``?page=``): 1 when blank or not a positive number."""
    text = str(query.get(parameter, "") or "").strip()
    if text.isdigit() and len(text) <= _MAX_DIGITS and int(text) > 0:
        return int(text)
    return 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: its rows, its number (from 1), the page size, the total."""

    items: list[T]
    number: int
    size: int
    total: int

    @classmethod
    def of(cls, items: Sequence[T], *, number: int, total: int, size: int = PAGE_SIZE) -> Page[T]:
        """A page a query has already cut (``items`` are the rows of page ``number``)."""
        return cls(list(items), number, size, total)

    @property
    def n_pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.n_pages

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row in the whole list (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
    """A page number within 1 … the number of pages of ``total`` rows."""
    return min(max(1, number), max(1, ceil(total / size)))


def offset(number: int, size: int = PAGE_SIZE) -> int:
    """The number of rows before page ``number`` (for a query's OFFSET)."""
    return (max(1, number) - 1) * size


def paginate(
    items: Sequence[T],
    number: int | Mapping[str, str],
    size: int = PAGE_SIZE,
    parameter: str = PARAMETER,
) -> Page[T]:
    """Page ``number`` (or the page a query names in ``parameter``) of a list held in memory;
    past the end shows the last page."""
    if not isinstance(number, int):
        number = page_number(number, parameter)
    number = clamp(number, len(items), size)
    start = offset(number, size)
    return Page(list(items[start : start + size]), number, size, len(items))


def page_url(path: str, query: Mapping[str, str], number: int, parameter: str = PARAMETER) -> str:
    """``path`` with the same query parameters and ``page`` set to ``number``."""
    params = [(key, value) for key, value in query.items() if key != parameter]
    if number > 1:
        params.append((parameter, str(number)))
    return f"{path}?{urlencode(params)}" if params else path


__all__ = [
    "PAGE_SIZE",
    "PARAMETER",
    "Page",
    "clamp",
    "offset",
    "page_number",
    "page_url",
    "paginate",
]
