"""The import workflow around the file: uploads kept privately and only until confirmed, templates
that import as they are, scores written only by teachers of the subject, exams created on the web,
and the history page with its revert button."""

from __future__ import annotations

import io
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import python_calamine
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.world import PASSWORD
from tests.hub.builders import write_csv
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.db import make_engine, session_scope
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    Sitting,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.hub import imports_pages
from yincai.hub import service as hub_service


def _preview(client: TestClient, path: Path, kind: str, **fields: str) -> tuple[int, str]:
    page = client.post(
        "/imports/preview",
        data={"kind": kind, "csrf_token": session_token(client), **fields},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    return page.status_code, page.text


def _token(text: str) -> str:
    marker = 'name="token" value="'
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


def _uploads(world_db: WorldDatabase) -> Path:
    return Path(world_db.settings.data_dir) / "uploads"


def test_uploads_are_private_and_gone_once_confirmed_cancelled_or_rejected(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    world = world_db.world
    sheet = write_csv(tmp_path / "s.csv", ["学号", "1"], [[world.names["A2"][1], "75"]])
    bad = write_csv(tmp_path / "bad.csv", ["学号", "1"], [[world.names["A2"][1], "999"]])
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        status, text = _preview(client, sheet, "scores", assessment_code="W-E1")
        assert status == 200
        (folder,) = _uploads(world_db).iterdir()
        assert stat.S_IMODE(_uploads(world_db).stat().st_mode) == 0o700
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert {stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()} == {0o600}
        client.post(
            "/imports/cancel", data={"token": _token(text), "csrf_token": session_token(client)}
        )
        assert list(_uploads(world_db).iterdir()) == []
        rejected, _ = _preview(client, bad, "scores", assessment_code="W-E1")
        assert rejected == 422 and list(_uploads(world_db).iterdir()) == []
        status, text = _preview(client, sheet, "scores", assessment_code="W-E1")
        done = client.post(
            "/imports/confirm",
            data={"token": _token(text), "overwrite": "true", "csrf_token": session_token(client)},
        )
        assert done.status_code == 200 and list(_uploads(world_db).iterdir()) == []
        status, text = _preview(client, sheet, "scores", assessment_code="W-E1")
        assert "文件内容与现有数据一致" in text and list(_uploads(world_db).iterdir()) == []


def test_an_upload_left_unconfirmed_expires(world_db: WorldDatabase, tmp_path: Path) -> None:
    world = world_db.world
    sheet = write_csv(tmp_path / "s.csv", ["学号", "1"], [[world.names["A2"][1], "70"]])
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        _, text = _preview(client, sheet, "scores", assessment_code="W-E1")
        (old,) = _uploads(world_db).iterdir()
        past = datetime.now(UTC).timestamp() - 3600
        os.utime(old, (past, past))
        _preview(client, sheet, "scores", assessment_code="W-E1")  # any preview sweeps
        assert old not in list(_uploads(world_db).iterdir())
        expired = client.post(
            "/imports/confirm",
            data={"token": _token(text), "overwrite": "true", "csrf_token": session_token(client)},
        )
    assert expired.status_code == 404 and "已过期" in expired.text


def test_every_template_downloads_and_imports_as_it_is(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    """The roster, item bank and assessment templates import their example rows; the score
    template of an exam lists its items and the teacher's own students only."""
    world = world_db.world
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["district_admin"])
        files = {
            kind: client.get(f"/imports/templates/{kind}.xlsx")
            for kind in ("roster", "items", "assessment")
        }
        logged_in(client, world.usernames["teacher"])
        mine = client.get("/imports/templates/scores.xlsx", params={"assessment": "W-E1"})
        refused = client.get("/imports/templates/roster.xlsx")
        page = client.get("/imports")
    assert refused.status_code == 403
    assert 'value="W-E1"' in page.text  # offered to the teacher who may write its scores
    for response in (*files.values(), mine):
        assert response.status_code == 200
        assert response.headers["content-type"] == imports_pages.XLSX_TYPE
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        for kind in ("roster", "items", "assessment"):
            path = tmp_path / f"{kind}.xlsx"
            path.write_bytes(files[kind].content)
            summary = hub_service.run_import(
                session, hub_service.ImportRequest(kind, path, district_code="W-D1")
            )
            assert sum(c.new for c in summary.counts.values()) > 0, kind
        created = session.scalar(select(Assessment).where(Assessment.code == "2026A-M7-1"))
        assert created is not None and [i.label for i in created.items] == ["1"]
    engine.dispose()
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(mine.content))
    table = rows.get_sheet_by_index(0).to_python()
    assert table[0] == ["学号", "姓名", "班级", "1"]
    numbers = {row[0] for row in table[1:]}
    assert numbers == {world.names["A1"][1], world.names["A2"][1]}  # class 7-1 only


def test_a_chinese_teacher_of_a_class_cannot_write_its_maths_scores(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    world = world_db.world
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        chinese = Subject(code="W-CHN", name="语文")
        teacher = Teacher(school_id=world["S1"], staff_number="W-T7", name="语文老师")
        session.add_all([chinese, teacher])
        session.flush()
        session.add(TeachingAssignment(teacher_id=teacher.id, school_class_id=world["C1a"],
                                       subject_id=chinese.id))  # fmt: skip
        session.add(UserAccount(username="w-chinese", role=Role.TEACHER, display_name="语文老师",
                                password_hash=session.scalar(select(UserAccount.password_hash)
                                                             .limit(1)),
                                district_id=world["D1"], school_id=world["S1"],
                                teacher_id=teacher.id, is_active=True,
                                created_at=datetime.now(UTC)))  # fmt: skip
        chinese_exam = Assessment(code="W-CHN-E", name="语文测验", kind=AssessmentKind.EXAM,
                                  held_on=date(2026, 11, 2), subject_id=chinese.id,
                                  grade_level=7, district_id=world["D1"])  # fmt: skip
        session.add(chinese_exam)
        session.flush()
        session.add(AssessmentClass(assessment_id=chinese_exam.id, school_class_id=world["C1a"]))
    sheet = write_csv(tmp_path / "s.csv", ["学号", "1"], [[world.names["A2"][1], "10"]])
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, "w-chinese", PASSWORD)
        status, text = _preview(client, sheet, "scores", assessment_code="W-E1")
        page = client.get("/imports")
        template = client.get("/imports/templates/scores.xlsx", params={"assessment": "W-E1"})
        logged_in(client, world.usernames["teacher"])  # the class's maths teacher
        maths_page = client.get("/imports")
    assert status == 403 and "任教该学科" in text
    # the import page offers only exams whose scores the teacher may write
    assert page.status_code == 200 and 'value="W-E1"' not in page.text
    assert 'value="W-CHN-E"' in page.text
    assert template.status_code == 403
    assert 'value="W-E1"' in maths_page.text and 'value="W-CHN-E"' not in maths_page.text
    with session_scope(engine) as session:
        total = session.scalar(select(Sitting.total_score).where(Sitting.student_id == world["A2"]))
    engine.dispose()
    assert total == 71.5  # unchanged


def test_a_teacher_creates_an_exam_for_own_classes_and_a_bad_form_keeps_its_values(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    form = {"code": "W-Q1", "name": "第三单元测验", "kind": "quiz", "held_on": "2026-12-01",
            "subject": "W-MATH", "grade": "7", "items": "1 4\n2 6\n3(1) 5"}  # fmt: skip
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["teacher"])
        token = session_token(client)
        outside = client.post(
            "/assessments/new",
            data={**form, "class_ids": [str(world["C1b"])], "csrf_token": token},
        )
        broken = client.post(
            "/assessments/new",
            data={**form, "items": "1 four", "class_ids": [str(world["C1a"])], "csrf_token": token},
        )
        done = client.post(
            "/assessments/new",
            data={**form, "class_ids": [str(world["C1a"])], "csrf_token": token},
            follow_redirects=False,
        )
        again = client.post(
            "/assessments/new",
            data={**form, "class_ids": [str(world["C1a"])], "csrf_token": token},
        )
    assert outside.status_code == 403
    assert (
        broken.status_code == 422 and "题号 满分" in broken.text and "第三单元测验" in broken.text
    )
    assert done.status_code == 303 and done.headers["location"] == "/imports?created=W-Q1"
    assert again.status_code == 409
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        quiz = session.scalars(select(Assessment).where(Assessment.code == "W-Q1")).one()
        assert [(i.label, i.full_score) for i in quiz.items] == [("1", 4), ("2", 6), ("3(1)", 5)]
        classes = session.scalars(
            select(AssessmentClass.school_class_id).where(AssessmentClass.assessment_id == quiz.id)
        ).all()
    engine.dispose()
    assert list(classes) == [world["C1a"]]


def test_the_history_page_lists_imports_and_reverts_the_last_one(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    world = world_db.world
    first = write_csv(tmp_path / "first.csv", ["学号", "1"], [[world.names["A2"][1], "60"]])
    second = write_csv(tmp_path / "second.csv", ["学号", "1"], [[world.names["A2"][1], "90"]])
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world.usernames["teacher"])
        for sheet in (first, second):
            _, text = _preview(client, sheet, "scores", assessment_code="W-E1")
            client.post(
                "/imports/confirm",
                data={
                    "token": _token(text),
                    "overwrite": "true",
                    "csrf_token": session_token(client),
                },
            )
        history = client.get("/imports/history")
        reverted = client.post(
            "/imports/revert",
            data={"assessment_code": "W-E1", "csrf_token": session_token(client)},
        )
        other = client.get("/imports/history")
        logged_in(client, "w-teacher3")
        hidden = client.get("/imports/history")
    assert history.status_code == 200
    assert history.text.index("second.csv") < history.text.index("first.csv")
    assert history.text.count("撤销此次导入") == 1 and "账号teacher" in history.text
    assert reverted.status_code == 200 and "已撤销 second.csv" in reverted.text
    assert "撤销了第" in other.text
    assert "first.csv" in hidden.text  # W-T3 teaches 7-1 of S2, which sat W-E1 too
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        total = session.scalar(select(Sitting.total_score).where(Sitting.student_id == world["A2"]))
    engine.dispose()
    assert total == 60.0
