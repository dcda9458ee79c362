"""The growth-archive page on the demo district: the student, their parent and a teacher of the
class see the student's records (audited, naming the student), a teacher of another class is
refused, and the add-record form (a teacher of the class) refuses bad input with a Chinese 422
and writes nothing, and stores a valid record."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.analysis.test_pages import Demo, _audits, _client, app, demo
from tests.demo_copies import writable_demo_copy
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.demo.build import DEMO_PASSWORD
from yincai.domain.models import Dimension, GrowthRecord, Student
from yincai.governance.models import AuditEvent, AuditEventStudent

__all__ = ["app", "demo"]  # the report pages' fixtures, shared


def _records(settings: Settings, student_id: int) -> list[GrowthRecord]:
    engine = make_engine(settings)
    with Session(engine) as session:
        rows = list(
            session.scalars(
                select(GrowthRecord)
                .where(GrowthRecord.student_id == student_id)
                .order_by(GrowthRecord.recorded_on.desc(), GrowthRecord.id.desc())
            )
        )
        session.expunge_all()
    engine.dispose()
    return rows


def _last_audit(settings: Settings, action: str) -> tuple[str, str, list[int]]:
    engine = make_engine(settings)
    with Session(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        students = list(
            session.scalars(
                select(AuditEventStudent.student_id).where(AuditEventStudent.event_id == event.id)
            )
        )
        found = (event.object_type, event.object_id, students)
    engine.dispose()
    return found


def test_the_student_their_parent_and_their_teacher_see_the_records_audited(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    records = _records(demo_settings, demo.own_student_id)
    assert records  # the demo plants records for every student it can
    before = _audits(demo_settings, "growth_archive_view")
    pages = {}
    for role in (Role.STUDENT, Role.PARENT, Role.TEACHER):
        with _client(app, demo, role) as client:
            pages[role] = client.get(f"/students/{demo.own_student_id}/growth-archive")
            profile = client.get(f"/students/{demo.own_student_id}")
        assert f"/students/{demo.own_student_id}/growth-archive" in profile.text  # linked
    assert _audits(demo_settings, "growth_archive_view") == before + 3
    assert _last_audit(demo_settings, "growth_archive_view") == (
        "student",
        str(demo.own_student_id),
        [demo.own_student_id],
    )
    for role, page in pages.items():
        assert page.status_code == 200, (role, page.text[:300])
        text = page.text
        assert "成长档案" in text and "品德发展" in text and "艺术素养" in text
        for record in records[:50]:
            assert record.evidence in text
        rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", text)
        assert rows == sorted(rows, reverse=True) and len(rows) == min(len(records), 50)
        arts = sum(r.dimension is Dimension.ARTS for r in records)
        assert re.search(rf"<b>{arts}</b><span>艺术素养</span>", text)
        # the academic dimension links to the student's exam reports instead of copying them
        assert f"/students/{demo.own_student_id}/assessments/{demo.own_assessment_id}" in text
        assert ('name="evidence"' in text) is (role is Role.TEACHER)


def test_a_teacher_of_another_class_and_a_student_cannot_read_or_add(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        other = session.scalar(
            select(Student.id).where(Student.school_class_id == demo.other_class_id).limit(1)
        )
    engine.dispose()
    assert other is not None
    with _client(app, demo, Role.TEACHER) as client:
        page = client.get(f"/students/{other}/growth-archive")
        posted = client.post(
            f"/students/{other}/growth-archive",
            data={
                "csrf_token": session_token(client),
                "dimension": "arts",
                "recorded_on": "2026-09-01",
                "evidence": "合唱团",
            },
        )
    assert page.status_code == 403 and "不在您的权限范围内" in page.text
    assert posted.status_code == 403
    with _client(app, demo, Role.STUDENT) as client:
        own = client.post(
            f"/students/{demo.own_student_id}/growth-archive",
            data={
                "csrf_token": session_token(client),
                "dimension": "arts",
                "recorded_on": "2026-09-01",
                "evidence": "我自己加一条",
            },
        )
    assert own.status_code == 403 and "只有任教该班的教师可以添加成长记录" in own.text


def test_the_form_refuses_bad_input_and_stores_a_valid_record(
    demo_settings: Settings, demo: Demo, tmp_path: Path
) -> None:
    copy = writable_demo_copy(demo_settings, tmp_path / "demo")
    student = demo.own_student_id
    before = len(_records(copy, student))
    path = f"/students/{student}/growth-archive"
    good = {"dimension": "labour", "recorded_on": "2026-10-12", "evidence": "参加校园绿化劳动"}
    bad = [
        ({"evidence": ""}, "请填写记录内容"),
        ({"evidence": "   "}, "请填写记录内容"),
        ({"evidence": "字" * 501}, "记录内容过长"),
        ({"recorded_on": "2999-01-01"}, "晚于今天"),
        ({"recorded_on": "2026-13-40"}, "日期"),
        ({"recorded_on": ""}, "日期"),
        ({"dimension": "sports"}, "无效"),
        ({"dimension": ""}, "无效"),
    ]
    with TestClient(create_app(copy)) as client:
        logged_in(client, demo.usernames[Role.TEACHER], DEMO_PASSWORD)
        token = session_token(client)
        no_token = client.post(path, data=good, follow_redirects=False)
        assert no_token.status_code == 403
        for change, words in bad:
            answer = client.post(path, data={**good, **change, "csrf_token": token})
            assert answer.status_code == 422, (change, answer.status_code)
            assert words in answer.text and "Traceback" not in answer.text
        assert len(_records(copy, student)) == before  # nothing written
        added = client.post(path, data={**good, "csrf_token": token}, follow_redirects=False)
        assert added.status_code == 303
        page = client.get(added.headers["location"])
    assert page.status_code == 200 and "已添加一条成长记录" in page.text
    assert "参加校园绿化劳动" in page.text
    records = _records(copy, student)
    assert len(records) == before + 1
    new = next(r for r in records if r.evidence == "参加校园绿化劳动")
    assert new.dimension is Dimension.LABOUR and new.recorded_on.isoformat() == "2026-10-12"
    assert new.recorded_by == "班主任" or new.recorded_by.endswith("教师")  # a role, no name
    assert _last_audit(copy, "growth_record_add") == ("student", str(student), [student])
    engine = make_engine(copy)
    with Session(engine) as session:
        n = session.scalar(select(func.count()).select_from(GrowthRecord))
    engine.dispose()
    assert n and n > before
