"""The build job: lay out a queued document, storing its progress student by student, then its
PDF. Run by the job worker (``jobs.Jobs``), or in the foreground by a command when no worker runs.

Each step commits on its own, in a short transaction, so the status page reads the progress
while the build is under way. A build first claims its document (queued → running in one
UPDATE): a document queued twice, or built by a command while the worker also got its task, is
built once. A failure is stored in words (a service's own message, or an error id whose
traceback went to the error log, never data) and the document can be queued again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from yincai.accounts.actors import JOB
from yincai.db import claim_queued, mark_failed, session_scope
from yincai.documents import service
from yincai.documents.models import DocumentState, GeneratedDocument, GeneratedDocumentStudent
from yincai.domain.models import School, SchoolClass
from yincai.error_log import report_unexpected_error
from yincai.errors import YincaiError
from yincai.practice import service as practice_service
from yincai.practice.plans import PracticeSet

KEEP = timedelta(days=7)  # documents untouched this long are deleted by the next build
Progress = Callable[[int, int], None]  # (students laid out, students in the document)


def build_document(
    engine: Engine, document_id: int, *, error_log: Path, on_progress: Progress | None = None
) -> bool:
    """Build a queued document; whether this call built it (False: it was not queued, e.g.
    another build claimed it)."""
    if not _claim(engine, document_id):
        return False

    def store_progress(n_done: int, n_total: int) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(GeneratedDocument)
                .where(GeneratedDocument.id == document_id)
                .values(n_done=n_done, n_total=n_total, updated_at=datetime.now(UTC))
            )
        if on_progress is not None:
            on_progress(n_done, n_total)

    try:
        with Session(engine) as session:
            sets = _class_practice(session, document_id)
        store_progress(0, len(sets))
        content = _booklet_pdf(sets, lambda n_done: store_progress(n_done, len(sets)))
        _finish(engine, document_id, content, [practice.student_id for practice in sets])
    except YincaiError as problem:  # e.g. no estimates yet: the service's own words
        _fail(engine, document_id, problem.message)
    except Exception as error:
        where = f"document {document_id}"
        report = report_unexpected_error(error, log_path=error_log, where=where)
        _fail(engine, document_id, report.message)
    return True


def _claim(engine: Engine, document_id: int) -> bool:
    now = datetime.now(UTC)
    running = ("state", DocumentState.QUEUED, DocumentState.RUNNING)
    return claim_queued(
        engine,
        GeneratedDocument,
        document_id,
        state=running,
        started_at=now,
        updated_at=now,
        n_done=0,
    )


def _class_practice(session: Session, document_id: int) -> list[PracticeSet]:
    document = session.get(GeneratedDocument, document_id)
    assert document is not None
    n_items, subject_code = service.booklet_options(document)
    school_code, class_name = session.execute(
        select(School.code, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .where(SchoolClass.id == document.school_class_id)
    ).one()
    return practice_service.class_practice(  # the requester's scope was checked when asked
        session,
        actor=JOB,
        school_code=school_code,
        class_name=class_name,
        n_items=n_items,
        subject_code=subject_code,
    )


def _booklet_pdf(sets: list[PracticeSet], on_progress: Callable[[int], None]) -> bytes:
    from yincai.practice.booklet_adapter import practice_booklet_pdf  # WeasyPrint loads here

    return practice_booklet_pdf(sets, on_progress=on_progress)


def _finish(engine: Engine, document_id: int, content: bytes, student_ids: list[int]) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        document = session.get(GeneratedDocument, document_id)
        assert document is not None
        document.content = content
        document.n_bytes = len(content)
        document.n_done = document.n_total = len(student_ids)
        document.state = DocumentState.DONE
        document.finished_at = document.updated_at = now
        session.execute(
            insert(GeneratedDocumentStudent),
            [{"document_id": document_id, "student_id": s} for s in sorted(set(student_ids))],
        )
        _prune(session, document, now)


def _prune(session: Session, document: GeneratedDocument, now: datetime) -> None:
    """Delete the versions this one replaces, and every document untouched for ``KEEP``."""
    settled = GeneratedDocument.state.in_([DocumentState.DONE, DocumentState.FAILED])
    replaced = select(GeneratedDocument.id).where(
        GeneratedDocument.request_key == document.request_key,
        GeneratedDocument.id != document.id,
        settled,
    )
    old = select(GeneratedDocument.id).where(
        GeneratedDocument.updated_at < now - KEEP,
        GeneratedDocument.state != DocumentState.RUNNING,
    )
    ids = {*session.scalars(replaced), *session.scalars(old)}
    if ids:
        session.execute(
            delete(GeneratedDocumentStudent).where(GeneratedDocumentStudent.document_id.in_(ids))
        )
        session.execute(delete(GeneratedDocument).where(GeneratedDocument.id.in_(ids)))


def _fail(engine: Engine, document_id: int, message: str) -> None:
    now = datetime.now(UTC)
    failed = ("state", DocumentState.FAILED)
    mark_failed(
        engine,
        GeneratedDocument,
        document_id,
        state=failed,
        message=message,
        finished_at=now,
        updated_at=now,
    )
