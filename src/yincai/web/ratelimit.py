"""Login throttling per account and per client address, counted in the database.

Two limits hold at once within a sliding window (15 minutes by default): failures of one username
from any address (guessing one account's password from many addresses) and failures from one
address for any username (password spraying: one common password against many usernames). While
either is over its limit every attempt is refused with 429, the right password too.

Each attempt is written as a failure *before* its password is checked and committed, then counted:
of N concurrent attempts, the k-th to commit sees at least k rows, so no burst of parallel requests
gets more tries than the limit. A successful login deletes its own address row and the account's
rows; a refused attempt deletes its rows (hammering does not extend the lockout).

Rows of ``login_failure`` are shared by every worker process and survive restarts; a row holds a
keyed hash of the username or the address, never the username itself. IPv6 addresses count by
their /64 network, which one client can fill with addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import LoginFailure

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 15
WINDOW_S = 15 * 60
IPV6_PREFIX = 64


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def address_bucket(address: str) -> str:
    """The unit counted for a client address: itself, or its /64 network for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


@dataclass(frozen=True)
class Attempt:
    """One login attempt as recorded: its two rows and, if refused, how long to wait."""

    account_key: str
    row_ids: tuple[int, int]
    retry_after_s: int

    @property
    def is_refused(self) -> bool:
        return self.retry_after_s > 0


class LoginRateLimiter:
    """Counts failed logins per username and per client address in a sliding window."""

    def __init__(
        self,
        secret: bytes,
        *,
        max_per_account: int = MAX_FAILURES_PER_ACCOUNT,
        max_per_address: int = MAX_FAILURES_PER_ADDRESS,
        window_s: float = WINDOW_S,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._secret = secret
        self.max_per_account = max_per_account
        self.max_per_address = max_per_address
        self.window = timedelta(seconds=window_s)
        self._clock = clock

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}\n{value}".encode(), hashlib.sha256).hexdigest()

    def account_key(self, username: str) -> str:
        return self._key("account", username.strip().lower())

    def address_key(self, address: str) -> str:
        return self._key("address", address_bucket(address))

    def begin(self, session: Session, *, username: str, address: str) -> Attempt:
        """Record the attempt as a failure, commit, and say whether it may go on (commits the
        session: call it before anything else is written)."""
        now = self._clock()
        account_key, address_key = self.account_key(username), self.address_key(address)
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))
        rows = [LoginFailure(key=account_key, at=now), LoginFailure(key=address_key, at=now)]
        session.add_all(rows)
        session.commit()
        counts = session.execute(
            select(LoginFailure.key, func.count(), func.min(LoginFailure.at))
            .where(
                LoginFailure.key.in_([account_key, address_key]),
                LoginFailure.at > now - self.window,
            )
            .group_by(LoginFailure.key)
        ).all()
        limits = {account_key: self.max_per_account, address_key: self.max_per_address}
        waits = [
            max(1, int((_aware(oldest) + self.window - now).total_seconds()) + 1)
            for key, n_rows, oldest in counts
            if n_rows > limits[key]  # the count includes this attempt
        ]
        return Attempt(account_key, (rows[0].id, rows[1].id), max(waits, default=0))

    def refused(self, session: Session, attempt: Attempt) -> None:
        """Forget a refused attempt: only real tries count towards the lockout."""
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.row_ids)))

    def succeeded(self, session: Session, attempt: Attempt, *, is_complete: bool = True) -> None:
        """The password was right: the address row goes; when the login is complete (no second
        factor to come) the account's failures are forgotten too."""
        session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.row_ids[1]))
        if is_complete:
            session.execute(delete(LoginFailure).where(LoginFailure.key == attempt.account_key))
