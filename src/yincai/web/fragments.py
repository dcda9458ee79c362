"""Rendered page fragments kept between requests.

The body of a report page is the same for every viewer of one scope; rendering its tables is the
largest cost of the page once the report itself is cached. A fragment is keyed by the object it
shows (held, so its ``id`` cannot be reused while the entry lives) and by whatever else the
caller names (language, links): a rebuilt report is a new object, so a stale fragment is never
served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup

DEFAULT_CAPACITY = 512


class FragmentCache:
    """A thread-safe LRU of rendered HTML by (source object, extra key)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[tuple[int, Hashable], tuple[object, Markup]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, source: object, extra: Hashable, render: Callable[[], str]) -> Markup:
        key = (id(source), extra)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] is source:
                self._entries.move_to_end(key)
                return found[1]
        html = Markup(render())
        with self._lock:
            self._entries[key] = (source, html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return html
