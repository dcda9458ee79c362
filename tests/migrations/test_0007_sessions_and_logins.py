"""Upgrading a database that already holds accounts to the sessions-and-logins revision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from tests.conftest import _new_settings
from yincai.db import make_engine
from yincai.migrations import upgrade


def test_accounts_referenced_by_other_rows_survive_and_are_not_forced_to_change(
    backend: str, tmp_path: Path, _schemas: list[str]
) -> None:
    engine = make_engine(_new_settings(backend, tmp_path, _schemas))
    try:
        upgrade(engine, "20261202_0006")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO district (id, code, name) VALUES (1, 'D', '区')"))
            connection.execute(
                text(
                    "INSERT INTO user_account (id, username, password_hash, role, display_name,"
                    " district_id, is_active, created_at)"
                    " VALUES (1, 'admin', 'h', 'district_admin', '管理员', 1, true, :now)"
                ),
                {"now": now},
            )
            connection.execute(  # a row referencing the account: SQLite cannot copy the table
                text(
                    "INSERT INTO audit_event (at, user_account_id, action, object_type,"
                    " object_id, scope) VALUES (:now, 1, 'login', 'user_account', '1', 'x')"
                ),
                {"now": now},
            )
        upgrade(engine)
        with engine.connect() as connection:
            account = connection.execute(
                text("SELECT username, must_change_password, totp_secret FROM user_account")
            ).one()
            n_events = connection.execute(text("SELECT count(*) FROM audit_event")).scalar()
        assert tuple(account) == ("admin", False, None)
        assert n_events == 1
    finally:
        engine.dispose()
