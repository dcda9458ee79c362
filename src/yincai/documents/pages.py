"""Long documents on the web: the class booklet link starts (or reuses) the build and shows its
progress; a finished current document downloads at once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.documents import service
from yincai.documents.models import DocumentState
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)


def _download(session: DbSession, user: CurrentUser, document_id: int) -> Response:
    document = service.read_document(session, actor=user, document_id=document_id)
    session.commit()
    assert document.content is not None
    return Response(
        document.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )


def _queue(request: Request, requested: service.Requested) -> None:
    if requested.needs_queue:
        request.app.state.jobs.queue_document(requested.document.id)


@router.get("/classes/{school_class_id}/practice.pdf")
def class_booklet(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """One personalised practice booklet per student of the class, answer key at the end: the
    PDF at once when it is built for the current data, else the page following its build."""
    requested = service.request_class_booklet(session, actor=user, school_class_id=school_class_id)
    document = requested.document
    if document.state is DocumentState.DONE:
        return _download(session, user, document.id)
    session.commit()
    _queue(request, requested)
    return RedirectResponse(f"/documents/{document.id}", status_code=303)


def _status(
    request: Request, session: DbSession, user: CurrentUser, document_id: int
) -> dict[str, object]:
    status = service.document_status(session, actor=user, document_id=document_id)
    session.commit()
    return {
        "status": status,
        "document": status.document,
        "is_finished": status.document.state in (DocumentState.DONE, DocumentState.FAILED)
        or status.is_stalled,
        "is_worker_running": request.app.state.jobs.is_worker_running(),
    }


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A document's build: its progress, then its download link (or why it failed)."""
    context = _status(request, session, user, document_id)
    return templates.TemplateResponse(request, "documents/status.html", context)


@router.get("/documents/{document_id}/progress", response_class=HTMLResponse)
def document_progress(
    request: Request, document_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The progress part of the status page, which polls it until the build ends."""
    context = _status(request, session, user, document_id)
    return templates.TemplateResponse(request, "documents/_progress.html", context)


@router.get("/documents/{document_id}/file")
def document_file(
    request: Request, document_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The finished PDF (audited with every student it names)."""
    return _download(session, user, document_id)


@router.post("/documents/{document_id}/retry")
def retry(request: Request, document_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Queue a failed build again and follow it."""
    requested = service.retry(session, actor=user, document_id=document_id)
    session.commit()
    _queue(request, requested)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)
