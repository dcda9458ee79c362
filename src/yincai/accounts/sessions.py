"""Login sessions kept on the server, so that logging out or changing a password really ends them.

The browser's cookie holds a random token; the ``login_session`` row holds only its SHA-256 (a
copy of the table opens no session). A session ends when revoked, after ``idle`` without a
request and ``lifetime`` after login. Checking one costs one indexed read; ``last_seen_at`` is
written at most once per ``touch_every``, so the idle timeout is exact to within that much.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yincai.accounts.models import LoginSession, UserAccount

TOKEN_BYTES = 32


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=8)
    touch_every: timedelta = timedelta(minutes=1)


def _hash(token: str) -> str:
    # A plain hash suffices: the token is 256 random bits, nothing to guess or brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def open_session(
    session: Session, *, account: UserAccount, policy: SessionPolicy, now: datetime | None = None
) -> str:
    """A new session of the account; the token for the cookie (stored only as its hash)."""
    now = now or datetime.now(UTC)
    # Rows past their lifetime can never open anything again: one indexed delete per login keeps
    # the table as small as the number of recent logins.
    session.execute(delete(LoginSession).where(LoginSession.created_at < now - policy.lifetime))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginSession(
            token_hash=_hash(token), user_account_id=account.id, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return token


def session_account(
    session: Session, *, token: str, policy: SessionPolicy, now: datetime | None = None
) -> UserAccount | None:
    """The active account of a live session, or None (unknown, revoked, idle or too old)."""
    now = now or datetime.now(UTC)
    found = session.execute(
        select(LoginSession.id, LoginSession.created_at, LoginSession.last_seen_at, UserAccount)
        .join(UserAccount, UserAccount.id == LoginSession.user_account_id)
        .where(LoginSession.token_hash == _hash(token), LoginSession.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    session_id, created_at, last_seen_at, account = found
    last_seen_at = _aware(last_seen_at)
    is_live = now - last_seen_at < policy.idle and now - _aware(created_at) < policy.lifetime
    if not is_live or not account.is_active:
        return None
    if now - last_seen_at >= policy.touch_every:
        session.execute(
            update(LoginSession)
            .where(
                LoginSession.id == session_id,
                LoginSession.last_seen_at < now - policy.touch_every,
            )
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    return account


def revoke_session(session: Session, *, token: str, now: datetime | None = None) -> None:
    """End one session (logout)."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )


def revoke_sessions(session: Session, *, account: UserAccount, now: datetime | None = None) -> int:
    """End every session of the account (password change or reset, disable); how many ended."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_account_id == account.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
