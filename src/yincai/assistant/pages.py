"""The assistant's pages: ``/assistant`` (ask, the current conversation, the asker's own
conversations, and for a teacher the students who talked with the assistant),
``/assistant/conversations/{id}`` (one conversation, read-only for a student's teacher) and
``/assistant/students/{id}`` (a student's conversations, for the student's teachers)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from yincai.accounts.models import Role
from yincai.assistant import service
from yincai.domain.models import Resource, Subject
from yincai.homework.data import SCHOOL_TIME
from yincai.library.embeddings import embedder_of
from yincai.library.pages import passage_html
from yincai.web.deps import CurrentUser, DbSession, FormId
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(prefix="/assistant", include_in_schema=False)
_CITATION = re.compile(r"\[(\d{1,2})\]")


def cite_html(text: str, citations: list[dict[str, Any]] | None) -> Markup:
    """Text for the page (maths drawn) with each ``[n]`` a link to its passage."""
    links = {c["number"]: f"/library/{c['resource_id']}#c{c['position']}" for c in citations or []}
    html = str(passage_html(text))

    def link(match: re.Match[str]) -> str:
        href = links.get(int(match.group(1)))
        return f'<a href="{href}">{match.group(0)}</a>' if href else match.group(0)

    return Markup(_CITATION.sub(link, html))


def when(moment: datetime) -> str:
    """A stored time as the school's clock shows it."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(SCHOOL_TIME).strftime("%Y-%m-%d %H:%M")


SHOWN = {"cite": cite_html, "when": when, "maths": passage_html}


@router.get("", response_class=HTMLResponse)
def assistant_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    c: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Ask the assistant; the current conversation and the earlier ones."""
    current = service.get_conversation(session, actor=user, conversation_id=c) if c else None
    if current is not None and current.conversation.user_account_id != user.id:
        # a teacher reads a student's conversation on its own page (audited there)
        return RedirectResponse(f"/assistant/conversations/{c}", status_code=303)
    students = service.students_with_conversations(session, actor=user)
    session.commit()  # the audit of the students listed
    subjects = session.scalars(
        select(Subject).where(Subject.id.in_(select(Resource.subject_id))).order_by(Subject.code)
    ).all()
    return templates.TemplateResponse(
        request,
        "assistant/assistant.html",
        {
            "current": current,
            "conversations": service.own_conversations(session, actor=user),
            "students": students,
            "subjects": subjects,
            "has_model": service.model_of(request.app.state.settings) is not None,
            "is_student": user.role is Role.STUDENT,
            **SHOWN,
        },
    )


@router.post("")
def ask(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    question: Annotated[str, Form(max_length=2000)],
    conversation_id: Annotated[FormId, Form()] = None,
    subject_id: Annotated[FormId, Form()] = None,
) -> Response:
    """Ask one question (a new conversation, or the next question of one)."""
    settings = request.app.state.settings
    reply = service.ask(
        session,
        actor=user,
        question=question,
        model=service.model_of(settings),
        conversation_id=conversation_id,
        subject_id=subject_id,
        language=language_of(request, settings.language),
        embed=embedder_of(settings),
    )
    session.commit()
    return RedirectResponse(
        f"/assistant?c={reply.conversation_id}#m{reply.message.id}", status_code=303
    )


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, conversation_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """One conversation: the asker's own, or a student's for the student's teachers."""
    view = service.get_conversation(session, actor=user, conversation_id=conversation_id)
    session.commit()
    return templates.TemplateResponse(
        request, "assistant/conversation.html", {"view": view, **SHOWN}
    )


@router.get("/students/{student_id}", response_class=HTMLResponse)
def student_page(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's conversations with the assistant, for the student's teachers."""
    conversations = service.student_conversations(session, actor=user, student_id=student_id)
    session.commit()
    return templates.TemplateResponse(
        request,
        "assistant/student.html",
        {"student_id": student_id, "conversations": conversations, **SHOWN},
    )
