"""Lesson-preparation pages (智能备课): ``/lessons`` (the classes), ``/classes/{id}/lessons`` (pick
a knowledge point, the class's plans), ``/classes/{id}/lessons/new?kp=`` (the machine's draft,
editable, saved by POST), ``/lessons/{id}`` (a saved plan: edit, confirm sections) and its DOCX
and PDF.

Role and scope checks and the audit live in ``lessons.service``; forms post back and redirect
(303); bad input answers 4xx with a message, never a 500.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from yincai.lessons import service
from yincai.lessons.docx import lesson_plan_docx
from yincai.lessons.plan import (
    LEVEL_WORDS,
    MAX_SECTION_CHARS,
    SECTION_KEYS,
    LessonPlan,
    confirmed_time,
    figure_rows,
)
from yincai.lessons.polish import polisher
from yincai.reports.maths import page_text_html
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SectionText = Annotated[str | None, Field(max_length=MAX_SECTION_CHARS)]


class PlanEdits(BaseModel):
    """The edit form: each section's text (absent: unchanged) and the sections confirmed."""

    model_config = ConfigDict(extra="ignore")  # the form also carries its CSRF token
    objectives: SectionText = None
    class_data: SectionText = None
    mistakes: SectionText = None
    warm_up: SectionText = None
    examples: SectionText = None
    exercises: SectionText = None
    exit_ticket: SectionText = None
    homework: SectionText = None
    confirm: list[Annotated[str, Field(max_length=20)]] = Field(default=[], max_length=8)

    def texts(self) -> dict[str, str]:
        return {key: text for key in SECTION_KEYS if (text := getattr(self, key)) is not None}


class NewPlan(PlanEdits):
    """The draft's form: also names the knowledge point drafted."""

    kp: int = Field(ge=1, le=2**31 - 1)


def _language(request: Request) -> str:
    return language_of(request, request.app.state.settings.language)


def _plan_context(plan: LessonPlan) -> dict[str, object]:
    return {
        "plan": plan,
        "rows": figure_rows(plan.figures),
        "maths": page_text_html,
        "confirmed_time": confirmed_time,
        "level_words": LEVEL_WORDS,
    }


@router.get("/lessons", response_class=HTMLResponse)
def lessons_home(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The classes whose lessons the teacher prepares, with their saved plans."""
    classes = service.my_classes(session, actor=user)
    return templates.TemplateResponse(request, "lessons/home.html", {"classes": classes})


@router.get("/classes/{school_class_id}/lessons", response_class=HTMLResponse)
def class_lessons(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Pick a knowledge point of the class's subjects; the class's saved plans."""
    lessons = service.class_lessons(session, actor=user, school_class_id=school_class_id)
    return templates.TemplateResponse(request, "lessons/class.html", {"lessons": lessons})


@router.get("/classes/{school_class_id}/lessons/new", response_class=HTMLResponse)
def new_plan(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    kp: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The machine's draft of a lesson on one knowledge point, ready to edit and save."""
    plan = service.draft_plan(
        session,
        actor=user,
        school_class_id=school_class_id,
        kp_id=kp,
        language=_language(request),
        polish=polisher(request.app.state.settings),
    )
    session.commit()  # the audit row of the draft
    return templates.TemplateResponse(
        request,
        "lessons/plan.html",
        {
            **_plan_context(plan),
            "action": f"/classes/{school_class_id}/lessons",
            "saved": None,
        },
    )


@router.post("/classes/{school_class_id}/lessons")
def save_new_plan(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    edits: Annotated[NewPlan, Form()],
) -> Response:
    """Save the draft with the teacher's edits and confirmations."""
    plan_id = service.save_plan(
        session,
        actor=user,
        school_class_id=school_class_id,
        kp_id=edits.kp,
        texts=edits.texts(),
        confirmed=edits.confirm,
        language=_language(request),
        polish=polisher(request.app.state.settings),
    )
    session.commit()
    return RedirectResponse(f"/lessons/{plan_id}?saved=1", status_code=303)


@router.get("/lessons/{lesson_plan_id}.docx")
def plan_docx(
    request: Request, lesson_plan_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The saved plan as a Word document."""
    saved = service.get_plan(session, actor=user, plan_id=lesson_plan_id)
    return _download(
        lesson_plan_docx(saved.plan, language=_language(request)), DOCX_TYPE, saved, "docx"
    )


@router.get("/lessons/{lesson_plan_id}.pdf")
def plan_pdf(
    request: Request, lesson_plan_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The saved plan as a PDF."""
    from yincai.lessons.pdf import lesson_plan_pdf  # WeasyPrint loads on demand

    saved = service.get_plan(session, actor=user, plan_id=lesson_plan_id)
    return _download(
        lesson_plan_pdf(saved.plan, language=_language(request)), "application/pdf", saved, "pdf"
    )


def _download(content: bytes, media_type: str, saved: service.SavedPlan, suffix: str) -> Response:
    name = quote(f"lesson-plan-{saved.plan_id}-{saved.plan.kp_code}.{suffix}")
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/lessons/{lesson_plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    lesson_plan_id: int,
    session: DbSession,
    user: CurrentUser,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """A saved plan: its figures and sections, each editable and confirmable."""
    found = service.get_plan(session, actor=user, plan_id=lesson_plan_id)
    return templates.TemplateResponse(
        request,
        "lessons/plan.html",
        {
            **_plan_context(found.plan),
            "action": f"/lessons/{lesson_plan_id}",
            "saved": found,
            "just_saved": bool(saved),
        },
    )


@router.post("/lessons/{lesson_plan_id}")
def update_plan(
    lesson_plan_id: int,
    session: DbSession,
    user: CurrentUser,
    edits: Annotated[PlanEdits, Form()],
) -> Response:
    """Save the teacher's edits and confirmations of a saved plan."""
    service.update_plan(
        session,
        actor=user,
        plan_id=lesson_plan_id,
        texts=edits.texts(),
        confirmed=edits.confirm,
    )
    session.commit()
    return RedirectResponse(f"/lessons/{lesson_plan_id}?saved=1", status_code=303)
