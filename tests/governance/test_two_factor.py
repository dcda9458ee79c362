"""TOTP two-factor: enrolment, codes that work once within one step of drift, encrypted secrets,
and resets only by a district admin or the operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.governance.world import World, build_world
from yincai.accounts.models import UserAccount
from yincai.accounts.two_factor import SecretBox
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.governance import cli as governance_cli
from yincai.governance import service as governance_service

BOX = SecretBox("a-configured-secret-key")
T0 = datetime(2026, 12, 1, 8, 0, 10, tzinfo=UTC)


def _enrolled(session: Session, world: World, key: str) -> tuple[UserAccount, pyotp.TOTP]:
    account = session.get(UserAccount, world[key])
    assert account is not None
    governance_service.begin_enrolment(session, actor=account, box=BOX)
    secret = governance_service.pending_secret(account, BOX)
    assert secret is not None
    totp = pyotp.TOTP(secret)
    governance_service.confirm_enrolment(session, actor=account, box=BOX, code=totp.at(T0), now=T0)
    return account, totp


def test_enrolment_is_confirmed_by_a_first_correct_code(session: Session) -> None:
    world = build_world(session)
    admin = session.get(UserAccount, world["acct:school_admin"])
    assert admin is not None
    governance_service.begin_enrolment(session, actor=admin, box=BOX)
    secret = governance_service.pending_secret(admin, BOX)
    assert secret is not None and not governance_service.is_enrolled(admin)
    uri = governance_service.provisioning_uri(admin, secret)
    assert uri.startswith("otpauth://totp/") and "w-school_admin" in uri
    with pytest.raises(Invalid):
        governance_service.confirm_enrolment(session, actor=admin, box=BOX, code="000000", now=T0)
    code = pyotp.TOTP(secret).at(T0)
    governance_service.confirm_enrolment(session, actor=admin, box=BOX, code=code, now=T0)
    assert governance_service.is_enrolled(admin)
    assert governance_service.pending_secret(admin, BOX) is None
    with pytest.raises(Conflict):
        governance_service.begin_enrolment(session, actor=admin, box=BOX)


def test_only_admins_enrol(session: Session) -> None:
    world = build_world(session)
    teacher = session.get(UserAccount, world["acct:teacher"])
    assert teacher is not None
    with pytest.raises(Forbidden):
        governance_service.begin_enrolment(session, actor=teacher, box=BOX)


def test_a_code_works_once_and_within_one_step_of_drift(session: Session) -> None:
    world = build_world(session)
    admin, totp = _enrolled(session, world, "acct:district_admin")
    later = T0 + timedelta(minutes=5)

    def check(code: str, at: datetime = later) -> bool:
        return governance_service.verify_code(admin, box=BOX, code=code, now=at)

    assert not check(totp.at(T0))  # the enrolment's code, long gone
    assert not check(totp.at(later - timedelta(seconds=60)))  # two steps late
    assert check(totp.at(later - timedelta(seconds=30)))  # one step late: a slow phone clock
    assert check(" ".join([totp.at(later)[:3], totp.at(later)[3:]]))  # spaces are fine
    assert not check(totp.at(later))  # replayed
    assert not check(totp.at(later + timedelta(seconds=30)), later - timedelta(seconds=30))


def test_the_secret_is_stored_encrypted_and_bound_to_its_account(session: Session) -> None:
    world = build_world(session)
    admin, totp = _enrolled(session, world, "acct:district_admin")
    other = session.get(UserAccount, world["acct:school_admin"])
    assert other is not None and admin.totp_secret is not None
    assert totp.secret not in admin.totp_secret
    with pytest.raises(Invalid):  # another key (the secret key was changed)
        SecretBox("another-key").open(admin.totp_secret, account_id=admin.id)
    with pytest.raises(Invalid):  # copied onto another account
        BOX.open(admin.totp_secret, account_id=other.id)


def test_a_district_admin_or_the_operator_resets_two_factor_nobody_else(
    session: Session,
) -> None:
    world = build_world(session)
    school_admin, _ = _enrolled(session, world, "acct:school_admin")
    district_admin = session.get(UserAccount, world["acct:district_admin"])
    other_district = session.get(UserAccount, world["acct:admin2"])
    assert district_admin is not None and other_district is not None
    with pytest.raises(Forbidden):
        governance_service.reset_two_factor(
            session, actor=school_admin, user_account_id=school_admin.id
        )
    with pytest.raises(Forbidden):
        governance_service.reset_two_factor(
            session, actor=other_district, user_account_id=school_admin.id
        )
    governance_service.reset_two_factor(
        session, actor=district_admin, user_account_id=school_admin.id
    )
    assert not governance_service.is_enrolled(school_admin)
    assert school_admin.totp_secret is None
    admin, _ = _enrolled(session, world, "acct:district_admin")
    with pytest.raises(Forbidden):  # not one's own: another admin or the CLI
        governance_service.reset_two_factor(session, actor=admin, user_account_id=admin.id)
    governance_service.reset_two_factor(session, actor=None, user_account_id=admin.id)
    assert not governance_service.is_enrolled(admin)


def test_enrolment_is_needed_only_when_required_and_only_by_admins(session: Session) -> None:
    world = build_world(session)
    admin = session.get(UserAccount, world["acct:district_admin"])
    teacher = session.get(UserAccount, world["acct:teacher"])
    assert admin is not None and teacher is not None
    assert governance_service.needs_enrolment(admin, is_required=True)
    assert not governance_service.needs_enrolment(admin, is_required=False)
    assert not governance_service.needs_enrolment(teacher, is_required=True)


def test_the_operator_resets_two_factor_from_the_command_line(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
        _enrolled(session, world, "acct:district_admin")
    result = CliRunner().invoke(
        governance_cli.app, ["reset-two-factor", "w-district_admin"], obj=settings
    )
    unknown = CliRunner().invoke(governance_cli.app, ["reset-two-factor", "nobody"], obj=settings)
    with session_scope(engine) as session:
        admin = session.get(UserAccount, world["acct:district_admin"])
        assert admin is not None
        is_enrolled = governance_service.is_enrolled(admin)
    engine.dispose()
    assert result.exit_code == 0 and not is_enrolled
    assert unknown.exit_code == 1
