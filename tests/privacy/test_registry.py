"""The personal-data registry covers every table; export and erasure follow it."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.world import PASSWORD, build_world
from tests.privacy.builders import DOCUMENT_CONTENT, EVIDENCE, GUARDIAN, fill_student
from yincai.accounts.actors import CLI
from yincai.accounts.models import UserAccount
from yincai.consent.models import GuardianConsent
from yincai.db import Base
from yincai.documents.models import GeneratedDocument
from yincai.domain.models import GrowthRecord, Score, Sitting, Student
from yincai.governance.models import AuditEvent
from yincai.governance.service import verify_password
from yincai.privacy import service
from yincai.privacy.registry import NO_STUDENT_DATA, REGISTRY, load_all_models


def test_every_table_is_registered_or_said_to_hold_no_student_data() -> None:
    load_all_models()
    tables = set(Base.metadata.tables)
    registered = {entry.name for entry in REGISTRY}
    unexplained = tables - registered - set(NO_STUDENT_DATA)
    assert unexplained == set(), (
        f"tables {sorted(unexplained)} hold data no one has classified: register them in "
        "yincai.privacy.registry.REGISTRY (how to find, export and erase a student's rows) or "
        "list them in NO_STUDENT_DATA with the reason they hold none"
    )
    assert registered & set(NO_STUDENT_DATA) == set()
    assert (registered | set(NO_STUDENT_DATA)) - tables == set()  # no stale names
    assert all(reason.strip() for reason in NO_STUDENT_DATA.values())


def _archive(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_students_rows_of_every_registered_table(session: Session) -> None:
    world = build_world(session)
    student_id = fill_student(session, world)
    export = service.export_for(session, actor=CLI, student_id=student_id)
    files = _archive(export.data)
    empty = [entry.name for entry in REGISTRY if export.counts[entry.name] == 0]
    assert empty == [], f"give the test student rows in {empty} (tests/privacy/builders.py)"
    for entry in REGISTRY:
        rows = json.loads(files[f"{entry.name}.json"])
        assert len(rows) == export.counts[entry.name]
        assert files[f"{entry.name}.csv"].decode("utf-8-sig").startswith(",".join(
            entry.exported_columns()))  # fmt: skip
        assert f"| {entry.name}.json" in files["README.md"].decode()
    (student,) = json.loads(files["student.json"])
    assert (student["guardian_name"], student["guardian_phone"]) == GUARDIAN  # decrypted
    assert {row["student_id"] for row in json.loads(files["score.json"])} == {student_id}
    accounts = json.loads(files["user_account.json"])
    assert {a["role"] for a in accounts} == {"student", "parent"}
    assert all("password_hash" not in a for a in accounts)
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    assert len(json.loads(files["generated_document.json"])) == 1
    assert DOCUMENT_CONTENT.decode() not in everything  # the PDF names classmates too
    assert all(name not in everything for key, (name, _) in world.names.items() if key != "A1")
    assert session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "privacy_export", AuditEvent.object_id == str(student_id))
    ) == 1  # fmt: skip


def test_erasure_removes_identity_and_contact_and_keeps_learning_records(
    session: Session,
) -> None:
    world = build_world(session)
    student_id = fill_student(session, world)
    n_scores = session.scalar(select(func.count()).where(Score.student_id == student_id))
    changed = service.erase(session, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    name, number = world.names["A1"]
    assert (student.name, student.student_number) == ("已匿名学生", f"ANON-{student_id}")
    assert (student.birth_year, student.guardian_name, student.guardian_phone) == (None,) * 3
    assert student.anonymised_at is not None
    assert session.scalar(select(func.count()).where(GrowthRecord.student_id == student_id)) == 0
    assert session.scalar(select(func.count()).where(Score.student_id == student_id)) == n_scores
    assert session.scalar(select(func.count()).where(Sitting.student_id == student_id)) == 1
    accounts = list(
        session.scalars(select(UserAccount).where(UserAccount.student_id == student_id))
    )
    assert len(accounts) == 2
    assert not any(a.is_active or verify_password(a.password_hash, PASSWORD) for a in accounts)
    assert all(a.username.startswith("erased-") for a in accounts)
    consents = list(session.scalars(select(GuardianConsent).where(
        GuardianConsent.student_id == student_id)))  # fmt: skip
    assert consents and all(c.withdrawn_at is not None for c in consents)
    assert changed["growth_record"] == 1 and changed["score"] == 0
    assert changed["generated_document"] == 1  # the class booklet naming the student is gone
    assert session.scalar(select(func.count()).where(GeneratedDocument.request_key == "test")) == 0
    export = service.export_for(session, actor=CLI, student_id=student_id)
    everything = b"".join(_archive(export.data).values()).decode("utf-8", errors="replace")
    for secret in (name, number, *GUARDIAN, EVIDENCE, "已家访"):
        assert secret not in everything
    assert changed["assistant_message"] == 2 and changed["assistant_conversation"] == 1
    assert service.erase(session, student_id=student_id)["student"] == 0  # already done
