"""API tokens: another system reads ``/api/v1`` as the staff account a token is bound to.

The token is 256 random bits shown once (prefix ``yc_``); the ``api_token`` row holds only its
SHA-256, like login sessions. A token works until revoked or expired, and only while its account
is active. Checking one costs one indexed read; ``last_used_at`` is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yincai.accounts.models import ApiToken, UserAccount

PREFIX = "yc_"
TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    # A plain hash suffices: the token is 256 random bits, nothing to guess or brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns naive UTC


def issue_token(
    session: Session,
    *,
    account: UserAccount,
    name: str,
    created_by: int | None,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token of the account: the row, and the token itself (never stored)."""
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(
        token_hash=token_hash(token),
        user_account_id=account.id,
        name=name,
        created_at=now or datetime.now(UTC),
        created_by=created_by,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, token


def token_account(
    session: Session, *, token: str, now: datetime | None = None
) -> UserAccount | None:
    """The active account a live token is bound to, else None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    now = now or datetime.now(UTC)
    found = session.execute(
        select(ApiToken, UserAccount)
        .join(UserAccount, UserAccount.id == ApiToken.user_account_id)
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    row, account = found
    if not account.is_active:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= now:
        return None
    if row.last_used_at is None or _aware(row.last_used_at) <= now - TOUCH_EVERY:
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return account
