"""Login throttling counts failures in the database: every server process sees the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.governance.models import LoginFailure
from yincai.web.ratelimit import LoginRateLimiter


def test_failures_are_shared_by_processes_expire_and_reset(
    make_database: Callable[[], Settings],
) -> None:
    engine = make_engine(make_database())
    now = [datetime(2026, 11, 29, 9, 0, tzinfo=UTC)]
    one, other = (
        LoginRateLimiter(engine, b"secret", window_s=900, clock=lambda: now[0]) for _ in range(2)
    )
    try:
        for _ in range(4):
            one.record_failure("Teacher01", "10.0.0.7")
            now[0] += timedelta(seconds=10)
        assert other.retry_after_s("teacher01", "10.0.0.7") == 0  # four failures: still allowed
        other.record_failure("teacher01 ", "10.0.0.7")
        wait = one.retry_after_s("teacher01", "10.0.0.7")
        assert wait == 900 - 40 + 1  # until the first failure (40 s ago) leaves the window
        assert one.retry_after_s("teacher01", "10.0.0.8") == 0  # another address is not blocked
        now[0] += timedelta(seconds=wait)
        assert one.retry_after_s("teacher01", "10.0.0.7") == 0
        other.reset("teacher01", "10.0.0.7")
        with session_scope(engine) as session:
            keys = session.scalars(select(LoginFailure.key)).all()
        assert all("teacher01" not in key for key in keys)  # hashed, never the username
    finally:
        engine.dispose()
