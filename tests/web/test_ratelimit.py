"""Login throttling counts attempts in the database, per account and per client address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import LoginFailure
from yincai.web.ratelimit import LoginRateLimiter, address_bucket


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _limiter(clock: Clock, secret: bytes = b"secret") -> LoginRateLimiter:
    return LoginRateLimiter(
        secret, max_per_account=5, max_per_address=15, window_s=900, clock=clock
    )


def test_one_account_locks_across_addresses_and_unlocks_when_failures_age(
    session: Session,
) -> None:
    clock = Clock()
    one, other = _limiter(clock), _limiter(clock)  # two server processes, one database
    for index in range(5):
        assert not one.begin(session, username="Teacher01", address=f"10.0.0.{index}").is_refused
        clock.now += timedelta(seconds=10)
    sixth = other.begin(session, username=" teacher01", address="192.0.2.99")
    assert sixth.is_refused
    assert sixth.retry_after_s == 900 - 50 + 1  # until the first failure (50 s ago) ages out
    other.refused(session, sixth)
    assert not one.begin(session, username="teacher02", address="10.0.0.1").is_refused
    clock.now += timedelta(seconds=sixth.retry_after_s)
    assert not one.begin(session, username="teacher01", address="10.0.0.1").is_refused


def test_one_address_locks_across_usernames_and_success_does_not_reset_it(
    session: Session,
) -> None:
    clock = Clock()
    limiter = _limiter(clock)
    for index in range(14):
        assert not limiter.begin(session, username=f"s{index}", address="10.1.1.1").is_refused
    own = limiter.begin(session, username="sprayer", address="10.1.1.1")  # their own account
    limiter.succeeded(session, own)  # a successful login removes only its own address row
    assert not limiter.begin(session, username="s14", address="10.1.1.1").is_refused
    refused = limiter.begin(session, username="s15", address="10.1.1.1")
    elsewhere = limiter.begin(session, username="s16", address="10.1.1.2")
    assert refused.is_refused and 0 < refused.retry_after_s <= 901
    assert not elsewhere.is_refused


def test_attempts_in_flight_count_so_a_burst_gets_no_more_tries_than_the_limit(
    session: Session,
) -> None:
    clock = Clock()
    limiter = _limiter(clock)
    # Eight parallel requests, each recorded before any password is checked.
    burst = [limiter.begin(session, username="victim", address=f"10.2.0.{i}") for i in range(8)]
    assert [attempt.is_refused for attempt in burst] == [False] * 5 + [True] * 3


def test_success_forgets_the_account_failures_but_not_before_the_second_factor(
    session: Session,
) -> None:
    clock = Clock()
    limiter = _limiter(clock)
    for _ in range(4):
        limiter.begin(session, username="admin", address="10.3.0.1")
    password_step = limiter.begin(session, username="admin", address="10.3.0.1")
    limiter.succeeded(session, password_step, is_complete=False)
    assert limiter.begin(session, username="admin", address="10.3.0.1").is_refused
    clock.now += timedelta(seconds=901)
    code_step = limiter.begin(session, username="admin", address="10.3.0.1")
    limiter.succeeded(session, code_step)
    n_rows = session.scalar(
        select(func.count()).where(LoginFailure.key == limiter.account_key("admin"))
    )
    assert n_rows == 0


def test_rows_hold_keyed_hashes_never_the_username_or_address(session: Session) -> None:
    clock = Clock()
    limiter = _limiter(clock, b"key-one")
    limiter.begin(session, username="20260100001", address="10.4.0.1")
    keys = session.scalars(select(LoginFailure.key)).all()
    assert all("20260100001" not in key and "10.4.0.1" not in key for key in keys)
    assert limiter.account_key("x") != _limiter(clock, b"key-two").account_key("x")


def test_ipv6_clients_count_by_their_64_network() -> None:
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::7")
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_bucket("192.0.2.7") == "192.0.2.7"
