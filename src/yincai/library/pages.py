"""Resource library pages: ``/library`` lists the resources with filters (subject, grade,
knowledge point) or, given a question, the passages that answer it with an extractive answer;
``/library/{id}`` shows one resource's tags and passages. Any signed-in account may read them;
staff add material at ``/library/upload`` (one file and its tags, checked like the import command).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from yincai.domain.models import KnowledgePoint, KpLevel, Resource, Subject
from yincai.errors import Invalid, RowError
from yincai.i18n import _
from yincai.library import service
from yincai.library.documents import MEDIA_TYPES
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


_BLANK_FORM = dict.fromkeys(("subject", "grade", "knowledge_points", "licence", "kind"), "")


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The upload form: a file and its tags (teachers, school and district admins)."""
    subjects = service.upload_subjects(session, actor=user)
    return _upload_page(request, subjects, form=_BLANK_FORM)


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    subject: Annotated[str, Form(max_length=40)] = "",
    grade: Annotated[str, Form(max_length=20)] = "",
    knowledge_points: Annotated[str, Form(max_length=2000)] = "",
    licence: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Import one uploaded file as ``yincai library import`` does: checked whole, all or
    nothing, the same file again changes nothing."""
    subjects = service.upload_subjects(session, actor=user)
    form = {
        "subject": subject,
        "grade": grade,
        "knowledge_points": knowledge_points,
        "licence": licence,
        "kind": kind,
    }
    name = Path(file.filename or "").name
    limit = request.app.state.settings.max_upload_mb * 2**20
    data = file.file.read(limit + 1)
    try:
        if len(data) > limit:
            raise Invalid(
                _("文件超过 {mb} MB 的上限").format(mb=limit // 2**20), code="library.too_large"
            )
        result = service.upload_resource(
            session,
            actor=user,
            name=name,
            data=data,
            tags=service.ResourceTags.from_text(**form),
        )
    except Invalid as problem:
        session.rollback()
        errors = [d for d in problem.details if isinstance(d, RowError)]
        return _upload_page(
            request, subjects, form=form, error=problem.message, errors=errors, status_code=422
        )
    session.commit()
    codes = [*result.created, *result.updated, *result.unchanged]
    resource = service.resource_by_code(session, actor=user, code=codes[0])
    return _upload_page(request, subjects, form=_BLANK_FORM, result=result, resource=resource)


def _upload_page(
    request: Request,
    subjects: list[Subject],
    *,
    form: dict[str, str],
    status_code: int = 200,
    **context: object,
) -> Response:
    return templates.TemplateResponse(
        request,
        "library/upload.html",
        {
            "subjects": subjects,
            "form": form,
            "suffixes": " ".join(sorted(MEDIA_TYPES)),
            "max_mb": request.app.state.settings.max_upload_mb,
            **context,
        },
        status_code=status_code,
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
