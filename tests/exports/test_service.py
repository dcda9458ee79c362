"""A OneRoster export is a stored request: built by the job with its progress, the same ZIP the
builder makes at once, reused at the same data version, built afresh after an import, failures
kept in words, and deleted with its file when a student of the district is erased."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.exports.conftest import admin, build, new_import, request, tables
from tests.web.conftest import WorldDatabase
from yincai.db import make_engine, session_scope
from yincai.domain.models import District
from yincai.errors import NotFound, NotReady
from yincai.exports import service
from yincai.exports.build import build_export
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.exports.oneroster import build_oneroster
from yincai.governance.models import AuditEvent, AuditEventStudent
from yincai.privacy.erasure import erase_student


def test_the_job_builds_the_zip_the_builder_makes_at_once_storing_its_progress(
    world_db: WorldDatabase, tmp_path: Path
) -> None:
    engine = make_engine(world_db.settings)
    requested = request(engine, world_db, with_names=True)
    seen: list[float] = []
    stored: list[float] = []

    def progress(share: float) -> None:
        seen.append(share)
        with Session(engine) as session:  # committed: another connection reads it
            stored.append(session.get_one(OneRosterExportRequest, requested.export.id).progress)

    built = build_export(
        engine,
        requested.export.id,
        data_dir=Path(world_db.settings.data_dir),
        error_log=tmp_path / "errors.log",
        on_progress=progress,
    )
    with session_scope(engine) as session:
        actor = admin(session, world_db)
        download = service.read_export(
            session, actor=actor, export_id=requested.export.id,
            data_dir=Path(world_db.settings.data_dir),
        )  # fmt: skip
        direct = build_oneroster(
            session, session.get_one(District, world_db.world["D1"]), with_names=True
        )
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "oneroster_export")
        ).one()
        audited = set(
            session.scalars(
                select(AuditEventStudent.student_id).where(AuditEventStudent.event_id == event.id)
            )
        )
        export = download.export
        state, n_students, n_bytes = export.state, export.n_students, export.n_bytes
        relative = export.file_path
    engine.dispose()
    w = world_db.world
    assert built and requested.needs_queue
    assert state is ExportState.DONE and n_bytes == len(download.content)
    assert tables(download.content) == tables(direct.content)
    assert download.export.file_name == direct.file_name
    assert seen == sorted(seen) and seen[-1] == 1.0 and stored == seen
    assert n_students == 4 and audited == {w["A1"], w["A2"], w["B1"], w["Z1"]}
    assert event.user_account_id is not None  # the downloader, not the job
    assert relative is not None and (world_db.settings.data_dir / relative).is_file()


def test_asking_again_at_the_same_data_version_reuses_the_export_built_once(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    first = request(engine, world_db)
    again = request(engine, world_db)
    assert build(engine, world_db, first.export.id)
    twice = build(engine, world_db, first.export.id)
    done = request(engine, world_db)
    named = request(engine, world_db, with_names=True)
    with Session(engine) as session:
        n_exports = session.scalar(
            select(func.count()).where(OneRosterExportRequest.requested_by.is_not(None))
        )  # the world's own queued exports left out
    engine.dispose()
    assert again.export.id == first.export.id and again.needs_queue  # queued: queue again
    assert not twice  # a second task of the same export does nothing
    assert done.export.id == first.export.id and not done.needs_queue
    assert done.export.state is ExportState.DONE
    assert named.export.id != first.export.id and named.needs_queue  # other options
    assert n_exports == 2


def test_a_new_import_makes_the_next_request_build_afresh_and_drops_the_old_file(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    first = request(engine, world_db)
    assert build(engine, world_db, first.export.id)
    with session_scope(engine) as session:
        old_path = session.get_one(OneRosterExportRequest, first.export.id).file_path
        before = service.export_status(
            session, actor=admin(session, world_db), export_id=first.export.id
        )
        was_current = before.is_current
    new_import(engine)
    with session_scope(engine) as session:
        after = service.export_status(
            session, actor=admin(session, world_db), export_id=first.export.id
        )
        is_current = after.is_current
    second = request(engine, world_db)
    assert build(engine, world_db, second.export.id)
    with Session(engine) as session:
        ids = list(
            session.scalars(
                select(OneRosterExportRequest.id).where(
                    OneRosterExportRequest.requested_by.is_not(None)
                )
            )
        )  # the world's own queued exports left out
    engine.dispose()
    assert was_current and not is_current
    assert second.export.id != first.export.id and second.needs_queue
    assert second.export.hub_version > first.export.hub_version
    assert ids == [second.export.id]  # the export it replaces is deleted once it is built
    assert old_path is not None and not (world_db.settings.data_dir / old_path).exists()


def test_a_failed_build_is_stored_in_words_and_asking_again_queues_it_afresh(
    world_db: WorldDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(world_db.settings)
    requested = request(engine, world_db)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("学生 甲一同学 的成绩无法写出")  # personal data must not reach the page

    monkeypatch.setattr("yincai.exports.build.build_oneroster", broken)
    assert build(engine, world_db, requested.export.id)
    with session_scope(engine) as session:
        actor = admin(session, world_db)
        failed = service.export_status(session, actor=actor, export_id=requested.export.id)
        state, message = failed.export.state, failed.export.message
        with pytest.raises(NotReady) as refused:
            service.read_export(
                session, actor=actor, export_id=requested.export.id,
                data_dir=Path(world_db.settings.data_dir),
            )  # fmt: skip
    again = request(engine, world_db)
    engine.dispose()
    assert state is ExportState.FAILED
    assert "错误编号" in message and "甲一同学" not in message
    assert "RuntimeError" in world_db.settings.error_log_path.read_text()  # the operator's
    assert refused.value.code == "oneroster_export.not_ready"
    assert again.export.id == requested.export.id and again.needs_queue
    assert again.export.state is ExportState.QUEUED and again.export.message == ""


def test_erasing_a_student_deletes_the_districts_exports_and_their_files(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    requested = request(engine, world_db)
    assert build(engine, world_db, requested.export.id)
    with session_scope(engine) as session:
        path = session.get_one(OneRosterExportRequest, requested.export.id).file_path
        assert path is not None
        changed = erase_student(
            session, student_id=world_db.world["A1"], data_dir=Path(world_db.settings.data_dir)
        )
        assert (world_db.settings.data_dir / path).is_file()  # until the erasure commits
    with Session(engine) as session:
        left = list(session.scalars(select(OneRosterExportRequest.district_id)))
    engine.dispose()
    assert changed["oneroster_export_request"] == 2  # this one and the world's queued one
    assert left == [world_db.world["D2"]]  # the other district's export stays
    assert not (world_db.settings.data_dir / path).exists()


def test_a_built_export_whose_file_has_gone_is_refused_then_queued_again(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    data_dir = Path(world_db.settings.data_dir)
    requested = request(engine, world_db)
    assert build(engine, world_db, requested.export.id)
    with Session(engine) as session:
        path = session.get_one(OneRosterExportRequest, requested.export.id).file_path
    assert path is not None
    (data_dir / path).unlink()
    with session_scope(engine) as session:
        actor = admin(session, world_db)
        with pytest.raises(NotFound) as gone:
            service.read_export(
                session, actor=actor, export_id=requested.export.id, data_dir=data_dir
            )
        again = service.request_oneroster(session, actor=actor, data_dir=data_dir)
        state = again.export.state
    rebuilt = build(engine, world_db, requested.export.id)
    engine.dispose()
    assert gone.value.code == "oneroster_export.file_gone"
    assert again.export.id == requested.export.id and again.needs_queue
    assert state is ExportState.QUEUED and rebuilt and (data_dir / path).is_file()
