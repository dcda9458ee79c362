"""Resource library pages: ``/library`` lists the resources with filters (subject, grade,
knowledge point) or, given a question, the passages that answer it with an extractive answer;
``/library/{id}`` shows one resource's tags and passages. Any signed-in account may read them.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from yincai.domain.models import KnowledgePoint, KpLevel, Resource, Subject
from yincai.library import service
from yincai.library.embeddings import embedder_of
from yincai.reports.maths import page_text_html
from yincai.retrieval import Query as Question
from yincai.web.deps import CurrentUser, DbSession, FormId
from yincai.web.templating import templates

router = APIRouter(prefix="/library", include_in_schema=False)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
KpCode = Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9.]*$")]
GRADES = tuple(range(1, 13))


@router.get("", response_class=HTMLResponse)
def library(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
    subject_id: FormId = None,
    grade: FormId = None,
    kp: KpCode = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Browse the library with filters, or search it with a question."""
    question = q.strip()
    subjects = session.scalars(
        select(Subject).where(Subject.id.in_(select(Resource.subject_id))).order_by(Subject.code)
    ).all()
    subject = next((s for s in subjects if s.id == subject_id), None)
    grade = grade if grade in GRADES else None
    points = (
        session.scalars(
            select(KnowledgePoint)
            .where(KnowledgePoint.subject_id == subject.id, KnowledgePoint.level != KpLevel.SUBJECT)
            .order_by(KnowledgePoint.code)
        ).all()
        if subject is not None
        else []
    )
    answer = browse = None
    if question:
        answer = service.answer(
            session,
            Question(
                question,
                subject=subject.code if subject else None,
                grade=grade,
                kp_prefix=kp or None,
            ),
            n_passages=5,
            embed=embedder_of(request.app.state.settings),
        )
    else:
        browse = service.browse(
            session,
            actor=user,
            subject_id=subject.id if subject else None,
            grade=grade,
            kp_code=kp or None,
            page=page,
        )
    return templates.TemplateResponse(
        request,
        "library/library.html",
        {
            "q": question,
            "subjects": subjects,
            "subject": subject,
            "grade": grade,
            "grades": sorted(
                {g for g in session.scalars(select(Resource.grade_level).distinct()) if g}
            ),
            "kp": kp or "",
            "points": points,
            "answer": answer,
            "browse": browse,
            "maths": passage_html,
        },
    )


@router.get("/{resource_id}", response_class=HTMLResponse)
def resource_page(
    request: Request, resource_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """One resource: title, subject, grade, knowledge points, licence and its passages."""
    view = service.get_resource(session, actor=user, resource_id=resource_id)
    return templates.TemplateResponse(
        request, "library/resource.html", {"view": view, "maths": passage_html}
    )


def passage_html(text: str | None) -> Markup:
    """A passage for the page: its maths drawn, line breaks kept, Markdown's bold marks shown
    as bold (the rest of the Markdown reads well as it is)."""
    html = str(page_text_html(text))
    return Markup(_BOLD.sub(r"<strong>\1</strong>", html))
