"""Login throttling: after 5 failures for one username from one address within 15 minutes,
further attempts are refused (429) until the oldest failure leaves the window.

Kept in memory per process: enough for the single-process server ``yincai serve`` runs; several
worker processes would each count on their own.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_S = 15 * 60


class LoginRateLimiter:
    """Counts failed logins per (username, client address) in a sliding window."""

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= self._clock() - self.window_s:
            failures.popleft()
        return failures

    def retry_after_s(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 if allowed now."""
        key = (username.strip().lower(), address)
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_failures:
                return 0
            return max(1, int(failures[0] + self.window_s - self._clock()) + 1)

    def record_failure(self, username: str, address: str) -> None:
        with self._lock:
            self._recent((username.strip().lower(), address)).append(self._clock())

    def reset(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), address), None)
