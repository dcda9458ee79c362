"""Login throttling: after 5 failures for one username from one address within 15 minutes,
further attempts are refused (429) until the oldest failure leaves the window.

Failures are rows of ``login_failure``, so every worker process of ``yincai serve`` counts the
same ones; a row holds a keyed hash of (username, address), never the username.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, select

from yincai.db import session_scope
from yincai.governance.models import LoginFailure

MAX_FAILURES = 5
WINDOW_S = 15 * 60


def _now() -> datetime:
    return datetime.now(UTC)


class LoginRateLimiter:
    """Counts failed logins per (username, client address) in a sliding window."""

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        *,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.engine = engine
        self._secret = secret
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_s)
        self._clock = clock

    def _key(self, username: str, address: str) -> str:
        text = f"{username.strip().lower()}\n{address}".encode()
        return hmac.new(self._secret, text, hashlib.sha256).hexdigest()

    def retry_after_s(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed; 0 if allowed now."""
        now = self._clock()
        with session_scope(self.engine) as session:
            n_failures, oldest = session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    LoginFailure.key == self._key(username, address),
                    LoginFailure.at > now - self.window,
                )
            ).one()
        if n_failures < self.max_failures or oldest is None:
            return 0
        if oldest.tzinfo is None:  # SQLite returns naive UTC times
            oldest = oldest.replace(tzinfo=UTC)
        return max(1, int((oldest + self.window - now).total_seconds()) + 1)

    def record_failure(self, username: str, address: str) -> None:
        now = self._clock()
        with session_scope(self.engine) as session:
            session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))
            session.add(LoginFailure(key=self._key(username, address), at=now))

    def reset(self, username: str, address: str) -> None:
        with session_scope(self.engine) as session:
            session.execute(
                delete(LoginFailure).where(LoginFailure.key == self._key(username, address))
            )
