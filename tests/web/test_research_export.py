"""The research export page: district admins only, bounded, audited, a ZIP with no names."""

from __future__ import annotations

import csv
import io
import os
import stat
import zipfile

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from openpyxl import load_workbook
from sqlalchemy import select

from tests.test_spreadsheets import EVIL_SCHOOL
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import School
from yincai.governance import export_pages
from yincai.governance.models import AuditEvent
from yincai.governance.privacy import KEY_FILE_NAME

PATH = "/governance/exports/research"


def _settings(world_db: WorldDatabase) -> Settings:
    return world_db.settings.model_copy(update={"export_min_group": 2, "pseudonym_key": None})


def _post(client: TestClient, codes: list[str]) -> Response:
    return client.post(
        PATH,
        data={"assessment": codes, "csrf_token": session_token(client)},
        follow_redirects=False,
    )


def test_a_district_admin_downloads_an_audited_zip_without_names(world_db: WorldDatabase) -> None:
    settings = _settings(world_db)
    with TestClient(create_app(settings)) as client:
        logged_in(client, "w-district_admin")
        form = client.get(PATH)
        response = client.post(
            PATH, data={"assessment": ["W-E1"], "csrf_token": session_token(client)}
        )
    assert form.status_code == 200 and "W-E1" in form.text and "W-E9" not in form.text
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
        students = list(csv.reader(io.StringIO(archive.read("students.csv").decode("utf-8-sig"))))
    assert len(students) == 5  # district 1's four students
    assert not [v for name, number in world_db.world.names.values() for v in (name, number)
                if v in text]  # fmt: skip
    key_file = settings.data_dir / KEY_FILE_NAME
    assert key_file.exists()
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    engine = make_engine(settings)
    with session_scope(engine) as session:
        audited = session.execute(
            select(AuditEvent.user_account_id, AuditEvent.object_type).where(
                AuditEvent.action == "research_export"
            )
        ).all()
    engine.dispose()
    admin = world_db.world["acct:district_admin"]
    assert sorted(audited) == [(admin, "assessment"), (admin, "district")]


@pytest.mark.parametrize("role", ["school_admin", "teacher", "student", "parent"])
def test_other_roles_get_neither_the_form_nor_a_zip(world_db: WorldDatabase, role: str) -> None:
    with TestClient(create_app(_settings(world_db))) as client:
        logged_in(client, f"w-{role}")
        form = client.get(PATH)
        download = _post(client, ["W-E1"])
    assert form.status_code == 403 and download.status_code == 403


def test_another_districts_assessment_is_refused(world_db: WorldDatabase) -> None:
    with TestClient(create_app(_settings(world_db))) as client:
        logged_in(client, "w-district_admin")
        response = _post(client, ["W-E9"])
    assert response.status_code == 403


def test_the_page_export_is_bounded(world_db: WorldDatabase) -> None:
    with TestClient(create_app(_settings(world_db))) as client:
        logged_in(client, "w-district_admin")
        none = _post(client, [])
        too_many = _post(client, [f"E{n}" for n in range(export_pages.MAX_PAGE_ASSESSMENTS + 1)])
        assert export_pages._running.acquire(blocking=False)  # an export is running
        try:
            busy = _post(client, ["W-E1"])
        finally:
            export_pages._running.release()
    assert none.status_code == too_many.status_code == 422
    assert "yincai export research" in too_many.text
    assert busy.status_code == 409


def test_the_report_download_writes_a_formula_school_as_text(world_db: WorldDatabase) -> None:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        session.get_one(School, world_db.world["S1"]).name = EVIL_SCHOOL
    engine.dispose()
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-district_admin")
        xlsx = client.get(f"/assessments/{world_db.world['E1']}/report.xlsx")
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    evil = [cell for cell in cells if isinstance(cell.value, str) and "evil.example" in cell.value]
    assert evil and all(cell.data_type == "s" and cell.value[0] == "'" for cell in evil)
    assert not [cell for cell in cells if cell.data_type == "f"]
