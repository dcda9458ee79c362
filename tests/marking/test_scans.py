"""Scanned answer sheets into the hub: sheets printed for a small assessment and filled with
known answers (one doubtful mark, one student not on the roster) are uploaded through the web,
read by the job, reviewed and applied: the choice items are scored against the bank's key as a
score import in the history, the written item's crops reach its marking task, a changed key is
applied again from the stored values. Bad uploads and the wrong staff are refused."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import _password_hash, actor, build_world
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    ImportBatch,
    Item,
    ItemType,
    Score,
    Sitting,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.marking.models import (
    MarkingAnswer,
    MarkingMode,
    MarkingSession,
    MarkingTask,
    ScanBatch,
    ScanSheet,
    SessionStatus,
    TaskStatus,
)
from yincai.marking.scans import read_batch
from yincai.marking.sheets import sheet_layout
from yincai.omr import simulate
from yincai.omr.simulate import SimulatedField, fill, render_page, simulate_answers

DPI = 100.0
KEYS = {"1": "B", "2": "A", "3": "AC", "4": "正确"}
TYPES = {
    "1": ItemType.SINGLE_CHOICE,
    "2": ItemType.SINGLE_CHOICE,
    "3": ItemType.MULTIPLE_CHOICE,
    "4": ItemType.TRUE_FALSE,
    "5": ItemType.SHORT_ANSWER,
}
FULL = {"1": 3.0, "2": 3.0, "3": 4.0, "4": 2.0, "5": 10.0}
# marked on paper: A1 gets item 2 faint (doubtful: a person says "A") and item 3 half right;
# A2 gets item 1 wrong; a third sheet has a student number not on the roster
MARKED = {
    "A1": {"1": "B", "2": "A?", "3": "A", "4": "T"},
    "A2": {"1": "C", "2": "A", "3": "AC", "4": "T"},
    "??": {"1": "B", "2": "A", "3": "AC", "4": "F"},
}


@dataclass(frozen=True)
class Site:
    settings: Settings
    assessment_id: int
    item_ids: dict[str, int]
    bank_ids: dict[str, int]
    task_id: int
    students: dict[str, tuple[int, str]]  # key → (id, student number)
    pages: dict[str, bytes]  # key → PNG


def _page(layout: object, number: str, marks: dict[str, str], seed: int) -> bytes:
    from yincai.omr.layout import SheetLayout

    assert isinstance(layout, SheetLayout)
    rng = np.random.default_rng(seed)
    page = render_page(layout, 1, dpi=DPI, student_number=number)
    answers = {  # student-number bubbles left empty: the QR code names the student
        label: SimulatedField("", ()) if label.startswith("student") else field
        for label, field in simulate_answers(layout, 1, rng).items()
    }
    for label, value in marks.items():
        style = "residue" if value.endswith("?") else "normal"
        letters = value.rstrip("?")
        answers[label] = SimulatedField(letters, tuple((v, style) for v in letters))  # type: ignore[misc]
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(simulate.PENCIL, "residue", (190.0, 1.0))  # between blank and marked
        image = fill(page, layout, 1, answers, rng, dpi=DPI)
    ok, png = cv2.imencode(".png", image)
    assert ok
    return png.tobytes()


@pytest.fixture(scope="module")
def site(make_module_database: Callable[[], Settings]) -> Site:
    settings = make_module_database()
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        maths = session.scalars(select(Subject).where(Subject.code == "W-MATH")).one()
        physics = Subject(code="W-PHYS", name="物理")
        session.add(physics)
        session.flush()
        exam = Assessment(
            code="W-SC1",
            name="扫描测验",
            kind=AssessmentKind.QUIZ,
            held_on=date(2026, 12, 1),
            subject_id=maths.id,
            grade_level=7,
            district_id=world["D1"],
        )
        session.add(exam)
        session.flush()
        session.add(AssessmentClass(assessment_id=exam.id, school_class_id=world["C1a"]))
        item_ids, bank_ids = {}, {}
        for position, label in enumerate(TYPES, start=1):
            bank = Item(
                code=f"W-SC1-{label}",
                subject_id=maths.id,
                item_type=TYPES[label],
                stem=f"题{label}",
                options=["甲", "乙", "丙", "丁"] if TYPES[label].name.endswith("CHOICE") else [],
                answer=KEYS.get(label, "略"),
                full_score=FULL[label],
            )
            session.add(bank)
            session.flush()
            item = AssessmentItem(
                assessment_id=exam.id,
                position=position,
                label=label,
                full_score=FULL[label],
                item_id=bank.id,
            )
            session.add(item)
            session.flush()
            item_ids[label], bank_ids[label] = item.id, bank.id
        for key in ("A1", "A2"):
            session.add(Sitting(assessment_id=exam.id, student_id=world[key], total_score=None))
        physics_teacher = Teacher(school_id=world["S1"], staff_number="WTP", name="物理教师")
        session.add(physics_teacher)
        session.flush()
        session.add(
            TeachingAssignment(
                teacher_id=physics_teacher.id,
                school_class_id=world["C1a"],
                subject_id=physics.id,
                is_head_teacher=False,
            )
        )
        session.add(
            UserAccount(
                username="w-physics",
                password_hash=_password_hash(),
                role=Role.TEACHER,
                display_name="物理教师",
                district_id=world["D1"],
                school_id=world["S1"],
                teacher_id=physics_teacher.id,
                is_active=True,
                created_at=datetime.now(UTC),
            )
        )
        marking = MarkingSession(
            assessment_id=exam.id,
            mode=MarkingMode.SINGLE,
            status=SessionStatus.OPEN,
            claim_timeout_s=600,
            created_at=datetime.now(UTC),
        )
        session.add(marking)
        session.flush()
        task = MarkingTask(
            marking_session_id=marking.id,
            assessment_item_id=item_ids["5"],
            tolerance=1.0,
            status=TaskStatus.OPEN,
        )
        session.add(task)
        session.flush()
        layout = sheet_layout(
            session, actor=actor(session, world, "teacher"), assessment_code="W-SC1"
        )
        assert len(layout.pages) == 1
        students = {key: (world[key], world.names[key][1]) for key in ("A1", "A2")}
        numbers = {**{k: v[1] for k, v in students.items()}, "??": "W20269999"}
        pages = {
            key: _page(layout, numbers[key], marks, seed)
            for seed, (key, marks) in enumerate(MARKED.items())
        }
        session.commit()
    engine.dispose()
    return Site(settings, exam.id, item_ids, bank_ids, task.id, students, pages)


@pytest.fixture(scope="module")
def app_client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.settings)) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()
    return app_client


def _counts(site: Site) -> tuple[int, int]:
    engine = make_engine(site.settings)
    try:
        with Session(engine) as session:
            n_batches = len(session.scalars(select(ScanBatch)).all())
            n_imports = len(session.scalars(select(ImportBatch)).all())
    finally:
        engine.dispose()
    return n_batches, n_imports


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ([("files", ("a.png", b"this is not an image", "image/png"))], "不是 PNG"),
        ([("files", ("scans.zip", _zip({}), "application/zip"))], "空的 ZIP"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    client: TestClient, site: Site, files: list[tuple[str, tuple[str, bytes, str]]], words: str
) -> None:
    logged_in(client, "w-teacher")
    before = _counts(site)
    response = client.post(
        f"/assessments/{site.assessment_id}/scans",
        files=files,
        data={"csrf_token": session_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 422 and words in response.text
    assert _counts(site) == before


@pytest.mark.parametrize("username", ["w-physics", "w-teacher3", "w-student"])
def test_staff_who_may_not_edit_the_scores_are_refused(
    client: TestClient, site: Site, username: str
) -> None:
    logged_in(client, username)
    assert client.get(f"/assessments/{site.assessment_id}/scans").status_code == 403
    refused = client.post(
        f"/assessments/{site.assessment_id}/scans",
        files=[("files", ("a.png", site.pages["A1"], "image/png"))],
        data={"csrf_token": session_token(client)},
        follow_redirects=False,
    )
    assert refused.status_code == 403


def test_scans_are_read_reviewed_and_applied_into_the_hub_and_marking(
    client: TestClient, site: Site
) -> None:
    logged_in(client, "w-teacher")
    token = session_token(client)
    upload = client.post(
        f"/assessments/{site.assessment_id}/scans",
        files=[
            ("files", ("a1.png", site.pages["A1"], "image/png")),
            (
                "files",
                (
                    "rest.zip",
                    _zip({"a2.png": site.pages["A2"], "x.png": site.pages["??"]}),
                    "application/zip",
                ),
            ),
        ],
        data={"csrf_token": token, "paper": "A4"},
        follow_redirects=False,
    )
    assert upload.status_code == 303, upload.text
    batch_url = upload.headers["location"]
    batch_id = int(batch_url.rsplit("/", 1)[1])
    assert 'data-status="queued"' in client.get(batch_url).text
    engine = make_engine(site.settings)
    try:
        read = read_batch(
            engine,
            batch_id,
            data_dir=Path(site.settings.data_dir),
            error_log=Path(site.settings.data_dir) / "errors.log",
            workers=1,
        )
        assert read
        page = client.get(batch_url).text
        assert 'data-status="done"' in page
        assert 'data-code="unknown_student"' in page
        assert page.count('class="review"') == 1  # A1's faint item 2
        # the person decides from the paper: the scanned bubbles of item 2, no more
        shown = re.search(r'<img class="bubbles" src="data:image/png;base64,([^"]+)"', page)
        assert shown is not None
        bubbles = cv2.imdecode(
            np.frombuffer(base64.b64decode(shown.group(1)), np.uint8), cv2.IMREAD_GRAYSCALE
        )
        assert 0 < bubbles.shape[0] < bubbles.shape[1] < 400  # one row of four bubbles
        early = client.post(
            f"{batch_url}/apply", data={"csrf_token": token}, follow_redirects=False
        )
        assert early.status_code == 409 and "待复核" in early.text
        with Session(engine) as session:
            a1_sheet = session.scalars(
                select(ScanSheet).where(ScanSheet.student_id == site.students["A1"][0])
            ).one()
        bad = client.post(
            f"/scans/sheets/{a1_sheet.id}/resolve",
            data={"csrf_token": token, "label": "2", "value": "Z"},
            follow_redirects=False,
        )
        assert bad.status_code == 422
        resolved = client.post(
            f"/scans/sheets/{a1_sheet.id}/resolve",
            data={"csrf_token": token, "label": "2", "value": "a"},
            follow_redirects=False,
        )
        assert resolved.status_code == 303
        applied = client.post(
            f"{batch_url}/apply", data={"csrf_token": token}, follow_redirects=False
        )
        assert applied.status_code == 303, applied.text
        assert "/imports/history" in client.get(applied.headers["location"]).text
        a1, a2 = site.students["A1"][0], site.students["A2"][0]
        assert _scores(engine, site) == {
            (a1, "1"): 3.0, (a1, "2"): 3.0, (a1, "3"): 0.0, (a1, "4"): 2.0,
            (a2, "1"): 0.0, (a2, "2"): 3.0, (a2, "3"): 4.0, (a2, "4"): 2.0,
        }  # fmt: skip
        with Session(engine) as session:
            crops = session.execute(
                select(MarkingAnswer.student_id, MarkingAnswer.image).where(
                    MarkingAnswer.marking_task_id == site.task_id
                )
            ).all()
            history = session.scalars(select(ImportBatch).where(ImportBatch.origin == "scan")).all()
        assert sorted(s for s, _i in crops) == sorted([a1, a2])
        assert all(image is not None and image.startswith(b"\x89PNG") for _s, image in crops)
        assert len(history) == 1
        assert "scans-" in client.get("/imports/history").text
        # the key of item 1 was wrong: corrected, applied again from the stored values
        with Session(engine) as session:
            session.get_one(Item, site.bank_ids["1"]).answer = "C"
            session.commit()
        again = client.post(
            f"{batch_url}/apply", data={"csrf_token": token}, follow_redirects=False
        )
        assert again.status_code == 303
        scores = _scores(engine, site)
        assert (scores[(a1, "1")], scores[(a2, "1")]) == (0.0, 3.0)
        with Session(engine) as session:
            n_crops = len(
                session.scalars(
                    select(MarkingAnswer).where(MarkingAnswer.marking_task_id == site.task_id)
                ).all()
            )
        assert n_crops == 2  # not added twice
        client.get("/lang/en?next=/marking", follow_redirects=False)
        for path in (batch_url, f"/assessments/{site.assessment_id}/scans"):
            english = client.get(path)
            assert english.status_code == 200
            assert _chinese_interface_text(english.text) == [], path
    finally:
        engine.dispose()


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
HIDDEN = re.compile(
    r'<(script|style|title)\b.*?</\1>|<a [^>]*lang="(zh-CN|en)".*?</a>|<[^>]+>', re.DOTALL
)


def _chinese_interface_text(html: str) -> list[str]:
    text = HIDDEN.sub(" ", html)
    text = re.sub(r"账号\w+", "", text)  # the staff member's name: data, not interface text
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


def _scores(engine: object, site: Site) -> dict[tuple[int, str], float]:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    labels = {item_id: label for label, item_id in site.item_ids.items()}
    with Session(engine) as session:
        rows = session.execute(
            select(Score.student_id, Score.assessment_item_id, Score.score).where(
                Score.assessment_item_id.in_(list(labels))
            )
        ).all()
    return {(s, labels[i]): score for s, i, score in rows if score is not None}
