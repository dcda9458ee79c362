"""The audit log shows when in the district's local time (YINCAI_TIMEZONE, Asia/Shanghai by
default), UTC in the cell's title."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.governance.models import AuditEvent

CELL = re.compile(r'<td title="([0-9: -]+) UTC">([0-9: -]+)</td>')


def test_audit_times_read_in_local_time(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        page = client.get("/governance/audit")
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        latest = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login").order_by(AuditEvent.id.desc())
        ).first()
        assert latest is not None
        at = latest.at if latest.at.tzinfo else latest.at.replace(tzinfo=UTC)
    engine.dispose()
    cells = CELL.findall(page.text)
    assert page.status_code == 200 and "Asia/Shanghai" in page.text and cells
    local = at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    utc = at.strftime("%Y-%m-%d %H:%M:%S")
    assert (utc, local) in cells
    assert all(u != shown for u, shown in cells)  # eight hours apart
