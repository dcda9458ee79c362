"""A class booklet is a stored document: built with its progress, reused at the same data
version, made stale by an import, and built once however often it is queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.diagnosis.test_refresh import _import_zeros, _strongest_of_latest_exam
from tests.documents.conftest import pdf_text, smallest_junior_class
from yincai.accounts.actors import CLI
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.documents import service
from yincai.documents.build import build_document
from yincai.documents.models import DocumentState, GeneratedDocument, GeneratedDocumentStudent


def _request(engine: Engine, school_class_id: int) -> service.Requested:
    with session_scope(engine) as session:
        return service.request_class_booklet(session, actor=CLI, school_class_id=school_class_id)


def _read(engine: Engine, document_id: int) -> GeneratedDocument:
    with Session(engine, expire_on_commit=False) as session:
        return service.read_document(session, actor=CLI, document_id=document_id)


def test_the_job_stores_a_pdf_naming_every_student_with_progress_from_zero_to_the_total(
    demo_engine: Engine, tmp_path: Path
) -> None:
    class_id, names = smallest_junior_class(demo_engine)
    requested = _request(demo_engine, class_id)
    seen: list[tuple[int, int]] = []
    stored: list[int] = []

    def progress(n_done: int, n_total: int) -> None:
        seen.append((n_done, n_total))
        with Session(demo_engine) as session:  # committed: another connection reads it
            stored.append(session.get_one(GeneratedDocument, requested.document.id).n_done)

    built = build_document(
        demo_engine, requested.document.id, error_log=tmp_path / "errors.log", on_progress=progress
    )
    document = _read(demo_engine, requested.document.id)
    with Session(demo_engine) as session:
        named = session.scalar(
            select(func.count()).where(GeneratedDocumentStudent.document_id == document.id)
        )
    assert built and requested.needs_queue
    assert document.state is DocumentState.DONE and document.content is not None
    text = pdf_text(document.content)
    assert all(name in text for name in names) and "参考答案" in text
    assert seen == [(n, len(names)) for n in range(len(names) + 1)]
    assert stored == list(range(len(names) + 1))
    assert (document.n_done, document.n_total, named) == (len(names),) * 3
    assert document.n_bytes == len(document.content) and document.finished_at is not None


def test_asking_again_at_the_same_data_version_reuses_the_queued_then_the_finished_job(
    demo_engine: Engine, tmp_path: Path
) -> None:
    class_id, _ = smallest_junior_class(demo_engine)
    first = _request(demo_engine, class_id)
    again = _request(demo_engine, class_id)
    assert build_document(demo_engine, first.document.id, error_log=tmp_path / "errors.log")
    twice = build_document(demo_engine, first.document.id, error_log=tmp_path / "errors.log")
    done = _request(demo_engine, class_id)
    with Session(demo_engine) as session:
        n_documents = session.scalar(select(func.count()).select_from(GeneratedDocument))
    assert again.document.id == first.document.id and again.needs_queue  # queued: queue again
    assert not twice  # a second task of the same document does nothing
    assert done.document.id == first.document.id and not done.needs_queue
    assert done.document.state is DocumentState.DONE and n_documents == 1


def test_an_import_makes_the_document_stale_and_the_next_request_builds_a_new_one(
    small_district: Settings, tmp_path: Path
) -> None:
    engine = make_engine(small_district)
    class_id, _ = smallest_junior_class(engine)
    first = _request(engine, class_id)
    assert build_document(engine, first.document.id, error_log=tmp_path / "errors.log")
    with Session(engine) as session:
        before = service.document_status(session, actor=CLI, document_id=first.document.id)
    _import_zeros(engine, _strongest_of_latest_exam(engine), tmp_path)
    with Session(engine) as session:
        after = service.document_status(session, actor=CLI, document_id=first.document.id)
    second = _request(engine, class_id)
    assert build_document(engine, second.document.id, error_log=tmp_path / "errors.log")
    with Session(engine) as session:
        ids = list(session.scalars(select(GeneratedDocument.id)))
    engine.dispose()
    assert before.is_current and not after.is_current
    assert second.document.id != first.document.id and second.needs_queue
    assert second.document.hub_version > first.document.hub_version
    assert ids == [second.document.id]  # the version it replaces is deleted once it is built


def test_a_failed_build_keeps_a_message_in_words_and_can_be_queued_again(
    demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class_id, _ = smallest_junior_class(demo_engine)
    requested = _request(demo_engine, class_id)

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("学生 张三 的练习无法排版")  # personal data must not reach the page

    monkeypatch.setattr("yincai.documents.build._booklet_pdf", broken)
    build_document(demo_engine, requested.document.id, error_log=tmp_path / "errors.log")
    with session_scope(demo_engine) as session:
        failed = service.document_status(session, actor=CLI, document_id=requested.document.id)
        state, message = failed.document.state, failed.document.message
        retried = service.retry(session, actor=CLI, document_id=requested.document.id)
    assert state is DocumentState.FAILED
    assert "错误编号" in message and "张三" not in message
    assert "RuntimeError" in (tmp_path / "errors.log").read_text()  # the operator's details
    assert retried.needs_queue and retried.document.state is DocumentState.QUEUED
