"""The password policy (one place for every surface) and argon2 rehashing at login."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.governance.world import PASSWORD, build_world
from tests.hub.builders import roster_file
from yincai.accounts import passwords
from yincai.accounts.models import UserAccount
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import Invalid
from yincai.governance import cli as governance_cli
from yincai.governance import service as governance_service
from yincai.hub import cli as hub_cli


@pytest.mark.parametrize(
    ("password", "username", "reason"),
    [
        ("12345678", "w-teacher", "至少需要 10 个字符"),
        ("password", "w-teacher", "常见密码"),
        ("1qaz2wsx3edc", "w-teacher", "常见密码"),  # in the list, and long enough
        ("WoAiNi1314", "w-teacher", "常见密码"),  # case does not help
        ("20260100001", "20260100001", "不能包含用户名"),  # password = student number
        ("my-W-Teacher-pw", "w-teacher", "不能包含用户名"),
    ],
)
def test_weak_passwords_are_refused_with_reasons_in_chinese(
    password: str, username: str, reason: str
) -> None:
    with pytest.raises(Invalid) as refused:
        governance_service.hash_password(password, username=username)
    assert reason in refused.value.message
    assert refused.value.message.startswith("密码不符合要求")


def test_every_reason_is_listed_at_once() -> None:
    problems = passwords.policy_problems("password", username="password")
    assert len(problems) == 3  # short, common, the username


def test_good_passwords_pass_the_demo_one_included() -> None:
    for password, username in (
        ("yincai-demo-2026", "admin"),
        (PASSWORD, "w-teacher"),
        ("春眠不觉晓处处闻啼鸟", "20260100001"),
        ("correct horse 1", "lead01"),
    ):
        assert passwords.policy_problems(password, username=username) == []
    hashed = governance_service.hash_password("yincai-demo-2026", username="admin")
    assert governance_service.verify_password(hashed, "yincai-demo-2026")


def _account(session: Session, username: str) -> UserAccount:
    return session.scalars(select(UserAccount).where(UserAccount.username == username)).one()


def test_login_renews_a_hash_made_with_older_argon2_parameters(session: Session) -> None:
    build_world(session)
    account = _account(session, "w-teacher")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    account.password_hash = weak.hash(PASSWORD)
    session.flush()
    assert passwords.needs_rehash(account.password_hash)
    governance_service.authenticate(session, username="w-teacher", password=PASSWORD)
    renewed = account.password_hash
    assert "m=8192," not in renewed and not passwords.needs_rehash(renewed)
    assert governance_service.verify_password(renewed, PASSWORD)
    governance_service.authenticate(session, username="w-teacher", password=PASSWORD)
    assert account.password_hash == renewed  # current parameters: left alone


def test_a_password_the_policy_now_refuses_still_logs_in_but_must_be_changed(
    session: Session,
) -> None:
    build_world(session)
    account = _account(session, "w-student")
    account.password_hash = PasswordHasher().hash("12345678")  # set before the policy
    session.flush()
    governance_service.authenticate(session, username="w-student", password="12345678")
    assert account.must_change_password


def test_the_cli_refuses_a_weak_password_and_marks_temporary_ones(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    runner = CliRunner()
    roster = ["roster", str(roster_file(tmp_path)), "--district", "D1"]
    assert runner.invoke(hub_cli.app, roster, obj=settings).exit_code == 0

    def add(username: str, password: str, *extra: str) -> tuple[int, str]:
        arguments = ["add", username, "--role", "school_admin", "--school", "S01"]
        result = runner.invoke(
            governance_cli.app, [*arguments, "--password", password, *extra], obj=settings
        )
        return result.exit_code, result.output

    weak = add("lead01", "lead01-pass")
    same = add("lead02", "12345678")
    temporary = add("lead03", "a-temporary-pass-9", "--temporary")
    passwd = runner.invoke(
        governance_cli.app, ["passwd", "lead03", "--password", "password"], obj=settings
    )
    engine = make_engine(settings)
    with session_scope(engine) as session:
        accounts = dict(
            session.execute(select(UserAccount.username, UserAccount.must_change_password)).all()
        )
    engine.dispose()
    assert weak[0] == 1 and "不能包含用户名" in weak[1]
    assert same[0] == 1 and "常见密码" in same[1]
    assert temporary[0] == 0
    assert passwd.exit_code == 1 and "常见密码" in passwd.output
    assert accounts == {"lead03": True}
