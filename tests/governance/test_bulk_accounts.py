"""Bulk account creation from the roster: everyone without a login gets one with a temporary
password printed on a slip; whole or nothing, idempotent, scoped and audited; the passwords live
only in the slips PDF, which can be deleted and expires."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase, world_db
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.errors import Conflict, Forbidden, Invalid, NotFound
from yincai.governance import accounts_cli, bulk_accounts
from yincai.governance.models import AccountSlips, AuditEvent

__all__ = ["world_db"]  # the fixture, shared with the web tests


@pytest.fixture
def world_engine(world_db: WorldDatabase) -> Iterator[Engine]:
    engine = make_engine(world_db.settings)
    yield engine
    engine.dispose()


@pytest.fixture
def known_passwords(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Temporary passwords made predictable, to log in with them."""
    made: list[str] = []
    numbers = count(1)

    def password() -> str:
        made.append(f"slip-pass-{next(numbers):04d}")
        return made[-1]

    monkeypatch.setattr(bulk_accounts, "temporary_password", password)
    return made


def _request(world_engine: Engine, world_db: WorldDatabase, role: str, school: str | None) -> int:
    world = world_db.world
    with session_scope(world_engine) as session:
        admin = session.get(UserAccount, world[f"acct:{role}"])
        assert admin is not None
        batch = bulk_accounts.request_slips(
            session,
            actor=admin,
            school_id=world[school] if school else None,
            login_url="https://yincai.example/",
            district_id=admin.district_id,
        )
        return batch.id


def _accounts(world_engine: Engine) -> dict[str, UserAccount]:
    with session_scope(world_engine) as session:
        return {a.username: a for a in session.scalars(select(UserAccount)).all()}


def test_a_school_gets_an_account_for_everyone_without_one_once(
    world_db: WorldDatabase, world_engine: Engine, known_passwords: list[str], tmp_path: Path
) -> None:
    world = world_db.world
    before = _accounts(world_engine)
    slips_id = _request(world_engine, world_db, "school_admin", None)  # a school admin: own school
    assert bulk_accounts.build_slips(world_engine, slips_id, error_log=tmp_path / "errors.log")
    after = _accounts(world_engine)
    created = {name: a for name, a in after.items() if name not in before}
    a2, b1 = world.names["A2"][1], world.names["B1"][1]
    # school S1: teacher T2 (T1 has a login), students A2 and B1 and their parents (A1 has both)
    order = ["wt2", a2, f"p{a2}", b1, f"p{b1}"]  # teachers, then class by class
    assert set(created) == set(order)
    assert {a.role for a in created.values()} == {Role.TEACHER, Role.STUDENT, Role.PARENT}
    assert all(a.must_change_password and a.is_active for a in created.values())
    assert created[f"p{b1}"].student_id == world["B1"] and created["wt2"].teacher_id == world["T2"]
    with session_scope(world_engine) as session:
        batch = session.get(AccountSlips, slips_id)
        assert batch is not None and batch.state == "done" and batch.n_accounts == 5
        content = batch.content
        audited = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("accounts_%"))
        ).all()
    assert content is not None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert len(known_passwords) == 5
    assert all(username in text for username in order)
    assert all(password in text for password in known_passwords)
    assert "https://yincai.example/" in text and "七年级2班" in text
    assert set(audited) == {"accounts_bulk_request", "accounts_bulk_create"}
    assert all(p not in a.password_hash for p in known_passwords for a in created.values())
    # logging in with a slip's password asks for a new one first
    with TestClient(create_app(world_db.settings)) as client:
        response = logged_in(client, b1, known_passwords[order.index(b1)])
        home = client.get("/home", follow_redirects=False)
    assert home.status_code == 303 and "password" in home.headers["location"]
    # running it again creates nobody twice
    with pytest.raises(Invalid) as again:
        _request(world_engine, world_db, "school_admin", None)
    assert again.value.code == "accounts.none_missing"
    assert response is not None


def test_a_taken_username_creates_nothing_and_says_which(
    world_db: WorldDatabase, world_engine: Engine
) -> None:
    world = world_db.world
    with session_scope(world_engine) as session:
        holder = session.get(UserAccount, world["acct:teacher3"])
        assert holder is not None
        holder.username = f"p{world.names['Z1'][1]}"  # the name Z1's parent would get
    n_before = len(_accounts(world_engine))
    with pytest.raises(Conflict) as taken:
        _request(world_engine, world_db, "district_admin", "S2")
    assert taken.value.code == "accounts.username_taken"
    assert f"p{world.names['Z1'][1]}" in str(taken.value.message)
    assert len(_accounts(world_engine)) == n_before


def test_a_change_during_the_build_creates_nothing(
    world_db: WorldDatabase, world_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = world_db.world
    slips_id = _request(world_engine, world_db, "district_admin", "S2")

    def pdf_while_someone_adds_an_account(*_args: object, **_kwargs: object) -> bytes:
        with session_scope(world_engine) as session:
            session.add(UserAccount(
                username="sneaked-in", password_hash="!", role=Role.STUDENT, display_name="x",
                district_id=world["D1"], school_id=world["S2"], student_id=world["Z1"],
                is_active=True, created_at=datetime.now(UTC),
            ))  # fmt: skip
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(bulk_accounts, "slips_pdf", pdf_while_someone_adds_an_account)
    n_before = len(_accounts(world_engine))
    bulk_accounts.build_slips(world_engine, slips_id, error_log=tmp_path / "errors.log")
    with session_scope(world_engine) as session:
        batch = session.get(AccountSlips, slips_id)
        assert batch is not None
        state, message, content = batch.state, batch.message, batch.content
    assert state == "failed" and content is None
    assert "未创建任何账号" in message
    assert len(_accounts(world_engine)) == n_before + 1  # only the one added meanwhile


def test_an_admin_of_another_district_cannot_ask_for_a_school(
    world_db: WorldDatabase, world_engine: Engine
) -> None:
    with pytest.raises((NotFound, Forbidden)):
        _request(world_engine, world_db, "admin2", "S1")


def test_the_page_button_follows_the_build_downloads_and_deletes_the_slips(
    world_db: WorldDatabase, world_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = world_db.world
    monkeypatch.setattr(bulk_accounts, "slips_pdf", lambda *_a, **_k: b"%PDF-1.7 slips")
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        users = client.get("/governance/users")
        started = client.post(
            "/governance/accounts/bulk",
            data={"school_id": str(world["S2"]), "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        status = started.headers["location"]
        waiting = client.get(status)
        slips_id = int(status.rsplit("/", 1)[1])
        bulk_accounts.build_slips(world_engine, slips_id, error_log=tmp_path / "errors.log")
        done = client.get(status)
        pdf = client.get(f"{status}/slips.pdf")
        deleted = client.post(
            f"{status}/delete", data={"csrf_token": session_token(client)}, follow_redirects=False
        )
        gone = client.get(f"{status}/slips.pdf", headers={"accept": "text/html"})
        again = client.post(
            "/governance/accounts/bulk",
            data={"school_id": str(world["S2"]), "csrf_token": session_token(client)},
        )
    assert 'action="/governance/accounts/bulk"' in users.text
    assert 'data-state="queued"' in waiting.text
    assert "已创建 2 个账号" in done.text  # Z1 and Z1's parent (T3 has a login)
    assert pdf.status_code == 200 and pdf.content == b"%PDF-1.7 slips"
    assert pdf.headers["cache-control"] == "no-store"
    assert deleted.status_code == 303
    assert gone.status_code == 404 and "账号条已删除" in gone.text
    assert again.status_code == 422 and "都已有账号" in again.text
    with session_scope(world_engine) as session:
        batch = session.get(AccountSlips, slips_id)
        assert batch is not None and batch.state == "deleted"
        session.refresh(batch, attribute_names=["content"])
        assert batch.content is None


def test_expired_slips_lose_their_pdf(
    world_db: WorldDatabase, world_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(bulk_accounts, "slips_pdf", lambda *_a, **_k: b"%PDF-1.7 slips")
    slips_id = _request(world_engine, world_db, "district_admin", "S2")
    bulk_accounts.build_slips(world_engine, slips_id, error_log=tmp_path / "errors.log")
    later = datetime.now(UTC) + bulk_accounts.KEEP + timedelta(minutes=1)
    with session_scope(world_engine) as session:
        assert bulk_accounts.purge_expired(session, now=later) == 1
    with session_scope(world_engine) as session:
        n_with_pdf = session.scalar(
            select(func.count()).select_from(AccountSlips).where(AccountSlips.content.is_not(None))
        )
    assert n_with_pdf == 0


def test_the_command_writes_the_slips_and_keeps_no_copy(
    world_db: WorldDatabase, world_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(bulk_accounts, "slips_pdf", lambda *_a, **_k: b"%PDF-1.7 slips")
    output = tmp_path / "账号条.pdf"
    runner = CliRunner()
    arguments = ["bulk", "--school", "W-S2", "-o", str(output)]
    first = runner.invoke(accounts_cli.app, arguments, obj=world_db.settings)
    second = runner.invoke(accounts_cli.app, arguments, obj=world_db.settings)
    assert first.exit_code == 0, first.output
    assert output.read_bytes() == b"%PDF-1.7 slips"
    assert "2" in first.output
    assert second.exit_code == 1 and "都已有账号" in second.output
    with session_scope(world_engine) as session:
        stored = session.scalars(
            select(AccountSlips).where(AccountSlips.content.is_not(None))
        ).all()
    assert stored == []
