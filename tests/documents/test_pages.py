"""The booklet link on the web: it queues the build and shows its progress, then the download
link; a finished current booklet downloads at once; only the staff of the class see any of it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from tests.documents.conftest import pdf_text, smallest_junior_class
from tests.web.clients import csrf_token, logged_in
from tests.web.test_browser import DEMO_PASSWORD, _usernames
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import session_scope
from yincai.documents import service
from yincai.documents.build import build_document
from yincai.documents.models import DocumentState, GeneratedDocument
from yincai.domain.models import TeachingAssignment
from yincai.governance.models import AuditEvent

POLLING = 'hx-trigger="every 1s"'
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _set(engine: Engine, document_id: int, **values: object) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(GeneratedDocument).where(GeneratedDocument.id == document_id).values(**values)
        )


def _exports(engine: Engine, school_class_id: int) -> int:
    with Session(engine) as session:
        return len(
            session.scalars(
                select(AuditEvent.id).where(
                    AuditEvent.action == "export_practice",
                    AuditEvent.object_type == "class",
                    AuditEvent.object_id == str(school_class_id),
                )
            ).all()
        )


def test_the_link_queues_the_booklet_and_the_page_shows_progress_then_the_download(
    demo_settings: Settings, demo_engine: Engine, tmp_path: Path
) -> None:
    class_id, names = smallest_junior_class(demo_engine)
    exports_before = _exports(demo_engine, class_id)
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, _usernames(demo_settings)[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        link = client.get(f"/classes/{class_id}/practice.pdf", follow_redirects=False)
        status_path = link.headers["location"]
        document_id = int(status_path.rsplit("/", 1)[1])
        queued = client.get(status_path)
        english = client.get(status_path + "?lang=en")
        pending = client.app.state.jobs.pending()  # type: ignore[attr-defined]
        _set(demo_engine, document_id, state=DocumentState.RUNNING, n_done=3, n_total=len(names))
        running = client.get(f"{status_path}/progress")
        running_en = client.get(f"{status_path}/progress?lang=en")
        _set(demo_engine, document_id, state=DocumentState.QUEUED, n_done=0)
        assert build_document(demo_engine, document_id, error_log=tmp_path / "errors.log")
        done = client.get(f"{status_path}/progress")
        done_en = client.get(f"{status_path}/progress?lang=en")
        download = client.get(f"{status_path}/file")
        at_once = client.get(f"/classes/{class_id}/practice.pdf", follow_redirects=False)
    assert link.status_code == 303 and status_path == f"/documents/{document_id}"
    assert pending == 1  # the build went to the job worker's queue
    assert queued.status_code == 200 and "排队中" in queued.text and POLLING in queued.text
    assert "后台任务程序（yincai worker）没有在运行" in queued.text  # no worker in this test
    assert 'http-equiv="refresh"' in queued.text  # inside <noscript>: pages without script
    assert "Queued" in english.text and "排队中" not in english.text
    assert f"3 / {len(names)}" in running.text and "<progress" in running.text
    assert POLLING in running.text
    assert POLLING not in done.text and f'href="{status_path}/file"' in done.text
    assert f"Building: 3 / {len(names)} students" in running_en.text
    assert f"Ready: {len(names)} students" in done_en.text and "Download PDF" in done_en.text
    assert not CJK.search(running_en.text + done_en.text)
    assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
    assert all(name in pdf_text(download.content) for name in names)
    assert at_once.status_code == 200 and at_once.content == download.content
    assert _exports(demo_engine, class_id) == exports_before + 2  # each download is audited


def test_a_failed_build_says_why_and_its_retry_button_queues_it_again(
    demo_settings: Settings, demo_engine: Engine
) -> None:
    class_id, _ = smallest_junior_class(demo_engine)
    with session_scope(demo_engine) as session:
        document_id = service.request_class_booklet(
            session, actor=CLI, school_class_id=class_id
        ).document.id
    message = "尚无掌握度估计 / no mastery estimates yet"
    _set(demo_engine, document_id, state=DocumentState.FAILED, message=message)
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, _usernames(demo_settings)[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        failed = client.get(f"/documents/{document_id}")
        retried = client.post(
            f"/documents/{document_id}/retry",
            data={"csrf_token": csrf_token(client, f"/documents/{document_id}")},
            follow_redirects=False,
        )
        again = client.get(f"/documents/{document_id}")
        pending = client.app.state.jobs.pending()  # type: ignore[attr-defined]
    assert "生成失败" in failed.text and message in failed.text and "重新生成" in failed.text
    assert POLLING not in failed.text
    assert retried.status_code == 303 and retried.headers["location"] == f"/documents/{document_id}"
    assert "排队中" in again.text and pending == 1


def test_people_outside_the_class_get_no_status_no_download_and_no_retry(
    demo_settings: Settings, demo_engine: Engine
) -> None:
    with Session(demo_engine) as session:
        teacher = session.scalars(select(UserAccount).where(UserAccount.role == Role.TEACHER)).one()
        taught = set(
            session.scalars(
                select(TeachingAssignment.school_class_id).where(
                    TeachingAssignment.teacher_id == teacher.teacher_id
                )
            )
        )
    other_class, _ = smallest_junior_class(demo_engine)
    assert other_class not in taught
    now = datetime.now(UTC)
    with session_scope(demo_engine) as session:
        document = service.request_class_booklet(
            session, actor=CLI, school_class_id=other_class
        ).document
        document.state, document.content, document.finished_at = DocumentState.DONE, b"%PDF-", now
        session.flush()
        document_id = document.id
    paths = [f"/documents/{document_id}", f"/documents/{document_id}/progress",
             f"/documents/{document_id}/file", f"/classes/{other_class}/practice.pdf"]  # fmt: skip
    usernames = _usernames(demo_settings)
    refused: dict[Role, list[int]] = {}
    for role in (Role.TEACHER, Role.STUDENT, Role.PARENT):
        with TestClient(create_app(demo_settings)) as client:
            logged_in(client, usernames[role], DEMO_PASSWORD)
            codes = [client.get(path, follow_redirects=False).status_code for path in paths]
            token = csrf_token(client, "/account/password")
            retry = client.post(
                f"/documents/{document_id}/retry", data={"csrf_token": token},
                follow_redirects=False,
            )  # fmt: skip
            refused[role] = [*codes, retry.status_code]
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, usernames[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        missing = client.get(f"/documents/{document_id + 1000}").status_code
    assert all(code in (403, 404) for codes in refused.values() for code in codes), refused
    assert missing == 404
