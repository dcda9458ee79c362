"""``/library/upload``: staff upload one file with its tags, checked as ``yincai library import``
checks it; a bad file or tag is a 422 naming the file, the field and the reason with nothing
written (every table's row count unchanged); the same file again changes nothing; students and
parents are refused; the form needs its CSRF token; an over-size body is refused up front."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.conftest import _new_settings
from tests.library.conftest import ABS, note
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.passwords import hash_password
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import Base, make_engine, session_scope
from yincai.domain.models import (
    District,
    Gender,
    Grade,
    KnowledgePoint,
    KpLevel,
    Resource,
    School,
    SchoolClass,
    Setting,
    Stage,
    Student,
    Subject,
    Teacher,
)
from yincai.library.models import ResourceChunk
from yincai.migrations import upgrade
from yincai.privacy.registry import load_all_models

PASSWORD = "upload-password-1"
NOTE = note(
    "U-ABS", "绝对值讲义", "## 知识要点\n\n负数的绝对值是它的相反数。\n\n## 例题\n\n|-7| = 7。"
)
PLAIN = "# 相反数小结\n\n## 要点\n\n互为相反数的两数和为 0。\n\n## 例题\n\n-3 的相反数是 3。\n"


@dataclass(frozen=True)
class World:
    settings: Settings
    usernames: dict[Role, str]


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory, _schemas: list[str]) -> World:
    """测试学科 with two points, one class, and an account of every role, built once per backend
    (the tests write only resources of their own codes)."""
    settings = _new_settings(backend, tmp_path_factory.mktemp("upload"), _schemas)
    engine = make_engine(settings)
    upgrade(engine)
    password_hash = hash_password(PASSWORD, username="u-any")  # argon2 once, not per account
    with session_scope(engine) as session:
        district = District(code="D1", name="测试区")
        subject = Subject(code="TST", name="测试学科")
        session.add_all([district, subject])
        session.flush()
        session.add_all(
            KnowledgePoint(subject_id=subject.id, code=code, name=name, level=KpLevel.POINT)
            for code, name in (("T7.01", "绝对值"), ("T7.02", "相反数"))
        )
        school = School(
            district_id=district.id, code="S1", name="一中", setting=Setting.URBAN,
            stage=Stage.JUNIOR,
        )  # fmt: skip
        session.add(school)
        session.flush()
        grade = Grade(school_id=school.id, level=7, name="七年级")
        teacher = Teacher(school_id=school.id, staff_number="T001", name="教师甲")
        session.add_all([grade, teacher])
        session.flush()
        school_class = SchoolClass(school_id=school.id, grade_id=grade.id, name="7-1")
        session.add(school_class)
        session.flush()
        student = Student(
            district_id=district.id, school_class_id=school_class.id, student_number="2026001",
            name="学生甲", gender=Gender.FEMALE,
        )  # fmt: skip
        session.add(student)
        session.flush()
        links = {
            Role.DISTRICT_ADMIN: {},
            Role.SCHOOL_ADMIN: {"school_id": school.id},
            Role.TEACHER: {"school_id": school.id, "teacher_id": teacher.id},
            Role.STUDENT: {"student_id": student.id},
            Role.PARENT: {"student_id": student.id},
        }
        session.add_all(
            UserAccount(
                username=f"u-{role.value}", password_hash=password_hash, role=role,
                display_name=role.value, district_id=district.id, is_active=True,
                created_at=datetime.now(UTC), **link,
            )
            for role, link in links.items()
        )  # fmt: skip
    engine.dispose()
    return World(settings, {role: f"u-{role.value}" for role in Role})


def _counts(settings: Settings) -> dict[str, int]:
    """Rows of every table of the platform."""
    load_all_models()
    engine = make_engine(settings)
    with engine.connect() as connection:
        counts = {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def _post(client: TestClient, name: str, data: bytes, **tags: str) -> tuple[int, str]:
    response = client.post(
        "/library/upload",
        data={"csrf_token": session_token(client), **tags},
        files={"file": (name, data, "application/octet-stream")},
    )
    return response.status_code, response.text


def test_a_teacher_uploads_a_note_and_the_same_file_again_changes_nothing(world: World) -> None:
    before = _counts(world.settings)
    with TestClient(create_app(world.settings)) as client:
        logged_in(client, world.usernames[Role.TEACHER], PASSWORD)
        form = client.get("/library/upload")
        first = _post(client, "u-abs.md", NOTE)
        after_first = _counts(world.settings)
        again = _post(client, "u-abs.md", NOTE)
        after_again = _counts(world.settings)
        tagged = _post(
            client, "plain.md", PLAIN.encode(), subject="TST", grade="七年级",
            knowledge_points="相反数, T7.01", licence="CC BY 4.0", kind="例题",
        )  # fmt: skip
        found = client.get("/library?q=相反数的和")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert first[0] == 200 and "已加入资源库" in first[1] and "段落 2" in first[1]
    assert again[0] == 200 and "未做任何更改" in again[1]
    assert after_again == after_first  # not a row more, not even an audit row
    assert after_first["resource"] == before["resource"] + 1
    assert after_first["resource_chunk"] == before["resource_chunk"] + 2
    assert after_first["audit_event"] == before["audit_event"] + 2  # the login and the upload
    assert tagged[0] == 200 and "已加入资源库" in tagged[1]
    assert "两数和为 0" in found.text
    engine = make_engine(world.settings)
    with session_scope(engine) as session:
        plain = session.scalars(select(Resource).where(Resource.code == "plain")).one()
        points = session.scalars(
            text(
                "SELECT kp.code FROM resource_kp JOIN knowledge_point kp "
                "ON kp.id = resource_kp.knowledge_point_id WHERE resource_id = :id ORDER BY 1"
            ),
            {"id": plain.id},
        ).all()
        n_passages = session.scalar(
            select(func.count())
            .select_from(ResourceChunk)
            .where(ResourceChunk.resource_id == plain.id)
        )
        assert (plain.grade_level, plain.licence, plain.kind) == (7, "CC BY 4.0", "例题")
        assert points == ["T7.01", "T7.02"] and n_passages == 2
    engine.dispose()


BAD = [  # file name, bytes, tags typed in the form, the field named, the reason's words
    ("slides.pptx", b"x", {}, "—", "不支持的文件类型"),
    ("empty.md", b"  \n", {}, "—", "文件是空的"),
    ("latin.md", "# é\n\n## a\n\nb".encode("latin-1"), {"subject": "TST"}, "—", "UTF-8"),
    ("abs.md", ABS, {"knowledge_points": "NOPE"}, "知识点", "NOPE"),
    ("abs.md", ABS, {"grade": "十三年级"}, "年级", "无法识别的年级"),
    ("plain.md", PLAIN.encode(), {}, "学科", "没有注明学科"),
    ("plain.md", PLAIN.encode(), {"subject": "化学"}, "学科", "未知学科"),
]


def test_a_bad_file_or_tag_is_a_422_naming_it_and_writes_nothing(world: World) -> None:
    problems = []
    with TestClient(create_app(world.settings)) as client:
        logged_in(client, world.usernames[Role.DISTRICT_ADMIN], PASSWORD)
        for name, data, tags, field, reason in BAD:
            before = _counts(world.settings)
            status, body = _post(client, name, data, **tags)
            if status != 422 or "未写入任何数据" not in body or reason not in body:
                problems.append(f"{name} {tags}: {status}")
            if f"<td>{name}</td><td>{field}</td>" not in body:
                problems.append(f"{name} {tags}: the file and field are not named")
            if _counts(world.settings) != before:
                problems.append(f"{name} {tags}: rows written")
    assert problems == []


def test_students_and_parents_are_refused_and_the_form_needs_its_token(world: World) -> None:
    app = create_app(world.settings)
    statuses = {}
    before = _counts(world.settings)
    for role in (Role.STUDENT, Role.PARENT):
        with TestClient(app) as client:
            logged_in(client, world.usernames[role], PASSWORD)
            form = client.get("/library/upload").status_code
            posted = _post(client, "a.md", ABS)[0]
            statuses[role] = (form, posted, "/library/upload" in client.get("/library").text)
    refused = _counts(world.settings)
    with TestClient(app) as client:
        logged_in(client, world.usernames[Role.SCHOOL_ADMIN], PASSWORD)
        form = client.get("/library/upload").status_code
        posted = _post(client, "a.md", ABS)[0]
        statuses[Role.SCHOOL_ADMIN] = (
            form,
            posted,
            "/library/upload" in client.get("/library").text,
        )
    small = world.settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(small)) as client:
        anonymous = client.post("/library/upload", files={"file": ("a.md", ABS)})
        logged_in(client, world.usernames[Role.TEACHER], PASSWORD)
        no_token = client.post("/library/upload", files={"file": ("a.md", ABS)})
        limit = 2**20
        token = session_token(client)
        just_over = client.post(  # within the multipart framing's margin: the page says so
            "/library/upload",
            data={"csrf_token": token},
            files={"file": ("big.md", b"x" * (limit + 1))},
        )
        far_over = client.post(  # refused before the body is read
            "/library/upload",
            data={"csrf_token": token},
            files={"file": ("big.md", b"x" * 2 * limit)},
        )
    assert statuses[Role.STUDENT] == (403, 403, False)
    assert statuses[Role.PARENT] == (403, 403, False)
    assert statuses[Role.SCHOOL_ADMIN] == (200, 200, True)
    assert refused["resource"] == before["resource"]  # only logins and refusals were recorded
    assert anonymous.status_code in (401, 403, 303) and no_token.status_code == 403
    assert just_over.status_code == 422 and "文件超过 1 MB 的上限" in just_over.text
    assert far_over.status_code == 413
