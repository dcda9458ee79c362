"""The import pages: a preview validates and keeps nothing, the confirmation writes; scope."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.world import build_world
from tests.hub.builders import STUDENT_HEADER_ZH, STUDENTS, counts, write_csv
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Score, Sitting
from yincai.governance.models import AuditEvent


@pytest.fixture
def world_db(make_database: Callable[[], Settings]) -> WorldDatabase:
    """A fresh database with the scope world (as in tests/web): these tests write."""
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
    engine.dispose()
    return WorldDatabase(settings, world)


def _counts(world_db: WorldDatabase) -> dict[str, int]:
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        found = counts(session)
        found["audit"] = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        found["scores"] = session.scalar(select(func.count()).select_from(Score)) or 0
    engine.dispose()
    return found


def _preview(client: TestClient, path: Path, kind: str, **fields: str) -> Response:
    return client.post(
        "/imports/preview",
        data={"kind": kind, "csrf_token": session_token(client), **fields},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )


def _token(page: Response) -> str:
    marker = 'name="token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def test_bad_roster_shows_row_errors_and_writes_nothing(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    bad = [row[:] for row in STUDENTS]
    bad[1][8] = "未知"  # gender
    bad[2][6] = ""  # student number
    path = write_csv(tmp_path / "students.csv", STUDENT_HEADER_ZH, bad)
    before = _counts(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        page = _preview(client, path, "roster")
    assert page.status_code == 422
    assert "校验未通过" in page.text and "students.csv" in page.text
    assert page.text.count("<tr><td>students.csv</td>") >= 2
    assert 'name="token"' not in page.text
    after = _counts(world_db)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert after["audit"] > before["audit"]  # the rejected preview is audited


def test_preview_keeps_nothing_and_confirm_writes(world_db: WorldDatabase, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "students.csv", STUDENT_HEADER_ZH, STUDENTS)
    before = _counts(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        page = _preview(client, path, "roster")
        assert page.status_code == 200, page.text
        assert "确认导入" in page.text and '<td class="num">4</td>' in page.text
        previewed = _counts(world_db)
        done = client.post(
            "/imports/confirm", data={"token": _token(page), "csrf_token": session_token(client)}
        )
        again = client.post(
            "/imports/confirm", data={"token": _token(page), "csrf_token": session_token(client)}
        )
    assert previewed["student"] == before["student"]
    assert done.status_code == 200 and "导入完成" in done.text
    after = _counts(world_db)
    assert after["student"] == before["student"] + 4
    assert after["audit"] >= before["audit"] + 2
    assert again.status_code == 404  # the upload is gone once imported


def test_teacher_imports_scores_of_own_students_only(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    world = world_db.world
    own = write_csv(tmp_path / "scores.csv", ["学号", "1"], [[world.names["A2"][1], "75"]])
    mixed = write_csv(
        tmp_path / "mixed.csv",
        ["学号", "1"],
        [[world.names["A2"][1], "75"], [world.names["B1"][1], "60"]],
    )
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["teacher"])
        refused = _preview(client, mixed, "scores", assessment_code="W-E1")
        roster = _preview(client, own, "roster")
        page = _preview(client, own, "scores", assessment_code="W-E1")
        assert page.status_code == 200, page.text
        assert "将覆盖已有成绩" in page.text  # A2 has marks already: the preview warns
        unticked = client.post(
            "/imports/confirm", data={"token": _token(page), "csrf_token": session_token(client)}
        )
        done = client.post(
            "/imports/confirm",
            data={"token": _token(page), "csrf_token": session_token(client), "overwrite": "true"},
        )
    assert unticked.status_code == 422 and "请勾选确认" in unticked.text
    assert refused.status_code == 422 and "不在您任教本学科的班级" in refused.text
    assert world.names["B1"][0] not in refused.text
    assert roster.status_code == 403
    assert done.status_code == 200
    engine = make_engine(world_db.settings)
    with Session(engine) as session:
        total = session.scalar(
            select(Sitting.total_score).where(
                Sitting.student_id == world["A2"], Sitting.assessment_id == world["E1"]
            )
        )
    engine.dispose()
    assert total == 75.0


def test_unreadable_file_is_a_4xx_with_a_message(world_db: WorldDatabase, tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a workbook")
    other = tmp_path / "notes.exe"
    other.write_bytes(b"MZ")
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        broken = _preview(client, path, "items")
        wrong_type = _preview(client, other, "items")
        forged = client.post(
            "/imports/confirm", data={"token": "0" * 32, "csrf_token": session_token(client)}
        )
    assert 400 <= broken.status_code < 500 and "校验未通过" in broken.text
    assert wrong_type.status_code == 422
    assert forged.status_code == 404


def test_yaml_curriculum_previews_then_imports_and_a_bad_one_names_its_line(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    good = tmp_path / "课程.yml"
    good.write_text(
        "subject: 数学\n"
        "knowledge_points:\n"
        "  - {code: Y7A.01, name: 有理数, level: 章, grade: 7, semester: 上}\n"
        "  - {code: Y7A.01.01, name: 数轴, parent: Y7A.01}\n"
        "  - {code: Y7A.01.02, name: 相反数, parent: Y7A.01, prerequisites: [Y7A.01.01]}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("[Y7A.01.01]", "[Y7A.09]"), "utf-8")
    before = _counts(world_db)
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        rejected = _preview(client, bad, "items")
        page = _preview(client, good, "items")
        assert page.status_code == 200, page.text
        done = client.post(
            "/imports/confirm", data={"token": _token(page), "csrf_token": session_token(client)}
        )
    assert rejected.status_code == 422
    row = '<tr><td>bad.yaml[knowledge_points]</td><td class="num">5</td><td>prerequisites</td>'
    assert row in rejected.text
    assert "Y7A.09" in rejected.text
    assert done.status_code == 200 and "导入完成" in done.text
    assert _counts(world_db)["knowledge_point"] == before["knowledge_point"] + 3
