"""Server-side login sessions: hashed tokens, idle timeout, lifetime, throttled last-seen writes,
and revocation by every event that must end them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import build_world
from yincai.accounts.models import LoginSession, UserAccount
from yincai.accounts.sessions import SessionPolicy
from yincai.governance import service as governance_service

POLICY = SessionPolicy(
    idle=timedelta(minutes=30), lifetime=timedelta(hours=8), touch_every=timedelta(minutes=1)
)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _account(session: Session, key: str) -> UserAccount:
    world = build_world(session)
    account = session.get(UserAccount, world[key])
    assert account is not None
    return account


def _last_seen(session: Session, token_hash: str) -> datetime:
    moment = session.scalar(
        select(LoginSession.last_seen_at).where(LoginSession.token_hash == token_hash)
    )
    assert moment is not None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def test_only_the_hash_of_the_token_is_stored(session: Session) -> None:
    account = _account(session, "acct:teacher")
    token = governance_service.open_session(session, account=account, policy=POLICY, now=T0)
    stored = session.scalars(select(LoginSession.token_hash)).all()
    assert len(token) >= 43  # 256 random bits
    assert token not in stored and len(stored) == 1
    assert governance_service.session_account(session, token=token, policy=POLICY, now=T0) == (
        account
    )
    assert governance_service.session_account(session, token=stored[0], policy=POLICY) is None


def test_idle_sessions_end_and_activity_keeps_them_alive_with_few_writes(
    session: Session,
) -> None:
    account = _account(session, "acct:teacher")
    token = governance_service.open_session(session, account=account, policy=POLICY, now=T0)
    (token_hash,) = session.scalars(select(LoginSession.token_hash)).all()

    def seen(at: datetime) -> UserAccount | None:
        found = governance_service.session_account(session, token=token, policy=POLICY, now=at)
        session.flush()
        return found

    assert seen(T0 + timedelta(seconds=30)) == account
    assert _last_seen(session, token_hash) == T0  # within a minute: no write
    assert seen(T0 + timedelta(minutes=29)) == account
    assert _last_seen(session, token_hash) == T0 + timedelta(minutes=29)
    assert seen(T0 + timedelta(minutes=58)) == account  # 29 idle minutes since the last write
    assert seen(T0 + timedelta(minutes=58 + 31)) is None  # 31 idle minutes: over


def test_a_busy_session_still_ends_at_its_lifetime(session: Session) -> None:
    account = _account(session, "acct:teacher")
    token = governance_service.open_session(session, account=account, policy=POLICY, now=T0)
    moment = T0
    while moment < T0 + timedelta(hours=8):
        assert governance_service.session_account(session, token=token, policy=POLICY, now=moment)
        moment += timedelta(minutes=20)
    assert not governance_service.session_account(session, token=token, policy=POLICY, now=moment)


def test_password_change_reset_disable_and_two_factor_reset_end_every_session(
    session: Session,
) -> None:
    world = build_world(session)

    def account(key: str) -> UserAccount:
        found = session.get(UserAccount, world[key])
        assert found is not None
        return found

    admin, teacher = account("acct:district_admin"), account("acct:teacher")

    def sessions_of(user: UserAccount, n: int = 2) -> list[str]:
        return [
            governance_service.open_session(session, account=user, policy=POLICY) for _ in range(n)
        ]

    def live(tokens: list[str]) -> list[bool]:
        return [
            governance_service.session_account(session, token=t, policy=POLICY) is not None
            for t in tokens
        ]

    events = {
        "change": lambda: governance_service.change_password(
            session, actor=teacher, old_password="world-password-1", new_password="a-new-pass-42"
        ),
        "reset": lambda: governance_service.reset_password(
            session, actor=admin, user_account_id=teacher.id, new_password="temporary-pass-7"
        ),
        "two-factor reset": lambda: governance_service.reset_two_factor(
            session, actor=admin, user_account_id=teacher.id
        ),
        "disable": lambda: governance_service.set_account_active(
            session, actor=admin, user_account_id=teacher.id, is_active=False
        ),
    }
    for name, event in events.items():
        tokens, admins = sessions_of(teacher), sessions_of(admin, 1)
        assert live(tokens) == [True, True], name
        event()
        session.flush()
        assert live(tokens) == [False, False], name
        assert live(admins) == [True], name  # other accounts keep theirs
    assert teacher.must_change_password  # the admin's reset gave a temporary password


def test_logins_past_their_lifetime_are_deleted_at_the_next_login(session: Session) -> None:
    account = _account(session, "acct:teacher")
    governance_service.open_session(session, account=account, policy=POLICY, now=T0)
    later = T0 + timedelta(hours=9)
    governance_service.open_session(session, account=account, policy=POLICY, now=later)
    created = session.scalars(select(LoginSession.created_at)).all()
    assert [c.replace(tzinfo=UTC) if c.tzinfo is None else c for c in created] == [later]
