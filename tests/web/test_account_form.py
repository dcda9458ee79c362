"""Creating an account by hand: a teacher needs a 工号 on the roster, a student or parent a 学号;
a refusal says so in the reader's language and keeps what was typed (never the password)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.clients import logged_in, session_token
from tests.web.conftest import WorldDatabase
from yincai.app import create_app


def _form(token: str, **fields: str) -> dict[str, str]:
    return {
        "username": "new-teacher",
        "display_name": "新老师",
        "password": "teacher-pass-1",
        "role": "teacher",
        "must_change_password": "true",
        "csrf_token": token,
        **fields,
    }


def test_a_teacher_account_without_a_staff_number_is_refused_in_words_keeping_the_form(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["district_admin"])
        token = session_token(client)
        blank = client.post("/governance/users", data=_form(token))
        unknown = client.post("/governance/users", data=_form(token, staff_number="NOPE1"))
        english = client.post("/governance/users", data=_form(token), params={"lang": "en"})
        parent = client.post(
            "/governance/users", data=_form(token, role="parent", username="new-parent")
        )
        made = client.post("/governance/users", data=_form(token, staff_number="WT2"))
    assert blank.status_code == unknown.status_code == parent.status_code == 422
    assert "教师账号须填写工号" in blank.text and "None" not in blank.text
    assert 'name="username" value="new-teacher"' in blank.text
    assert 'name="display_name" value="新老师"' in blank.text
    assert '<option value="teacher" selected>' in blank.text
    assert "teacher-pass-1" not in blank.text
    assert "找不到工号为 NOPE1 的教师" in unknown.text
    assert 'name="staff_number" value="NOPE1"' in unknown.text
    assert "staff number" in english.text and "教师账号须填写工号" not in english.text
    assert "学生和家长账号须填写学生的学号" in parent.text
    assert made.status_code == 200 and "账号已创建" in made.text
