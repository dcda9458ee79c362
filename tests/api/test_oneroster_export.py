"""``/api/v1/exports/oneroster``: a district admin asks (202 and a status URL), follows the build,
and downloads the ZIP once the job built it (409 before, audited); the old GET asks the same way
without blocking; other roles and districts are refused; the command builds here when no worker
runs (the two-district scope world, both backends)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.exports.conftest import tables, world_db
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.cli import app as cli_app
from yincai.db import make_engine
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.governance.models import AuditEvent, AuditEventStudent
from yincai.jobs import Jobs

PATH = "/api/v1/exports/oneroster"
__all__ = ["world_db"]


@contextmanager
def client_as(world_db: WorldDatabase, username: str) -> Iterator[TestClient]:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, username)
        yield client


def _build(world_db: WorldDatabase, export_id: int) -> None:
    """The job worker's task of the queued export, run here at once."""
    worker = Jobs(world_db.settings)
    worker.queue.immediate = True
    worker.queue_oneroster(export_id)


def test_a_district_admin_asks_follows_and_downloads_the_zip_audited(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    with client_as(world_db, w.usernames["district_admin"]) as client:
        csrf = {"X-CSRF-Token": session_token(client)}
        asked = client.post(f"{PATH}?names=true", headers=csrf)
        export_id = asked.json()["id"]
        queued = Jobs(world_db.settings).pending()
        early = client.get(f"{PATH}/{export_id}/file")
        again = client.post(f"{PATH}?names=true", headers=csrf)
        _build(world_db, export_id)
        status = client.get(asked.headers["location"])
        download = client.get(status.json()["file_url"])
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "oneroster_export")
        ).one()
        n_audited = session.scalar(
            select(func.count()).where(AuditEventStudent.event_id == event.id)
        )
    engine.dispose()
    assert asked.status_code == 202 and asked.json()["state"] == "queued"
    assert asked.headers["location"] == f"{PATH}/{export_id}" == asked.json()["status_url"]
    assert asked.json()["with_names"] and asked.json()["file_url"] is None
    assert queued >= 1  # the build waits in the queue for the worker
    assert early.status_code == 409 and early.json()["code"] == "oneroster_export.not_ready"
    assert "还没有完成" in early.json()["detail"]
    assert again.status_code == 202 and again.json()["id"] == export_id
    assert status.status_code == 200 and status.json()["state"] == "done"
    assert status.json()["progress"] == 1.0 and status.json()["n_students"] == 4
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    users = tables(download.content)["users.csv"]
    assert {u["familyName"] + u["givenName"] for u in users} >= {"甲一同学", "丙一同学"}
    assert "外区同学" not in {u["familyName"] + u["givenName"] for u in users}
    assert event.user_account_id is not None and n_audited == 4


def test_the_old_get_asks_without_blocking_then_sends_to_the_built_zip(
    world_db: WorldDatabase,
) -> None:
    with client_as(world_db, world_db.world.usernames["district_admin"]) as client:
        first = client.get(PATH, follow_redirects=False)
        _build(world_db, first.json()["id"])
        second = client.get(PATH, follow_redirects=False)
        zip_file = client.get(second.headers["location"])
    assert first.status_code == 202 and first.json()["state"] == "queued"
    assert first.headers["location"] == first.json()["status_url"]
    assert second.status_code == 303
    assert second.headers["location"] == f"{PATH}/{first.json()['id']}/file"
    assert zip_file.status_code == 200
    users = tables(zip_file.content)["users.csv"]
    assert all(u["givenName"] == u["familyName"] == "" for u in users)  # pseudonymised


def test_other_roles_and_districts_are_refused_and_a_bad_id_is_not_found(
    world_db: WorldDatabase,
) -> None:
    w = world_db.world
    with client_as(world_db, w.usernames["district_admin"]) as client:
        export_id = client.post(PATH, headers={"X-CSRF-Token": session_token(client)}).json()["id"]
        missing = client.get(f"{PATH}/{export_id + 100}")
        missing_file = client.get(f"{PATH}/{export_id + 100}/file")
    with client_as(world_db, w.usernames["school_admin"]) as client:
        school_admin = client.post(PATH, headers={"X-CSRF-Token": session_token(client)})
        school_admin_status = client.get(f"{PATH}/{export_id}")
    with client_as(world_db, w.usernames["teacher"]) as client:
        teacher = client.get(PATH)
    _build(world_db, export_id)
    with client_as(world_db, "w-admin2") as client:
        other_district = client.get(f"{PATH}/{export_id}/file")
    assert missing.status_code == 404 and missing.json()["code"] == "oneroster_export.not_found"
    assert missing.json()["detail"] == f"导出 {export_id + 100} 不存在"
    assert missing_file.status_code == 404
    for refused in (school_admin, school_admin_status, teacher):
        assert refused.status_code == 403 and refused.json()["code"] == "role.forbidden"
    assert other_district.status_code == 403
    assert other_district.json()["code"] == "export.other_district"


def test_the_command_builds_the_export_here_when_no_worker_runs(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    settings = world_db.settings
    out = tmp_path / "or.zip"
    env = {}
    if settings.database_url:
        env["YINCAI_DATABASE_URL"] = settings.database_url
        env["YINCAI_DATABASE_SCHEMA"] = settings.database_schema or ""
    arguments = ["--data-dir", str(settings.data_dir), "export", "oneroster", "--out", str(out)]
    result = CliRunner().invoke(cli_app, [*arguments, "--district", "W-D2"], env=env)
    engine = make_engine(settings)
    with Session(engine) as session:
        export = session.scalars(
            select(OneRosterExportRequest).where(OneRosterExportRequest.version != "world")
        ).one()
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert "no job worker running: building here" in result.output
    assert "users.csv 2" in result.output  # one student and one teacher
    assert export.state is ExportState.DONE and export.requested_by is None
    names = zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    assert "users.csv" in names and "results.csv" in names
