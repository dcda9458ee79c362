"""Erasure (删除): a student's identity and contact data removed everywhere the registry lists,
free text about them deleted, learning records kept under the anonymised (pseudonymous) row.

Files go too: the scanned pages of the student's answer sheets and the crops cut from them (their
handwriting) are deleted from the data folder once the erasure commits — not before, so a
rolled-back erasure loses nothing. So do the OneRoster exports of the student's district (each
ZIP lists every student of the district); their rows go with the erasure."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from yincai.domain.models import Student
from yincai.errors import NotFound
from yincai.exports.models import OneRosterExportRequest
from yincai.i18n import _
from yincai.marking.models import MarkingAnswer, ScanBatch, ScanSheet
from yincai.privacy.registry import REGISTRY

PENDING_FILES = "yincai.erasure.files"  # session.info keys
LISTENING = "yincai.erasure.listening"


def erase_student(
    session: Session,
    *,
    student_id: int,
    now: datetime | None = None,
    data_dir: Path | None = None,
) -> dict[str, int]:
    """Apply every registered table's erasure to the student; rows changed, by table (no scope
    check, no audit: the caller does both), and delete the OneRoster exports of their district.
    With ``data_dir`` the student's scan files and those exports' ZIPs there are deleted when the
    session commits. Erasing twice changes nothing more."""
    student = session.get(Student, student_id)
    if student is None:
        raise NotFound(_("学生 {id} 不存在").format(id=student_id), code="student.not_found")
    now = now or datetime.now(UTC)
    exports = [] if student.anonymised_at is not None else _district_exports(session, student)
    if data_dir is not None:
        files = [*student_files(session, student_id), *(e.file_path or "" for e in exports)]
        _delete_after_commit(session, _inside(data_dir, filter(None, files)))
    changed = {entry.name: entry.erase(session, student_id, now) for entry in REGISTRY}
    # without the data folder at hand, the next export's build deletes the files left behind
    for export in exports:
        session.delete(export)
    changed[OneRosterExportRequest.__tablename__] = len(exports)
    session.flush()
    session.expire_all()  # the ORM objects loaded before still hold the erased values
    return changed


def student_files(session: Session, student_id: int) -> list[str]:
    """The student's files under the data folder (relative paths): their scanned pages (a
    multi-page file shared with other students' sheets stays), review crops, answer crops."""
    files: set[str] = set()
    sheets = session.execute(
        select(ScanSheet, ScanBatch.folder)
        .join(ScanBatch, ScanBatch.id == ScanSheet.scan_batch_id)
        .where(ScanSheet.student_id == student_id)
    ).all()
    for sheet, folder in sheets:
        files.update(json.loads(sheet.crops).values())
        files.update(
            entry["crop"] for entry in json.loads(sheet.review).values() if entry.get("crop")
        )
        others = session.scalars(
            select(ScanSheet.sources).where(
                ScanSheet.scan_batch_id == sheet.scan_batch_id, ScanSheet.id != sheet.id
            )
        ).all()
        shared = {_file_of(source) for text in others for source in json.loads(text).values()}
        for source in json.loads(sheet.sources).values():
            if _file_of(source) not in shared:
                files.add(f"{folder}/files/{_file_of(source)}")
    files.update(
        path
        for path in session.scalars(
            select(MarkingAnswer.image_path).where(
                MarkingAnswer.student_id == student_id, MarkingAnswer.image_path.is_not(None)
            )
        )
        if path
    )
    return sorted(files)


def _district_exports(session: Session, student: Student) -> list[OneRosterExportRequest]:
    """The OneRoster exports of the student's district: each ZIP lists every student (those built
    after the student's erasure do not, so erasing again leaves them)."""
    return list(
        session.scalars(
            select(OneRosterExportRequest).where(
                OneRosterExportRequest.district_id == student.district_id
            )
        )
    )


def _file_of(source: str) -> str:
    return source.split("#", 1)[0]  # "00003.pdf#2": page 2 of a stored PDF


def _inside(data_dir: Path, relative: Iterable[str]) -> list[Path]:
    """The paths that resolve inside the data folder (a stored path never leads outside it)."""
    root = data_dir.resolve()
    paths = [(root / path).resolve() for path in relative]
    return [path for path in paths if path.is_relative_to(root)]


def _delete_after_commit(session: Session, paths: list[Path]) -> None:
    """Delete ``paths`` when the session's transaction commits; forget them if it rolls back."""
    pending: list[Path] = session.info.setdefault(PENDING_FILES, [])
    pending.extend(paths)
    if session.info.get(LISTENING):
        return
    session.info[LISTENING] = True

    def delete(committed: Session) -> None:
        for path in committed.info.pop(PENDING_FILES, []):
            path.unlink(missing_ok=True)

    def forget(rolled_back: Session) -> None:
        rolled_back.info.pop(PENDING_FILES, None)

    event.listen(session, "after_commit", delete)
    event.listen(session, "after_rollback", forget)
