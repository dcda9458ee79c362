"""The marking pages for each role: the marker's page is blind (no student name or number),
bad scores come back as 4xx with a Chinese message, the leader closes the item into the hub's
import history, and the wrong roles get 403."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import actor
from tests.marking.world import MarkingWorld, build_marking_world
from tests.web.clients import logged_in, session_token
from yincai.accounts.models import UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Student
from yincai.marking import service
from yincai.marking.demo import build_demo_marking, crop_png
from yincai.marking.models import MarkingAnswer, MarkingMode

FIELD = re.compile(r'name="(mark_id|answer_id|full_score)" value="([^"]+)"')


@dataclass(frozen=True)
class Site:
    settings: Settings
    mw: MarkingWorld
    task_id: int
    secrets: list[str]  # every student's name and number


@pytest.fixture(scope="module")
def site(make_module_database: Callable[[], Settings]) -> Site:
    settings = make_module_database()
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        mw = build_marking_world(session, n_students=3, n_markers=2)
        demo = build_demo_marking(
            session,
            actor=actor(session, mw.world, "district_admin"),
            assessment_id=mw.assessment_id,
            mode=MarkingMode.SINGLE,
            marker_ids=tuple(mw.marker_ids),
            leader_id=mw.leader_id,
            n_checks=0,
            item_ids=[mw.item_ids[0]],
        )
        secrets = [
            text
            for student in session.scalars(select(Student))
            for text in (student.name, student.student_number)
        ]
        session.commit()
    engine.dispose()
    return Site(settings, mw, demo.task_ids[0], secrets)


@pytest.fixture(scope="module")
def app_client(site: Site) -> Iterator[TestClient]:
    with TestClient(create_app(site.settings)) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    app_client.cookies.clear()  # logged out, English off: each test logs in as it needs
    return app_client


def _fields(html: str) -> dict[str, str]:
    return dict(FIELD.findall(html))


def test_the_marker_page_shows_the_crop_and_never_the_student(
    client: TestClient, site: Site
) -> None:
    logged_in(client, "w-marker1")
    assert "第13题" in client.get("/marking").text
    page = client.get(f"/marking/tasks/{site.task_id}/mark")
    assert page.status_code == 200
    assert "data:image/png;base64," in page.text
    leaked = [secret for secret in site.secrets if secret in page.text]
    assert leaked == []
    fields = _fields(page.text)
    token = session_token(client)
    for bad, words in (("abc", "请输入分数"), ("11", "0 到 10 分"), ("2.3", "0.5 分")):
        refused = client.post(
            f"/marking/tasks/{site.task_id}/mark",
            data={**fields, "score": bad, "csrf_token": token},
            follow_redirects=False,
        )
        assert refused.status_code == 422 and words in refused.text
    done = client.post(
        f"/marking/tasks/{site.task_id}/mark",
        data={**fields, "score": "7.5", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    again = client.post(  # the same claim twice: refused, not counted twice
        f"/marking/tasks/{site.task_id}/mark",
        data={**fields, "score": "7.5", "csrf_token": token},
        follow_redirects=False,
    )
    assert again.status_code == 409


CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
HIDDEN = re.compile(
    r'<(script|style|title)\b.*?</\1>|<a [^>]*lang="(zh-CN|en)".*?</a>|<[^>]+>', re.DOTALL
)


DATA_WORDS = re.compile(r"期末考试阅卷|阅卷教师\d+|账号\w+")


def _chinese_interface_text(html: str) -> list[str]:
    text = HIDDEN.sub(" ", html)
    text = DATA_WORDS.sub("", text)  # names of the exam and of staff: data, not interface text
    return [line.strip() for line in text.splitlines() if CJK.search(line)]


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("w-marker1", ["/marking", "/marking/tasks/{task}/mark"]),
        ("w-marker0", ["/marking/tasks/{task}/lead"]),
        ("w-district_admin", ["/assessments/{exam}/marking"]),
    ],
)
def test_the_marking_pages_speak_english_when_asked(
    client: TestClient, site: Site, username: str, paths: list[str]
) -> None:
    logged_in(client, username)
    client.get("/lang/en?next=/marking", follow_redirects=False)
    for path in paths:
        page = client.get(path.format(task=site.task_id, exam=site.mw.assessment_id))
        assert page.status_code == 200
        assert _chinese_interface_text(page.text) == [], path
        if "mark_id" in page.text:  # give back what the page handed out: score it
            scored = client.post(
                path.format(task=site.task_id),
                data={**_fields(page.text), "score": "1", "csrf_token": session_token(client)},
                follow_redirects=False,
            )
            assert scored.status_code == 303


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("w-teacher", "/marking/tasks/{task}/mark"),  # a teacher not marking this item
        ("w-student", "/marking/tasks/{task}/mark"),
        ("w-parent", "/marking"),
        ("w-marker1", "/marking/tasks/{task}/lead"),  # a marker is not the leader
        ("w-teacher3", "/marking/tasks/{task}/lead"),
        ("w-teacher3", "/assessments/{exam}/marking"),  # another school's teacher
        ("w-student", "/assessments/{exam}/marking"),
        ("w-admin2", "/assessments/{exam}/marking"),  # another district's admin
    ],
)
def test_the_wrong_roles_are_refused(
    client: TestClient, site: Site, username: str, path: str
) -> None:
    logged_in(client, username)
    url = path.format(task=site.task_id, exam=site.mw.assessment_id)
    assert client.get(url).status_code == 403


def test_the_leader_marks_out_and_closes_the_item_into_the_import_history(
    client: TestClient, site: Site
) -> None:
    logged_in(client, "w-marker2")
    token = session_token(client)
    while "mark_id" in (page := client.get(f"/marking/tasks/{site.task_id}/mark")).text:
        response = client.post(
            f"/marking/tasks/{site.task_id}/mark",
            data={**_fields(page.text), "score": "", "flag": "blank", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
    client.post("/logout", data={"csrf_token": token})
    logged_in(client, "w-marker0")  # the item leader
    lead = client.get(f"/marking/tasks/{site.task_id}/lead")
    assert lead.status_code == 200 and "问题卷" in lead.text and "阅卷质量" in lead.text
    assert [secret for secret in site.secrets if secret in lead.text] == []
    token = session_token(client)
    closing = client.post(f"/marking/tasks/{site.task_id}/close", data={"csrf_token": token})
    assert closing.status_code == 409 and "没有评完" in closing.text
    for answer_id in re.findall(r"/marking/answers/(\d+)/arbitrate", lead.text):
        decided = client.post(
            f"/marking/answers/{answer_id}/arbitrate",
            data={"task_id": site.task_id, "score": "0", "csrf_token": token},
            follow_redirects=False,
        )
        assert decided.status_code == 303
    closed = client.post(
        f"/marking/tasks/{site.task_id}/close", data={"csrf_token": token}, follow_redirects=False
    )
    assert closed.status_code == 303
    client.post("/logout", data={"csrf_token": token})
    logged_in(client, "w-district_admin")
    setup = client.get(f"/assessments/{site.mw.assessment_id}/marking")
    assert setup.status_code == 200 and "网络阅卷设置" in setup.text
    history = client.get("/imports/history")
    assert "网络阅卷 第13题" in history.text


def test_the_setup_form_refuses_bad_input_in_chinese(client: TestClient, site: Site) -> None:
    logged_in(client, "w-district_admin")
    token = session_token(client)
    item = site.mw.item_ids[1]
    url = f"/assessments/{site.mw.assessment_id}/marking"
    bad_mode = client.post(url, data={"mode": "triple", "csrf_token": token})
    assert bad_mode.status_code == 422 and "阅卷模式" in bad_mode.text
    bad_tolerance = client.post(
        url,
        data={
            "mode": "single",
            f"item_{item}": "1",
            f"tolerance_{item}": "x",
            f"markers_{item}": str(site.mw.marker_ids[0]),
            "csrf_token": token,
        },
    )
    assert bad_tolerance.status_code == 422 and "误差范围应为数字" in bad_tolerance.text
    few = client.post(
        url,
        data={
            "mode": "double_third",
            f"item_{item}": "1",
            f"tolerance_{item}": "1",
            f"markers_{item}": str(site.mw.marker_ids[0]),
            "csrf_token": token,
        },
    )
    assert few.status_code in (409, 422)


@pytest.mark.parametrize("username", ["w-teacher", "w-school_admin"])
def test_the_exams_teachers_and_school_admins_may_set_it_up(
    client: TestClient, site: Site, username: str
) -> None:
    logged_in(client, username)
    page = client.get(f"/assessments/{site.mw.assessment_id}/marking")
    assert page.status_code == 200 and "阅卷模式" in page.text


def test_the_leader_asks_the_machine_to_compare_fill_in_answers_with_the_key(
    make_database: Callable[[], Settings],
) -> None:
    """The real judge (by value: 0.5 equals 1/2) proposes full marks or 0; an answer it cannot
    read gets no proposal; the page says the proposals only help the markers."""
    settings = make_database()
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        mw = build_marking_world(session, n_students=3, n_markers=1)
        admin = actor(session, mw.world, "district_admin")
        spec = service.TaskSpec(
            mw.item_ids[1], 0.0, tuple(mw.marker_ids[:1]), mw.leader_id, answer_key="\\frac{1}{2}"
        )
        service.setup_session(
            session, actor=admin, assessment_id=mw.assessment_id, mode="single", tasks=[spec]
        )
        task_id = service.progress(session, actor=admin, assessment_id=mw.assessment_id)[0].task_id
        texts = ["0.5", "1/3", "??"]
        answers = [
            service.AnswerInput(student, image=crop_png(i), recognised_text=text)
            for i, (student, text) in enumerate(zip(mw.student_ids, texts, strict=True))
        ]
        service.add_answers(session, actor=admin, task_id=task_id, answers=answers)
        leader = session.get_one(UserAccount, mw.leader_id).username
        session.commit()
    with TestClient(create_app(settings)) as client:
        logged_in(client, leader)
        lead = client.get(f"/marking/tasks/{task_id}/lead")
        proposed = client.post(
            f"/marking/tasks/{task_id}/machine", data={"csrf_token": session_token(client)}
        )
    with Session(engine) as session:
        machine = dict(
            session.execute(
                select(MarkingAnswer.recognised_text, MarkingAnswer.machine_score).where(
                    MarkingAnswer.marking_task_id == task_id
                )
            ).all()
        )
        finals = set(session.scalars(select(MarkingAnswer.final_score)))
    engine.dispose()
    assert "机器辅助" in lead.text
    assert proposed.status_code == 200 and "机器已为 2 份答卷给出建议分" in proposed.text
    assert machine == {"0.5": 6.0, "1/3": 0.0, "??": None}  # full marks of item 14: 6
    assert finals == {None}  # nothing counts until a person marks it
