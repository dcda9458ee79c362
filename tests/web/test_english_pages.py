"""The English interface is English throughout, and an error is translated once, at the edge."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.governance.world import build_world
from tests.hub.builders import write_csv
from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import (
    Assessment,
    District,
    Grade,
    JointExam,
    School,
    SchoolClass,
    Student,
    Subject,
    Teacher,
)

# Han ideographs, CJK punctuation (、。「」（）：；) and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Markup, scripts, and the link to the Chinese interface (which names it in Chinese).
HIDDEN = re.compile(
    r'<(script|style|title)\b.*?</\1>|<a [^>]*lang="zh-CN".*?</a>|<[^>]+>', re.DOTALL
)


@pytest.fixture
def world_db(make_database: Callable[[], Settings]) -> WorldDatabase:
    """A fresh database with the scope world: the import preview writes an upload."""
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        world = build_world(session)
    engine.dispose()
    return WorldDatabase(settings, world)


def _data_words(world_db: WorldDatabase) -> list[str]:
    """The names stored in the database (Chinese data, not interface text), longest first."""
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        words = [*session.scalars(select(UserAccount.display_name))]
        for model in (Assessment, District, Grade, JointExam, School, SchoolClass, Student,
                      Subject, Teacher):  # fmt: skip
            words += session.scalars(select(model.name))  # type: ignore[attr-defined]
    engine.dispose()
    return sorted(set(words), key=len, reverse=True)


def _interface_cjk(html: str, data_words: list[str]) -> list[str]:
    charts = " ".join(  # axis and series names show too
        json.dumps(json.loads(unescape(chart)), ensure_ascii=False)
        for chart in re.findall(r"data-chart='([^']*)'", html)
    )
    text = HIDDEN.sub(" ", html) + "\n" + charts
    for word in data_words:
        text = text.replace(word, " ")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def test_key_pages_in_english_show_no_chinese_interface_text(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    world = world_db.world
    sheet = write_csv(
        tmp_path / "scores.csv",
        ["student_number", "name", "1"],
        [[world.names["A2"][1], world.names["A2"][0], "abc"], ["W-NOBODY", "", "120"]],
    )
    with TestClient(create_app(world_db.settings)) as client:
        client.get("/lang/en")
        pages = {"login": client.get("/login")}
        logged_in(client, world.usernames["teacher"])
        pages["teacher home"] = client.get("/home")
        pages["student report"] = client.get(f"/students/{world['A2']}/assessments/{world['E1']}")
        pages["import preview"] = client.post(
            "/imports/preview",
            data={
                "kind": "scores",
                "assessment_code": "W-E1",
                "csrf_token": session_token(client),
            },
            files={"file": (sheet.name, sheet.read_bytes(), "text/csv")},
        )
    assert [page.status_code for page in pages.values()] == [200, 200, 200, 422]
    assert "Not a number" in pages["import preview"].text
    data_words = _data_words(world_db)
    assert {name: _interface_cjk(page.text, data_words) for name, page in pages.items()} == {
        name: [] for name in pages
    }


@pytest.mark.parametrize(
    ("language", "detail"), [("zh", "学生 999999 不存在"), ("en", "Student 999999 does not exist")]
)
def test_a_service_error_is_translated_at_the_edge_with_one_code(
    world_db: WorldDatabase, language: str, detail: str
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["teacher"])
        api = client.get("/api/hub/students/999999", params={"lang": language})
        page = client.get("/students/999999", params={"lang": language})
    assert api.status_code == page.status_code == 404
    assert api.json() == {"code": "student.not_found", "detail": detail, "errors": []}
    assert detail in page.text


def test_refusals_before_any_route_answer_in_the_requests_language(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["teacher"])
        refused = client.post(
            "/api/cockpit/warnings/acknowledge", params={"lang": "en"}, json={"key": "x"}
        )
        unknown = client.get("/api/hub/students/99999999999999999999", params={"lang": "en"})
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "csrf.refused",
        "detail": "The request lacks a valid security token: reload the page and try again",
    }
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert unknown.json()["detail"] == "No such object"


PAGES = {
    "district_admin": (
        "/home", "/schools/{S1}", "/assessments/{E1}/report", "/imports", "/imports/history",
        "/assessments/new", "/itembank", "/cockpit", "/cockpit/warnings", "/governance/users",
        "/governance/audit", "/governance/exports/research", "/privacy", "/account/password",
        "/account/two-factor", "/joint-exams", "/joint-exams/{J1}/report",
    ),
    "teacher": ("/home", "/classes/{C1a}", "/students/{A2}", "/assessments/{E1}/report",
                "/joint-exams/{J1}/report", "/students/{A2}/joint-exams"),
    "parent": ("/home", "/students/{A1}/assessments/{E1}", "/students/{A1}/joint-exams"),
    "student": ("/home", "/students/{A1}/joint-exams"),
}  # fmt: skip


def test_every_page_of_every_role_in_english_shows_no_chinese_interface_text(
    world_db: WorldDatabase,
) -> None:
    world = world_db.world
    data_words = _data_words(world_db)
    found, statuses = {}, set()
    for role, paths in PAGES.items():
        with TestClient(create_app(world_db.settings)) as client:
            client.get("/lang/en")
            logged_in(client, world.usernames[role])
            for path in paths:
                page = client.get(path.format_map(world.ids))
                statuses.add(page.status_code)
                found[f"{role} {path}"] = _interface_cjk(page.text, data_words)
    assert statuses == {200}
    assert {page: left for page, left in found.items() if left} == {}
