"""Erasure (删除): a student's identity and contact data removed everywhere the registry lists,
free text about them deleted, learning records kept under the anonymised (pseudonymous) row."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from yincai.domain.models import Student
from yincai.errors import NotFound
from yincai.i18n import _
from yincai.privacy.registry import REGISTRY


def erase_student(
    session: Session, *, student_id: int, now: datetime | None = None
) -> dict[str, int]:
    """Apply every registered table's erasure to the student; rows changed, by table (no scope
    check, no audit: the caller does both). Erasing twice changes nothing more."""
    if session.get(Student, student_id) is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    now = now or datetime.now(UTC)
    changed = {entry.name: entry.erase(session, student_id, now) for entry in REGISTRY}
    session.flush()
    session.expire_all()  # the ORM objects loaded before still hold the erased values
    return changed
