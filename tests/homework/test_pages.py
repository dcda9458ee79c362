"""The homework pages on the demo district: each role's pages and refusals, the workbook, and
Chinese and English pages each without the other language's interface text."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    KnowledgePoint,
    School,
    SchoolClass,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)

DEMO_PASSWORD = "yincai-demo-2026"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
HIDDEN = re.compile(
    r'<(script|style|title)\b.*?</\1>|<a [^>]*lang="(zh-CN|en)".*?</a>|<[^>]+>', re.DOTALL
)
ALLOWED_LATIN = {"yincai", "Excel", "PDF"}  # names of things, shown in Chinese pages too


@dataclass(frozen=True)
class Demo:
    settings: Settings
    usernames: dict[Role, str]
    class_id: int  # a class of the demo teacher
    other_class_id: int  # a class they do not teach
    school_id: int
    own_student_id: int  # the demo student account's
    data_words: list[str]


@pytest.fixture(scope="module")
def demo(demo_settings: Settings) -> Iterator[Demo]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        accounts: dict[Role, UserAccount] = {}
        for account in session.scalars(select(UserAccount).order_by(UserAccount.id)):
            accounts.setdefault(account.role, account)
        taught = select(TeachingAssignment.school_class_id).where(
            TeachingAssignment.teacher_id == accounts[Role.TEACHER].teacher_id
        )
        class_id = session.scalars(taught.order_by(TeachingAssignment.school_class_id)).first()
        other = session.scalars(select(SchoolClass.id).where(SchoolClass.id.not_in(taught))).first()
        assert class_id is not None and other is not None
        words: list[str] = [*session.scalars(select(UserAccount.display_name))]
        for model in (Assessment, School, SchoolClass, Student, Subject, Teacher, KnowledgePoint):
            words += session.scalars(select(model.name))  # type: ignore[attr-defined]
        own = accounts[Role.STUDENT].student_id
        assert own is not None
        yield Demo(
            settings=demo_settings,
            usernames={role: account.username for role, account in accounts.items()},
            class_id=class_id,
            other_class_id=other,
            school_id=session.get_one(SchoolClass, class_id).school_id,
            own_student_id=own,
            data_words=sorted(set(words), key=len, reverse=True),
        )
    engine.dispose()


def _visible(html: str, data_words: list[str]) -> str:
    charts = " ".join(
        json.dumps(json.loads(unescape(chart)), ensure_ascii=False)
        for chart in re.findall(r"data-chart='([^']*)'", html)
    )
    text = unescape(HIDDEN.sub(" ", html)) + "\n" + charts
    for word in data_words:
        text = text.replace(word, " ")
    return text


def _chinese_lines(html: str, data_words: list[str]) -> list[str]:
    text = _visible(html, data_words)
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


def _english_words(html: str) -> list[str]:
    text = unescape(HIDDEN.sub(" ", html))
    words = re.findall(r"(?<![\w.-])[A-Za-z][A-Za-z]+(?![\w.-])", text)
    return sorted({w for w in words if w not in ALLOWED_LATIN})


def _pages(client: TestClient, demo: Demo) -> dict[str, str]:
    pages = {}
    for name, path in {
        "class": f"/classes/{demo.class_id}/homework",
        "class chinese": f"/classes/{demo.class_id}/homework?subject=CHN",
        "student": f"/students/{demo.own_student_id}/homework",
    }.items():
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        pages[name] = response.text
    return pages


def test_teacher_pages_in_chinese_have_no_english_and_in_english_no_chinese(demo: Demo) -> None:
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        chinese = _pages(client, demo)
        client.get("/lang/en")
        english = _pages(client, demo)
    assert "作业情况" in chinese["class"] and "缺交" in chinese["class"]
    assert {name: _english_words(html) for name, html in chinese.items()} == {
        name: [] for name in chinese
    }
    assert "Completion" in english["class"] and "Missing" in english["class"]
    assert {name: _chinese_lines(html, demo.data_words) for name, html in english.items()} == {
        name: [] for name in english
    }


def test_the_class_workbook_has_a_row_per_student_in_percent(demo: Demo) -> None:
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        response = client.get(f"/classes/{demo.class_id}/homework.xlsx?subject=MATH")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("学号", "姓名", "布置")
    assert sheet.freeze_panes == "A2"
    assert sheet["H2"].number_format == "0.0%" and sheet["I2"].number_format == "0.0%"
    engine = make_engine(demo.settings)
    with Session(engine) as session:
        numbers = sorted(
            session.scalars(
                select(Student.student_number).where(Student.school_class_id == demo.class_id)
            )
        )
    engine.dispose()
    assert sorted(str(row[0]) for row in rows[1:]) == numbers
    for row in rows[1:]:
        assigned, completed, on_time, late, missing = row[2:7]
        assert completed + missing == assigned and on_time + late == completed


def test_each_role_gets_its_pages_and_is_refused_the_others(demo: Demo) -> None:
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        home = client.get("/home").text
        roster = client.get(f"/classes/{demo.class_id}").text
        other = client.get(f"/classes/{demo.other_class_id}/homework")
        school = client.get(f"/schools/{demo.school_id}/homework")
    assert f"/classes/{demo.class_id}/homework" in home
    assert f"/classes/{demo.class_id}/homework" in roster
    assert other.status_code == school.status_code == 403
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        home = client.get("/home").text
        overview = client.get(f"/schools/{demo.school_id}/homework?sort=accuracy")
        bad_sort = client.get(f"/schools/{demo.school_id}/homework?sort=nonsense")
        bad_subject = client.get(f"/classes/{demo.class_id}/homework?subject=NOPE")
    assert f"/schools/{demo.school_id}/homework" in home
    assert overview.status_code == 200 and "data-chart" in overview.text
    assert f"/classes/{demo.class_id}/homework?subject=" in overview.text
    assert bad_sort.status_code == bad_subject.status_code == 422
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.STUDENT], DEMO_PASSWORD)
        profile = client.get("/home").text
        own = client.get(f"/students/{demo.own_student_id}/homework")
        own_class = client.get(f"/classes/{demo.class_id}/homework")
    assert f"/students/{demo.own_student_id}/homework" in profile
    assert own.status_code == 200 and own_class.status_code == 403
