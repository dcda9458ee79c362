"""Rendered page fragments kept between requests.

The body of a report page is the same for every viewer of one scope; rendering its tables is the
largest cost of the page once the report itself is cached. A fragment is keyed by the object it
shows (held, so its ``id`` cannot be reused while the entry lives) and by whatever else the
caller names (language, links): a rebuilt report is a new object, so a stale fragment is never
served.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from markupsafe import Markup

from yincai.lru import Lru

DEFAULT_CAPACITY = 512


class FragmentCache:
    """Rendered HTML by (source object, extra key), the least recently used dropped first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: Lru[tuple[int, Hashable], tuple[object, Markup]] = Lru(capacity)

    def get(self, source: object, extra: Hashable, render: Callable[[], str]) -> Markup:
        key = (id(source), extra)
        found = self._entries.get(key)
        if found is not None and found[0] is source:
            return found[1]
        html = Markup(render())
        self._entries.put(key, (source, html))
        return html
