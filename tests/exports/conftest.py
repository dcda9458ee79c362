"""The OneRoster export tests' helpers: asking as a district's administrator and building as the
job worker does, on the two-district scope world (fresh per test, both backends)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.web.conftest import WorldDatabase, world_db
from yincai.accounts.models import UserAccount
from yincai.db import session_scope
from yincai.domain.models import ImportBatch
from yincai.exports import service
from yincai.exports.build import build_export

Tables = dict[str, list[dict[str, str]]]
__all__ = ["world_db"]


def admin(session: Session, world_db: WorldDatabase, role: str = "district_admin") -> UserAccount:
    account = session.scalars(
        select(UserAccount).where(UserAccount.username == world_db.world.usernames[role])
    ).one()
    return account


def request(
    engine: Engine, world_db: WorldDatabase, *, with_names: bool = False
) -> service.Requested:
    with session_scope(engine) as session:
        return service.request_oneroster(
            session, actor=admin(session, world_db), with_names=with_names
        )


def build(engine: Engine, world_db: WorldDatabase, export_id: int) -> bool:
    settings = world_db.settings
    return build_export(
        engine, export_id, data_dir=Path(settings.data_dir), error_log=settings.error_log_path
    )


def new_import(engine: Engine) -> None:
    """An import batch stored: the hub's data version moves on, as after any import."""
    with session_scope(engine) as session:
        session.add(ImportBatch(kind="scores", file_name="new.csv", sha256="0" * 64, n_rows=0,
                                imported_at=datetime.now(UTC)))  # fmt: skip


def tables(content: bytes) -> Tables:
    """Every file's rows, without ``dateLastModified`` (the moment each build ran)."""
    found: Tables = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            reader = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"), newline=""))
            found[name] = [
                {k: v for k, v in row.items() if k != "dateLastModified"} for row in reader
            ]
    return found
