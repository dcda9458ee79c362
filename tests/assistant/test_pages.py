"""The assistant's pages on a copy of the demo district: a student asks (with a model on the
loopback address, then with it gone), a teacher of the class reads the conversation, another
teacher and another student are refused, bad input is a 4xx."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.fake_model import completion, fake_model
from tests.demo_copies import writable_demo_copy
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import hash_password
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import Student, Teacher, TeachingAssignment


def _accounts(settings: Settings) -> dict[str, str]:
    """Usernames: the demo student, a teacher of their class, a teacher of another class."""
    engine = make_engine(settings)
    with session_scope(engine) as session:
        student = session.scalars(
            select(UserAccount).where(UserAccount.role == Role.STUDENT).order_by(UserAccount.id)
        ).first()
        assert student is not None and student.student_id is not None
        class_id = session.get_one(Student, student.student_id).school_class_id
        taught = select(TeachingAssignment.teacher_id).where(
            TeachingAssignment.school_class_id == class_id
        )
        names = {"student": student.username}
        for label, condition in (("teacher", Teacher.id.in_(taught)),
                                 ("other", Teacher.id.not_in(taught))):  # fmt: skip
            teacher = session.scalars(select(Teacher).where(condition).order_by(Teacher.id)).first()
            assert teacher is not None
            username = f"assistant-{label}"
            session.add(
                UserAccount(
                    username=username,
                    password_hash=hash_password(DEMO_PASSWORD, username=username),
                    role=Role.TEACHER,
                    display_name=teacher.name,
                    district_id=student.district_id,
                    school_id=session.scalar(
                        select(Teacher.school_id).where(Teacher.id == teacher.id)
                    ),
                    teacher_id=teacher.id,
                    is_active=True,
                    created_at=student.created_at,
                )
            )
            names[label] = username
        names["student_id"] = str(student.student_id)
    engine.dispose()
    return names


def _ask(client: TestClient, question: str) -> str:
    response = client.post(
        "/assistant",
        data={"question": question, "csrf_token": session_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    return str(response.headers["location"])


def test_asking_reading_and_refusing_on_the_pages(demo_settings: Settings, tmp_path: Path) -> None:
    copy = writable_demo_copy(demo_settings, tmp_path / "demo")
    names = _accounts(copy)
    with fake_model() as model:
        model.answer = lambda _payload: (200, completion("负数的绝对值是它的相反数 [1]。"))
        settings = copy.model_copy(update={"llm_url": model.url, "llm_model": "test-model"})
        with TestClient(create_app(settings)) as client:
            logged_in(client, names["student"], DEMO_PASSWORD)
            location = _ask(client, "负数的绝对值怎么求？")
            page = client.get(location)
            assert page.status_code == 200
            assert "AI 生成" in page.text and "负数的绝对值是它的相反数" in page.text
            assert re.search(r'<a href="/library/\d+#c\d+">\[1\]</a>', page.text)
            assert "你的老师可以看到你和助教的对话" in page.text
            conversation_id = int(location.split("c=")[1].split("#")[0])
            empty = client.post(
                "/assistant", data={"question": " ", "csrf_token": session_token(client)}
            )
            assert empty.status_code == 422 and "请输入问题" in empty.text
            assert client.get(f"/assistant/students/{names['student_id']}").status_code == 403
        assert len(model.payloads) == 1
    away = copy.model_copy(update={"llm_url": model.url, "llm_model": "test-model"})  # closed
    with TestClient(create_app(away)) as client:
        logged_in(client, names["student"], DEMO_PASSWORD)
        page = client.get(_ask(client, "相反数是什么？"))
        assert page.status_code == 200 and "语言模型暂时无法连接" in page.text
        assert "资源库摘录" in page.text
    with TestClient(create_app(copy)) as client:
        logged_in(client, names["teacher"], DEMO_PASSWORD)
        home = client.get("/assistant")
        assert home.status_code == 200 and f"/assistant/students/{names['student_id']}" in home.text
        listed = client.get(f"/assistant/students/{names['student_id']}")
        assert (
            listed.status_code == 200
            and f"/assistant/conversations/{conversation_id}" in listed.text
        )
        read = client.get(f"/assistant/conversations/{conversation_id}")
        assert read.status_code == 200 and "AI 生成" in read.text and "已记入审计日志" in read.text
    with TestClient(create_app(copy)) as client:
        logged_in(client, names["other"], DEMO_PASSWORD)
        assert client.get(f"/assistant/conversations/{conversation_id}").status_code == 404
        assert client.get(f"/assistant/students/{names['student_id']}").status_code == 403
        assert client.get("/assistant?c=abc").status_code == 422
    engine = make_engine(copy)
    with Session(engine) as session:
        assert session.get_one(Student, int(names["student_id"])) is not None
    engine.dispose()


@pytest.mark.parametrize("path", ["/assistant", "/assistant/conversations/1"])
def test_the_pages_need_a_login(demo_settings: Settings, path: str) -> None:
    with TestClient(create_app(demo_settings)) as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code in (303, 401)
