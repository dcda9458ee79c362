"""Guardian phones are encrypted in the database; importers, pages and exports see them plain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.hub.builders import STUDENTS, roster_file
from tests.privacy.builders import GUARDIAN, fill_student
from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Student
from yincai.field_encryption import generate_key
from yincai.hub import service as hub_service
from yincai.migrations import alembic_config, upgrade
from yincai.privacy import service as privacy_service

PHONES = {row[6]: row[12] for row in STUDENTS if row[12]}  # student number → guardian phone


def _stored(session: Session) -> dict[str, str]:
    rows = session.execute(
        text("SELECT student_number, guardian_phone FROM student WHERE guardian_phone IS NOT NULL")
    )
    return dict(rows.tuples().all())


def test_imported_phones_are_stored_encrypted_and_read_back_plain(
    session: Session, tmp_path: Path
) -> None:
    hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")
    stored = _stored(session)
    assert set(stored) == set(PHONES)
    for number, phone in PHONES.items():
        assert phone not in stored[number] and stored[number].startswith("enc1:")
    read = dict(session.execute(select(Student.student_number, Student.guardian_phone)).all())
    assert {n: read[n] for n in PHONES} == PHONES
    again = hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")
    assert again.counts["student"].updated == 0  # comparing plain values, not ciphertexts


def test_the_migration_encrypts_plain_phones_stored_before_it(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")
        command.downgrade(alembic_config(engine), "20261202_0007")
        with session_scope(engine) as session:
            assert _stored(session) == PHONES  # as a database before this release held them
        upgrade(engine)
        with session_scope(engine) as session:
            stored = _stored(session)
            read = dict(
                session.execute(select(Student.student_number, Student.guardian_phone)).all()
            )
        assert all(stored[n].startswith("enc1:") and p not in stored[n] for n, p in PHONES.items())
        assert {n: read[n] for n in PHONES} == PHONES
    finally:
        engine.dispose()


def test_after_a_key_rotation_encrypt_fields_rewrites_every_value_under_the_new_key(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        hub_service.import_roster(session, path=roster_file(tmp_path), district_code="D1")
    engine.dispose()
    old_key = settings.field_key_path.read_text().strip()
    rotated = settings.model_copy(
        update={"field_key": generate_key(), "field_keys_previous": old_key}
    )
    engine = make_engine(rotated)
    with session_scope(engine) as session:
        assert privacy_service.encrypt_fields(session) == len(PHONES)
        assert privacy_service.encrypt_fields(session) == 0
    engine.dispose()
    only_new = rotated.model_copy(update={"field_keys_previous": ""})
    engine = make_engine(only_new)
    with session_scope(engine) as session:
        read = dict(session.execute(select(Student.student_number, Student.guardian_phone)).all())
    engine.dispose()
    assert {n: read[n] for n in PHONES} == PHONES


def test_a_teacher_of_the_class_sees_the_guardian_phone_and_a_parent_does_not(
    world_db: WorldDatabase,
) -> None:
    engine = make_engine(world_db.settings)
    with session_scope(engine) as session:
        student_id = fill_student(session, world_db.world)
    engine.dispose()
    pages = {}
    for role in ("teacher", "district_admin", "parent"):
        with TestClient(create_app(world_db.settings)) as client:
            logged_in(client, world_db.world.usernames[role])
            pages[role] = client.get(f"/students/{student_id}").text
    assert GUARDIAN[1] in pages["teacher"] and GUARDIAN[1] in pages["district_admin"]
    assert GUARDIAN[1] not in pages["parent"]
