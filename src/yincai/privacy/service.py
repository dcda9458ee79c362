"""The privacy capability's one door: subject access, erasure, consent, retention, field keys.

Other capabilities use the consent rule through here (``cleared_student_ids``,
``require_consent``); pages pass the logged-in account as ``actor``, the CLI the system actor
(``accounts.actors.CLI``). Every export, erasure and change of consent is audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from yincai.accounts.models import Role
from yincai.consent.models import ConsentPurpose
from yincai.consent.service import (
    ConsentRequired,
    ConsentState,
    cleared_student_ids,
    consent_state,
    consent_version,
    give_consent,
    may_be_under_age,
    require_consent,
    students_without_consent,
    withdraw_consent,
)
from yincai.domain.models import District, Student
from yincai.errors import Invalid, NotFound
from yincai.field_encryption import is_encrypted, keyring_of
from yincai.governance import service as governance_service
from yincai.i18n import _
from yincai.privacy.erasure import erase_student
from yincai.privacy.retention import PurgeReport, purge
from yincai.privacy.subject_access import SubjectExport, export_student

__all__ = [
    "ConsentPurpose",
    "ConsentRequired",
    "ConsentState",
    "PurgeReport",
    "SubjectExport",
    "cleared_student_ids",
    "consent_state",
    "consent_version",
    "encrypt_fields",
    "erase",
    "export_for",
    "find_student",
    "give_consent",
    "mark_left",
    "may_be_under_age",
    "purge",
    "require_consent",
    "students_without_consent",
    "withdraw_consent",
]

ENCRYPTED_COLUMNS = (("student", "guardian_phone", "student.guardian_phone"),)


def find_student(session: Session, *, student_number: str, district_code: str | None) -> Student:
    """The student with this number (in the district given, when numbers repeat across them)."""
    query = select(Student).where(Student.student_number == student_number.strip())
    if district_code:
        query = query.join(District, District.id == Student.district_id).where(
            District.code == district_code
        )
    found = list(session.scalars(query))
    if not found:
        raise NotFound(
            _("学号 {student_number} 不存在").format(student_number=student_number),
            code="student.not_found",
        )
    if len(found) > 1:
        raise Invalid(
            _("学号 {student_number} 在多个区县重复，请指定 --district").format(
                student_number=student_number
            ),
            code="student.ambiguous",
        )
    return found[0]


def export_for(
    session: Session, *, actor: governance_service.Actor, student_id: int
) -> SubjectExport:
    """The ZIP of everything held about a student, for their parent, an admin in scope or the
    operator (``SystemActor``); audited."""
    governance_service.require_role(actor, Role.PARENT, *governance_service.ADMIN_ROLES)
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    export = export_student(session, student_id=student_id)
    governance_service.audit(
        session,
        actor=actor,
        action="privacy_export",
        object_type="student",
        object_id=student_id,
    )
    return export


def erase(
    session: Session, *, student_id: int, reason: str = "cli", data_dir: Path | None = None
) -> dict[str, int]:
    """Erase a student's personal data (the operator's command); audited. With ``data_dir``
    their scan files there go when the session commits."""
    changed = erase_student(session, student_id=student_id, data_dir=data_dir)
    governance_service.audit(
        session,
        actor=None,
        action="privacy_erase",
        object_type="student",
        object_id=student_id,
        scope=reason,
    )
    return changed


def mark_left(session: Session, *, student_id: int, left_on: date | None) -> Student:
    """Record the day a student left the school (None: they are back); audited."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    student.left_on = left_on
    governance_service.audit(
        session,
        actor=None,
        action="student_left" if left_on else "student_returned",
        object_type="student",
        object_id=student_id,
        scope="cli",
    )
    session.flush()
    return student


def encrypt_fields(session: Session) -> int:
    """Encrypt every encrypted column's value that is plain or under an earlier key with the
    current key (after the migration, or after a key rotation); the number rewritten."""
    bind = session.connection()
    keyring = keyring_of(bind.dialect)
    n_rewritten = 0
    for table, column, context in ENCRYPTED_COLUMNS:
        rows = bind.execute(
            text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        stale = [(row[0], row[1]) for row in rows if not keyring.is_current(row[1])]
        updates = [
            {
                "id": row_id,
                "value": keyring.encrypt(
                    keyring.decrypt(value, context=context) if is_encrypted(value) else value,
                    context=context,
                ),
            }
            for row_id, value in stale
        ]
        if updates:
            bind.execute(text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), updates)
        n_rewritten += len(updates)
    return n_rewritten
