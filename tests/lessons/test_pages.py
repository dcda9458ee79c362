"""The lesson pages on the demo district: draft, save, edit and confirm through the forms; the
same figures on the page, in the DOCX and in the PDF; refusals and bad input answered 4xx."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Item,
    ItemKp,
    KnowledgePoint,
    KpLevel,
    SchoolClass,
    Subject,
    TeachingAssignment,
)
from yincai.lessons.plan import SECTION_KEYS, SECTION_TITLES
from yincai.library.documents import read_file

DEMO_PASSWORD = "yincai-demo-2026"
FIGURES = re.compile(r'<table class="figures">(.*?)</table>', re.DOTALL)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.DOTALL)


@dataclass(frozen=True)
class Demo:
    settings: Settings
    usernames: dict[Role, str]
    class_id: int
    other_class_id: int  # a class the teacher does not teach
    is_admin_s_school: bool  # whether the school admin's school is the class's
    kp_id: int
    chapter_id: int


@pytest.fixture(scope="module")
def demo(demo_settings: Settings) -> Iterator[Demo]:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        accounts: dict[Role, UserAccount] = {}
        for account in session.scalars(select(UserAccount).order_by(UserAccount.id)):
            accounts.setdefault(account.role, account)
        teacher = accounts[Role.TEACHER]
        taught = select(TeachingAssignment.school_class_id).where(
            TeachingAssignment.teacher_id == teacher.teacher_id
        )
        class_id = session.scalars(taught.order_by(TeachingAssignment.school_class_id)).first()
        other = session.scalars(
            select(SchoolClass.id).where(SchoolClass.id.not_in(taught)).order_by(SchoolClass.id)
        ).first()
        school_class = session.get(SchoolClass, class_id)
        assert school_class is not None and other is not None
        kp_id = session.scalar(
            select(KnowledgePoint.id)
            .join(Subject, Subject.id == KnowledgePoint.subject_id)
            .join(ItemKp, ItemKp.knowledge_point_id == KnowledgePoint.id)
            .join(Item, Item.id == ItemKp.item_id)
            .where(Subject.code == "MATH", KnowledgePoint.level == KpLevel.POINT)
            .order_by(KnowledgePoint.code)
        )
        chapter_id = session.scalar(
            select(KnowledgePoint.id).where(KnowledgePoint.level == KpLevel.CHAPTER)
        )
        assert kp_id and chapter_id
        yield Demo(
            settings=demo_settings,
            usernames={role: account.username for role, account in accounts.items()},
            class_id=school_class.id,
            other_class_id=other,
            is_admin_s_school=accounts[Role.SCHOOL_ADMIN].school_id == school_class.school_id,
            kp_id=kp_id,
            chapter_id=chapter_id,
        )
    engine.dispose()


def _figures(html: str) -> list[str]:
    table = FIGURES.search(html)
    assert table, "no figures table"
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in CELL.findall(table[1])]


def _save(client: TestClient, demo: Demo, **fields: str | list[str]) -> str:
    response = client.post(
        f"/classes/{demo.class_id}/lessons",
        data={"kp": str(demo.kp_id), "csrf_token": session_token(client), **fields},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]
    return str(response.headers["location"]).split("?")[0]


def test_a_draft_is_saved_edited_confirmed_and_downloaded_with_the_same_figures(
    demo: Demo,
) -> None:
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        assert f"/classes/{demo.class_id}/lessons" in client.get("/lessons").text
        picker = client.get(f"/classes/{demo.class_id}/lessons")
        assert picker.status_code == 200 and f'value="{demo.kp_id}"' in picker.text
        draft = client.get(f"/classes/{demo.class_id}/lessons/new?kp={demo.kp_id}")
        assert draft.status_code == 200
        assert draft.text.count("机器草拟，待教师确认") == len(SECTION_KEYS)
        path = _save(client, demo, homework="练习册第 12 页。", confirm=["objectives"])
        page = client.get(path).text
        assert page.count("教师已确认") == 2 and "练习册第 12 页。" in page
        response = client.post(
            path,
            data={"confirm": ["exercises", "mistakes"], "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303
        page = client.get(path).text
        assert page.count("教师已确认") == 4
        docx = client.get(path + ".docx")
        pdf = client.get(path + ".pdf")
    assert docx.status_code == 200 and pdf.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    figures = _figures(page)
    assert len(figures) == 20 and any(v.isdigit() and v != "0" for v in figures[1::2])
    parsed = read_file(Path("plan.docx"), docx.content)  # the library's own DOCX reader
    headings = [s.heading for s in parsed.sections]
    assert headings == ["本班数据", *(str(SECTION_TITLES[key]) for key in SECTION_KEYS)]
    docx_text = "\n".join(s.text for s in parsed.sections)
    pdf_text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    )
    for label, value in zip(figures[::2], figures[1::2], strict=True):
        assert f"{label}\n{value}" in docx_text, label
        assert f"{label} {value}" in pdf_text, label
    assert "练习册第 12 页。" in docx_text and "练习册第 12 页。" in pdf_text
    assert docx_text.count("教师已确认") == 4 and pdf_text.count("教师已确认") == 4


def test_others_are_refused_and_bad_input_is_answered_4xx(demo: Demo) -> None:
    with TestClient(create_app(demo.settings)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        path = _save(client, demo)
        new = f"/classes/{demo.class_id}/lessons/new"
        assert client.get(f"{new}?kp={demo.chapter_id}").status_code == 422
        assert client.get(f"{new}?kp=999999999").status_code == 404
        assert client.get(f"{new}?kp=abc").status_code == 422
        assert client.get(new).status_code == 422
        too_long = client.post(
            path,
            data={"homework": "题" * 6001, "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert too_long.status_code == 422
        unknown = client.post(
            path,
            data={"confirm": ["preface"], "csrf_token": session_token(client)},
            follow_redirects=False,
        )
        assert unknown.status_code == 422
        assert client.get("/lessons/999999999").status_code == 404
        other_class = f"/classes/{demo.other_class_id}/lessons"
        assert client.get(other_class).status_code == 403
        assert client.get(f"{other_class}/new?kp={demo.kp_id}").status_code == 403
    for role in (Role.DISTRICT_ADMIN, Role.STUDENT, Role.PARENT, Role.SCHOOL_ADMIN):
        with TestClient(create_app(demo.settings)) as client:
            logged_in(client, demo.usernames[role], DEMO_PASSWORD)
            expected = 200 if role is Role.SCHOOL_ADMIN and demo.is_admin_s_school else 403
            assert client.get(path).status_code == expected, role
            assert client.get(path + ".docx").status_code == expected, role
            assert client.get(f"{new}?kp={demo.kp_id}").status_code == expected, role
            if expected == 403:
                refused = client.post(
                    path,
                    data={"confirm": ["homework"], "csrf_token": session_token(client)},
                    follow_redirects=False,
                )
                assert refused.status_code == 403, role


def test_the_english_interface_drafts_and_labels_in_english(demo: Demo) -> None:
    with TestClient(create_app(demo.settings)) as client:
        client.get("/lang/en")
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        page = client.get(f"/classes/{demo.class_id}/lessons/new?kp={demo.kp_id}").text
    assert "Exercises at three levels" in page and "Save the lesson plan" in page
    assert "Drafted by the machine, awaiting the teacher's confirmation" in unescape(page)
    for chinese in ("分层练习", "机器草拟", "本班数据", "计入的学生", "【基础】", "课前 5 分钟"):
        assert chinese not in page, chinese
