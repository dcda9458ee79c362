"""``/library/upload``: staff upload one file with its tags, checked as ``yincai library import``
checks it; a bad file or tag is a 422 naming the file, the field and the reason with nothing
written (every table's row count unchanged); the same file again changes nothing; students and
parents are refused; the form needs its CSRF token; an over-size body is refused up front."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from tests.library.conftest import ABS
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role
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
from yincai.governance import service as governance_service
from yincai.library.models import ResourceChunk
from yincai.privacy.registry import load_all_models

PASSWORD = "upload-password-1"
PLAIN = "# 相反数小结\n\n## 要点\n\n互为相反数的两数和为 0。\n\n## 例题\n\n-3 的相反数是 3。\n"


@dataclass(frozen=True)
class World:
    settings: Settings
    usernames: dict[Role, str]


@pytest.fixture
def world(make_database: Callable[[], Settings]) -> World:
    """测试学科 with two points, one class, and an account of every role."""
    settings = make_database()
    engine = make_engine(settings)
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
        for role, link in links.items():
            governance_service.create_account(
                session, username=f"u-{role.value}", password=PASSWORD, role=role,
                display_name=role.value, district_id=district.id, **link,
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
    with TestClient(create_app(world.settings)) as client:
        logged_in(client, world.usernames[Role.TEACHER], PASSWORD)
        form = client.get("/library/upload")
        first = _post(client, "abs.md", ABS)
        after_first = _counts(world.settings)
        again = _post(client, "abs.md", ABS)
        after_again = _counts(world.settings)
        tagged = _post(
            client, "plain.md", PLAIN.encode(), subject="TST", grade="七年级",
            knowledge_points="相反数, T7.01", licence="CC BY 4.0", kind="例题",
        )  # fmt: skip
        listing = client.get("/library?q=相反数的和")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert first[0] == 200 and "已加入资源库" in first[1] and "段落 2" in first[1]
    assert again[0] == 200 and "未做任何更改" in again[1]
    assert after_again == after_first  # not a row more, not even an audit row
    assert after_first["resource"] == 1 and after_first["resource_chunk"] == 2
    assert tagged[0] == 200 and "已加入资源库" in tagged[1]
    assert "两数和为 0" in listing.text
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
        assert (plain.grade_level, plain.licence, plain.kind) == (7, "CC BY 4.0", "例题")
        assert points == ["T7.01", "T7.02"]
        assert session.scalar(select(func.count()).select_from(ResourceChunk)) == 4
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
    statuses = {}
    for role in (Role.STUDENT, Role.PARENT, Role.SCHOOL_ADMIN):
        with TestClient(create_app(world.settings)) as client:
            logged_in(client, world.usernames[role], PASSWORD)
            form = client.get("/library/upload").status_code
            posted = _post(client, "a.md", ABS)[0]
            statuses[role] = (form, posted, "/library/upload" in client.get("/library").text)
    small = world.settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(small)) as client:
        anonymous = client.post("/library/upload", files={"file": ("a.md", ABS)})
        logged_in(client, world.usernames[Role.TEACHER], PASSWORD)
        no_token = client.post("/library/upload", files={"file": ("a.md", ABS)})
        limit = 2**20
        too_large = client.post(
            "/library/upload",
            data={"csrf_token": session_token(client)},
            files={"file": ("big.md", b"x" * (limit + 1))},
        )
    assert statuses[Role.STUDENT] == (403, 403, False)
    assert statuses[Role.PARENT] == (403, 403, False)
    assert statuses[Role.SCHOOL_ADMIN] == (200, 200, True)
    assert anonymous.status_code in (401, 403, 303) and no_token.status_code == 403
    assert too_large.status_code == 413
    assert _counts(world.settings)["resource"] == 1  # the school admin's upload only
