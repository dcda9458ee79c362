"""Classroom pages: the teacher's live page of a class (``/classes/{id}/live``, its fragment polled
by htmx every few seconds, the push form, the after-class practice button) and a student's
quizzes (``/students/{id}/classroom``, one quiz with its practice ``…/{assessment_id}``).

Scope checks and the audit of every read happen in ``classroom.service``; the pages parse the
request, call the service, commit and render.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.classroom import service
from yincai.classroom.models import Stage
from yincai.errors import Invalid
from yincai.homework.data import SCHOOL_TIME
from yincai.i18n import _
from yincai.reports.maths import page_text_html
from yincai.rules import CLASSROOM_ATTENTION_BELOW, CLASSROOM_ATTENTION_MIN_ANSWERS
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 3  # the live fragment asks again this often
QuizId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
MAX_FORM_ANSWERS = 50


def _live(request: Request, view: service.LiveView, template: str) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {
            "view": view,
            "maths": page_text_html,
            "poll_seconds": POLL_SECONDS,
            "attention_below": CLASSROOM_ATTENTION_BELOW,
            "attention_min": CLASSROOM_ATTENTION_MIN_ANSWERS,
        },
    )


@router.get("/classes/{school_class_id}/live", response_class=HTMLResponse)
def live_page(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    quiz: QuizId = None,
) -> Response:
    """The live classroom: a quiz's answers as they arrive, what needs explaining, the practice."""
    view = service.live_view(
        session, actor=user, school_class_id=school_class_id, assessment_id=quiz
    )
    session.commit()
    return _live(request, view, "classroom/live.html")


@router.get("/classes/{school_class_id}/live/fragment", response_class=HTMLResponse)
def live_fragment(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    quiz: QuizId = None,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> Response:
    """The live part of the page; 204 (nothing to redraw) while no new answer has come in."""
    service.require_live(
        session, actor=user, school_class_id=school_class_id, assessment_id=quiz or 0
    )
    assert quiz is not None  # require_live raised NotFound for none
    if service.last_answer_id(session, assessment_id=quiz) == after:
        session.commit()
        return Response(status_code=204)
    view = service.live_view(
        session, actor=user, school_class_id=school_class_id, assessment_id=quiz
    )
    session.commit()
    return _live(request, view, "classroom/_live.html")


def _due(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M").replace(tzinfo=SCHOOL_TIME)
    except ValueError:
        raise Invalid(_("请填写上课时间"), code="classroom.due_invalid") from None


def _int(text: object, *, code: str) -> int:
    if not isinstance(text, str) or not text.isdigit() or len(text) > 9:
        raise Invalid(_("请求参数有误"), code=code)
    return int(text)


@router.post("/classes/{school_class_id}/quizzes")
async def push_quiz(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Push a preview quiz to the class (knowledge points, number of items, lesson time)."""
    service.require_class_staff(session, actor=user, school_class_id=school_class_id)  # first
    form = await request.form()
    kp_codes = [v for v in form.getlist("kp") if isinstance(v, str) and v][:10]
    assessment_id = service.push_quiz(
        session,
        actor=user,
        school_class_id=school_class_id,
        kp_codes=kp_codes,
        n_items=_int(form.get("n_items", ""), code="classroom.item_count"),
        due_at=_due(str(form.get("due", ""))),
    )
    session.commit()
    return RedirectResponse(
        f"/classes/{school_class_id}/live?quiz={assessment_id}", status_code=303
    )


@router.post("/classes/{school_class_id}/quizzes/{assessment_id}/practice")
def assign_practice(
    request: Request,
    school_class_id: int,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
) -> Response:
    """After class: each student's practice on their errors; the answers become evidence."""
    service.assign_practice(
        session, actor=user, school_class_id=school_class_id, assessment_id=assessment_id
    )
    session.commit()
    request.app.state.jobs.after_import(session)  # mastery estimates refresh in the background
    return RedirectResponse(
        f"/classes/{school_class_id}/live?quiz={assessment_id}", status_code=303
    )


@router.get("/students/{student_id}/classroom", response_class=HTMLResponse)
def student_quizzes(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's classroom quizzes and after-class practice."""
    quizzes = service.student_quizzes(session, actor=user, student_id=student_id)
    session.commit()
    return templates.TemplateResponse(
        request, "classroom/student_list.html", {"quizzes": quizzes, "student_id": student_id}
    )


@router.get("/students/{student_id}/classroom/{assessment_id}", response_class=HTMLResponse)
def student_quiz(
    request: Request, student_id: int, assessment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """One quiz for a student: the form while unanswered, then the answers with the keys."""
    view = service.student_quiz(
        session, actor=user, student_id=student_id, assessment_id=assessment_id
    )
    session.commit()
    return templates.TemplateResponse(
        request, "classroom/student_quiz.html", {"view": view, "maths": page_text_html}
    )


@router.post("/students/{student_id}/classroom/{assessment_id}")
async def submit_answers(
    request: Request, student_id: int, assessment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's answers to their quiz or practice (fields ``item_<id>``; several values of a
    multiple-choice item are its letters)."""
    service.require_student_quiz(  # scope first: a refusal never depends on the form
        session, actor=user, student_id=student_id, assessment_id=assessment_id
    )
    form = await request.form()
    stage_text = str(form.get("stage", ""))
    if stage_text not in {s.value for s in Stage}:
        raise Invalid(_("请求参数有误"), code="classroom.stage_invalid")
    answers: dict[int, str] = {}
    for key in form:
        if not key.startswith("item_"):
            continue
        item_id = _int(key.removeprefix("item_"), code="classroom.item_unknown")
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        answers[item_id] = "".join(values) if len(values) > 1 else (values[0] if values else "")
        if len(answers) > MAX_FORM_ANSWERS:
            raise Invalid(_("请求参数有误"), code="classroom.too_many_answers")
    service.submit_answers(
        session,
        actor=user,
        student_id=student_id,
        assessment_id=assessment_id,
        stage=Stage(stage_text),
        answers=answers,
    )
    session.commit()
    return RedirectResponse(f"/students/{student_id}/classroom/{assessment_id}", status_code=303)
