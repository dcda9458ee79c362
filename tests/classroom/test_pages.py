"""The classroom loop through the web client on a small school: the teacher pushes a preview quiz,
several students answer it, the live fragment shows the counts and the points to explain, the
after-class practice targets each student's errors, and the answers are evidence the mastery
loader reads; with the refusals (scope, bad input)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.classroom.world import PASSWORD, School7
from tests.web.clients import logged_in, session_token
from yincai.accounts.actors import CLI
from yincai.app import create_app
from yincai.classroom import data as classroom_data
from yincai.classroom import live, service
from yincai.classroom.models import ClassroomPractice
from yincai.classroom.verdicts import LETTERS, letters
from yincai.config import Settings
from yincai.db import make_engine
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    ImportBatch,
    ItemType,
    KnowledgePoint,
    KpPrerequisite,
    LearningEvent,
)
from yincai.governance.models import AuditEvent
from yincai.rules import needs_attention

N_ANSWERING = 5
N_ITEMS = 4
QUIZ_POINTS = ["M7.1", "M7.2"]
SCHOOL_TIME = timezone(timedelta(hours=8))  # the push form takes the lesson time in it


@dataclass(frozen=True)
class Lesson:
    settings: Settings
    teacher: str
    other_teacher: str
    parent: str
    class_id: int
    other_class_id: int
    assessment_id: int
    students: list[tuple[int, str]]  # (student id, username) of those who answer
    roster: list[int]
    young_id: int
    items: list[live.QuizItem]
    plan: dict[tuple[int, int], bool]  # (student index, item index) → answered right


def _wrong(item: live.QuizItem) -> str:
    if item.item_type is ItemType.TRUE_FALSE:
        return next(o for o in item.options if o != item.key)
    if item.item_type is ItemType.FILL_IN:
        return "987654321"
    key = letters(item.key)
    return next(LETTERS[k] for k in range(len(item.options)) if LETTERS[k] not in key)


def _post(client: TestClient, path: str, data: dict[str, object]) -> Response:
    return client.post(
        path, data={**data, "csrf_token": session_token(client)}, follow_redirects=False
    )


@pytest.fixture(scope="module")
def lesson(school: School7) -> Lesson:
    due = (datetime.now(UTC) + timedelta(hours=1)).astimezone(SCHOOL_TIME)
    with TestClient(create_app(school.settings)) as client:
        logged_in(client, school.teacher, PASSWORD)
        empty = client.get(f"/classes/{school.class_id}/live")
        assert empty.status_code == 200 and 'name="kp"' in empty.text
        pushed = _post(
            client,
            f"/classes/{school.class_id}/quizzes",
            {"kp": QUIZ_POINTS, "n_items": str(N_ITEMS), "due": due.strftime("%Y-%m-%dT%H:%M")},
        )
        assert pushed.status_code == 303, pushed.text
        assessment_id = int(pushed.headers["location"].rsplit("=", 1)[1])
    engine = make_engine(school.settings)
    with Session(engine) as session:
        items = classroom_data.quiz_items(session, assessment_id)
    engine.dispose()
    assert len(items) == N_ITEMS
    students = list(school.students.items())[:N_ANSWERING]
    # student 0 gets everything right; item 0 is wrong for the others, item 1 for student 2
    plan = {
        (k, j): not ((j == 0 and k >= 1) or (j == 1 and k == 2))
        for k in range(N_ANSWERING)
        for j in range(N_ITEMS)
    }
    for k, (student_id, username) in enumerate(students):
        with TestClient(create_app(school.settings)) as client:
            logged_in(client, username, PASSWORD)
            page = client.get(f"/students/{student_id}/classroom/{assessment_id}")
            assert page.status_code == 200 and "提交答案" in page.text
            answers: dict[str, object] = {"stage": "quiz"}
            for j, item in enumerate(items):
                text = item.key if plan[(k, j)] else _wrong(item)
                if item.item_type is ItemType.MULTIPLE_CHOICE:
                    answers[f"item_{item.item_id}"] = list(letters(text))  # one box per letter
                else:
                    answers[f"item_{item.item_id}"] = text
            sent = _post(client, f"/students/{student_id}/classroom/{assessment_id}", answers)
            assert sent.status_code == 303, sent.text
    return Lesson(
        settings=school.settings,
        teacher=school.teacher,
        other_teacher=school.other_teacher,
        parent=school.parent,
        class_id=school.class_id,
        other_class_id=school.other_class_id,
        assessment_id=assessment_id,
        students=students,
        roster=school.student_ids,
        young_id=school.young_id,
        items=items,
        plan=plan,
    )


def test_the_live_fragment_counts_answers_options_and_points_to_explain(lesson: Lesson) -> None:
    engine = make_engine(lesson.settings)
    with Session(engine) as session:
        view = service.live_view(
            session, actor=CLI, school_class_id=lesson.class_id, assessment_id=lesson.assessment_id
        )
        session.rollback()
    engine.dispose()
    figures = view.figures
    assert figures is not None
    answered = [s for s, _u in lesson.students]
    assert sorted(figures.answered_student_ids) == sorted(answered)
    assert figures.missing_student_ids == [s for s in lesson.roster if s not in answered]
    for j, figure in enumerate(figures.items):
        n_right = sum(lesson.plan[(k, j)] for k in range(N_ANSWERING))
        assert (figure.n_answers, figure.n_right, figure.n_uncertain) == (N_ANSWERING, n_right, 0)
        assert figure.needs_attention is (j == 0)  # 1 of 5 right; item 1 has 4 of 5
        if figure.item.item_type is not ItemType.FILL_IN:
            on_key = sum(o.n for o in figure.options if o.is_key)
            if figure.item.item_type is ItemType.MULTIPLE_CHOICE:
                on_key //= len(letters(figure.item.key))
            assert on_key == n_right
            assert sum(o.n for o in figure.options if not o.is_key) == N_ANSWERING - n_right
        else:
            assert [(o.option, o.n) for o in figure.options] == (
                [("987654321", N_ANSWERING - n_right)] if n_right < N_ANSWERING else []
            )
    for kp in figures.kps:
        on_kp = [j for j, item in enumerate(lesson.items) if kp.kp_id in item.kp_ids]
        n = N_ANSWERING * len(on_kp)
        right = sum(lesson.plan[(k, j)] for k in range(N_ANSWERING) for j in on_kp)
        assert (kp.n_answers, kp.n_right) == (n, right)
        assert kp.needs_attention is needs_attention(right, n)
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.teacher, PASSWORD)
        base = f"/classes/{lesson.class_id}/live/fragment?quiz={lesson.assessment_id}"
        fresh = client.get(f"{base}&after=0")
        unchanged = client.get(f"{base}&after={view.last_answer_id}")
        page = client.get(f"/classes/{lesson.class_id}/live")
    assert fresh.status_code == 200 and unchanged.status_code == 204
    html = fresh.text
    assert f"{N_ANSWERING} / {len(lesson.roster)}" in html
    assert html.count('class="needs-attention"') == 1
    assert "需要讲解的点" in html and "第 1 题" in html
    assert 'hx-trigger="every 3s"' in html and f"after={view.last_answer_id}" in html
    for student_id in figures.missing_student_ids:
        assert view.students[student_id].name in html
    assert page.status_code == 200 and 'id="live"' in page.text


def test_after_class_practice_targets_each_students_errors_and_queues_the_refresh(
    lesson: Lesson,
) -> None:
    engine = make_engine(lesson.settings)
    with Session(engine) as session:
        batches_before = session.scalar(select(func.count(ImportBatch.id)))
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.teacher, PASSWORD)
        path = f"/classes/{lesson.class_id}/quizzes/{lesson.assessment_id}/practice"
        given = _post(client, path, {})
        again = _post(client, path, {})
        pending = client.app.state.jobs.pending()
        page = client.get(f"/classes/{lesson.class_id}/live?quiz={lesson.assessment_id}")
    assert given.status_code == 303 and again.status_code == 409
    assert pending >= 1  # the mastery refresh, queued as after an import
    assert "全部答对，无需练习" in page.text
    quiz_item_ids = {item.item_id for item in lesson.items}
    with Session(engine) as session:
        assert session.scalar(select(func.count(ImportBatch.id))) == (batches_before or 0) + 1
        rows = session.scalars(
            select(ClassroomPractice).where(ClassroomPractice.assessment_id == lesson.assessment_id)
        ).all()
        needs = {
            (int(a), int(b))
            for a, b in session.execute(
                select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
            )
        }
    engine.dispose()
    by_student: dict[int, list[ClassroomPractice]] = {}
    for row in rows:
        by_student.setdefault(row.student_id, []).append(row)
    for k, (student_id, _username) in enumerate(lesson.students):
        wrong_kps = {
            kp
            for j, item in enumerate(lesson.items)
            if not lesson.plan[(k, j)]
            for kp in item.kp_ids
        }
        mine = by_student.get(student_id, [])
        if not wrong_kps:
            assert mine == [], "all right: no practice"
            continue
        assert mine, f"student {k} has errors and gets practice"
        targets = {row.knowledge_point_id for row in mine}
        allowed = wrong_kps | {p for kp, p in needs if kp in wrong_kps}
        assert targets <= allowed and targets & wrong_kps
        assert not {row.item_id for row in mine} & quiz_item_ids
    assert {row.item_id for row in rows}.isdisjoint(quiz_item_ids)
    quiz_kps = {kp for item in lesson.items for kp in item.kp_ids}
    answered = {s for s, _u in lesson.students}
    for student_id in lesson.roster:
        if student_id in answered:
            continue
        mine = by_student.get(student_id, [])
        if student_id == lesson.young_id:  # under 14 without consent: never practised on
            assert mine == []
            continue
        assert mine, "no answer: practice on every point of the quiz"
        targets = {row.knowledge_point_id for row in mine}
        assert targets <= quiz_kps | {p for kp, p in needs if kp in quiz_kps}
    assert "未布置（未获监护人同意" in page.text


def test_answers_are_attempt_rows_the_mastery_loader_reads(lesson: Lesson) -> None:
    engine = make_engine(lesson.settings)
    answered = [s for s, _u in lesson.students]
    with Session(engine) as session:
        events = session.execute(
            select(LearningEvent.student_id, LearningEvent.item_id, LearningEvent.score).where(
                LearningEvent.assessment_id == lesson.assessment_id,
                LearningEvent.source == service.QUIZ_SOURCE,
            )
        ).all()
        fitted = diagnosis_service.mastery_model(session, subject_code="MATH")
        responses = diagnosis_service.all_responses(session, fitted, subject_code="MATH")
    engine.dispose()
    expected = {
        (student_id, item.item_id, 1.0 if lesson.plan[(k, j)] else 0.0)
        for k, (student_id, _u) in enumerate(lesson.students)
        for j, item in enumerate(lesson.items)
    }
    assert {(int(s), int(i), float(x)) for s, i, x in events} == expected
    assert len(events) == N_ANSWERING * N_ITEMS
    index = {item_id: k for k, item_id in enumerate(fitted.item_ids)}
    for student_id, item_id, score in expected:
        if item_id not in index:
            continue  # an item the calibration has not seen yet reads as its point
        hits = (
            (responses.student_id == student_id)
            & (responses.item == index[item_id])
            & (responses.context == diagnosis_service.PRACTICE_CONTEXT)
            & np.isclose(responses.score, score)
        )
        assert hits.any(), (student_id, item_id)
    assert set(answered) <= set(responses.student_id.tolist())


def test_student_sees_the_keys_once_answered_and_their_practice(lesson: Lesson) -> None:
    student_id, username = lesson.students[1]
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, username, PASSWORD)
        listing = client.get(f"/students/{student_id}/classroom")
        page = client.get(f"/students/{student_id}/classroom/{lesson.assessment_id}")
        again = _post(
            client,
            f"/students/{student_id}/classroom/{lesson.assessment_id}",
            {"stage": "quiz", f"item_{lesson.items[0].item_id}": lesson.items[0].key},
        )
    assert listing.status_code == 200 and f"/classroom/{lesson.assessment_id}" in listing.text
    assert page.status_code == 200
    assert "正确答案" in page.text and "错误" in page.text
    assert 'name="stage" value="practice"' in page.text  # the practice form, not answered yet
    assert again.status_code == 409
    engine = make_engine(lesson.settings)
    with Session(engine) as session:
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("classroom_%")))
        )
    engine.dispose()
    assert {
        "classroom_quiz_push",
        "classroom_answer",
        "classroom_live_view",
        "classroom_practice_assign",
        "classroom_student_view",
    } <= actions


def test_other_people_are_refused(lesson: Lesson) -> None:
    student_id, username = lesson.students[0]
    other_student, _other = lesson.students[1]
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, username, PASSWORD)
        live_page = client.get(f"/classes/{lesson.class_id}/live")
        fragment = client.get(
            f"/classes/{lesson.class_id}/live/fragment?quiz={lesson.assessment_id}"
        )
        someone_else = client.get(f"/students/{other_student}/classroom/{lesson.assessment_id}")
        answer_for = _post(
            client,
            f"/students/{other_student}/classroom/{lesson.assessment_id}",
            {"stage": "quiz", f"item_{lesson.items[0].item_id}": lesson.items[0].key},
        )
        push = _post(client, f"/classes/{lesson.class_id}/quizzes", {"kp": ["x"], "n_items": "1"})
    assert live_page.status_code == fragment.status_code == someone_else.status_code == 403
    assert answer_for.status_code == push.status_code == 403
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.teacher, PASSWORD)
        other_class = client.get(f"/classes/{lesson.other_class_id}/live")
        for_student = _post(
            client,
            f"/students/{student_id}/classroom/{lesson.assessment_id}",
            {"stage": "quiz", f"item_{lesson.items[0].item_id}": lesson.items[0].key},
        )
        student_page = client.get(f"/students/{student_id}/classroom/{lesson.assessment_id}")
    assert other_class.status_code == 403
    assert for_student.status_code == 403
    assert student_page.status_code == 200 and "提交答案" not in student_page.text
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.other_teacher, PASSWORD)  # teaches the other class only
        not_theirs = client.get(f"/classes/{lesson.class_id}/live")
        practice = _post(
            client, f"/classes/{lesson.class_id}/quizzes/{lesson.assessment_id}/practice", {}
        )
        foreign = client.get(f"/students/{student_id}/classroom/{lesson.assessment_id}")
    assert not_theirs.status_code == practice.status_code == foreign.status_code == 403
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.parent, PASSWORD)  # the first student's parent
        child_page = client.get(f"/students/{student_id}/classroom/{lesson.assessment_id}")
        class_page = client.get(f"/classes/{lesson.class_id}/live")
        answer = _post(
            client,
            f"/students/{student_id}/classroom/{lesson.assessment_id}",
            {"stage": "practice", f"item_{lesson.items[0].item_id}": lesson.items[0].key},
        )
    assert child_page.status_code == 200 and "正确答案" in child_page.text
    assert "提交答案" not in child_page.text  # parents read, only the student answers
    assert class_page.status_code == answer.status_code == 403


def test_bad_input_is_refused_with_a_4xx_and_a_reason(lesson: Lesson) -> None:
    due = (datetime.now(UTC) + timedelta(days=1)).astimezone(SCHOOL_TIME).strftime("%Y-%m-%dT%H:%M")
    kp = _kp(lesson)
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, lesson.teacher, PASSWORD)
        push = f"/classes/{lesson.class_id}/quizzes"
        cases = {
            "no point": _post(client, push, {"n_items": "3", "due": due}),
            "too many items": _post(client, push, {"kp": [kp], "n_items": "40", "due": due}),
            "items not a number": _post(client, push, {"kp": [kp], "n_items": "x", "due": due}),
            "no lesson time": _post(client, push, {"kp": [kp], "n_items": "3", "due": "soon"}),
            "lesson in the past": _post(
                client, push, {"kp": [kp], "n_items": "3", "due": "2020-01-01T08:00"}
            ),
            "unknown point": _post(client, push, {"kp": ["NOPE"], "n_items": "3", "due": due}),
        }
        missing_quiz = client.get(f"/classes/{lesson.class_id}/live?quiz=999999")
        foreign_quiz = client.get(
            f"/classes/{lesson.other_class_id}/live/fragment?quiz={lesson.assessment_id}"
        )
        bad_quiz = client.get(f"/classes/{lesson.class_id}/live/fragment?quiz=abc")
    assert {name: r.status_code for name, r in cases.items()} == dict.fromkeys(cases, 422)
    assert "请选择 1 到 3 个知识点" in cases["no point"].text
    assert missing_quiz.status_code == 404
    assert foreign_quiz.status_code == 403  # not the teacher's class: refused before the quiz
    assert bad_quiz.status_code == 422
    student_id, username = lesson.students[3]
    choice = next(
        (i for i in lesson.items if i.item_type is ItemType.SINGLE_CHOICE),
        None,
    )
    with TestClient(create_app(lesson.settings)) as client:
        logged_in(client, username, PASSWORD)
        path = f"/students/{student_id}/classroom/{lesson.assessment_id}"
        no_stage = _post(client, path, {f"item_{lesson.items[0].item_id}": "A"})
        nothing = _post(client, path, {"stage": "practice"})
        not_in_quiz = _post(client, path, {"stage": "quiz", "item_1": "A"})
        bad_option = (
            _post(client, path, {"stage": "quiz", f"item_{choice.item_id}": "Z"})
            if choice
            else None
        )
    assert no_stage.status_code == nothing.status_code == 422
    assert not_in_quiz.status_code == 422
    if bad_option is not None:
        assert bad_option.status_code == 422


def _kp(lesson: Lesson) -> str:
    engine = make_engine(lesson.settings)
    with Session(engine) as session:
        code = session.scalar(
            select(KnowledgePoint.code).where(KnowledgePoint.id == lesson.items[0].kp_ids[0])
        )
    engine.dispose()
    assert code is not None
    return code
