"""Scanned answer sheets into the hub (扫描上传与复核): a batch of uploaded scans per assessment,
read by the job worker, reviewed by a person, applied as a score import.

- ``start_batch`` (staff who may edit the assessment's scores) checks the files (PNG, JPEG, PDF or
  a ZIP of them; sizes), keeps them privately under the data folder and stores the layout the
  sheets were printed with; the page queues ``read_batch``.
- ``read_batch`` (the job) reads the files with ``omr.batch.read_files``, checks each student
  number against the students of the classes that sat the assessment, stores one row per sheet
  (raw bubble values, review entries, crops of the written items) and its progress.
- ``resolve`` records a person's value for a doubtful field (or blank).
- ``apply_batch``, once no known student's sheet waits for review, scores the choice items
  against the bank's key (multiple choice: full marks only when exactly right) and writes them as
  one score import (origin "scan": in the import history, revertible), and hands the crops of
  the written items to the assessment's marking tasks. Applying again after the key changed
  scores the stored values again, without reading the scans.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.db import mark_failed, session_scope
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    Item,
    ItemType,
    Student,
)
from yincai.error_log import report_unexpected_error
from yincai.errors import Conflict, Invalid, NotFound, YincaiError
from yincai.governance import service as governance_service
from yincai.hub.importers.marked_scores import import_item_scores
from yincai.hub.schemas import ImportSummary
from yincai.i18n import Message, _
from yincai.marking.models import (
    MarkingAnswer,
    MarkingSession,
    MarkingTask,
    ScanBatch,
    ScanSheet,
    ScanStatus,
    TaskStatus,
)
from yincai.marking.setup import AnswerInput, add_answers
from yincai.marking.sheets import item_specs
from yincai.omr.batch import read_files
from yincai.omr.layout import STUDENT_FIELD_PREFIX, SheetLayout, build_layout

ORIGIN = "scan"
SCANS_FOLDER = "scans"
MAX_FILE_BYTES = 50 * 1024 * 1024  # one scan file (a PDF of a class's sheets)
MAX_UPLOAD_BYTES = 500 * 1024 * 1024  # all files of one upload, ZIPs unpacked
MAX_FILES = 5000
MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg", b"%PDF-": ".pdf"}
Paper = Literal["A4", "A3"]


@dataclass(frozen=True)
class ReviewEntry:
    """A field of a sheet a person must decide: what was read, why, the choices."""

    sheet_id: int
    student_number: str
    label: str
    read: str
    flags: tuple[str, ...]
    options: tuple[str, ...]
    confidence: tuple[float, ...]
    kind: str
    resolved: str | None
    crop: str | None  # the scanned bubbles, a path under the data folder


@dataclass(frozen=True)
class BatchView:
    batch: ScanBatch
    sheets: list[ScanSheet]
    problems: list[dict[str, str]]
    queue: list[ReviewEntry]  # entries still to decide (known students' sheets)
    resolved: list[ReviewEntry]


@dataclass(frozen=True)
class Applied:
    summary: ImportSummary | None  # None: the assessment has no choice item with a key
    n_students: int
    n_crops: int


def _kind(file_name: str, data: bytes) -> str:
    """The scan's type from its first bytes (its name is not trusted)."""
    for magic, suffix in MAGIC.items():
        if data.startswith(magic):
            return suffix
    raise Invalid(
        _("{name} 不是 PNG、JPEG、PDF 或 ZIP 文件").format(name=file_name), code="scans.bad_file"
    )


def _unpack(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The scan files of an upload, ZIPs unpacked (one level), each checked."""
    scans: list[tuple[str, bytes]] = []
    total = 0
    for name, data in files:
        if len(data) > MAX_FILE_BYTES and not zipfile.is_zipfile(io.BytesIO(data)):
            raise Invalid(
                _("{name} 超过 {mb} MB").format(name=name, mb=MAX_FILE_BYTES // 2**20),
                code="scans.too_large",
            )
        if data.startswith(b"PK"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                raise Invalid(
                    _("{name} 不是有效的 ZIP 文件").format(name=name), code="scans.bad_zip"
                ) from None
            members = [info for info in archive.infolist() if not info.is_dir()]
            if not members:
                raise Invalid(_("{name} 是空的 ZIP 文件").format(name=name), code="scans.empty_zip")
            for info in members:
                total += info.file_size
                if info.file_size > MAX_FILE_BYTES or total > MAX_UPLOAD_BYTES:
                    raise Invalid(_("上传的文件过大"), code="scans.too_large")
                member = f"{name}/{PurePosixPath(info.filename).name}"
                content = archive.read(info)
                scans.append((member, content))
            continue
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise Invalid(_("上传的文件过大"), code="scans.too_large")
        scans.append((name, data))
    if not scans:
        raise Invalid(_("请选择扫描文件"), code="scans.no_files")
    if len(scans) > MAX_FILES:
        raise Invalid(_("一次最多上传 {n} 个文件").format(n=MAX_FILES), code="scans.too_many_files")
    for name, data in scans:
        _kind(name, data)
    return scans


def _layout(session: Session, assessment: Assessment, paper: Paper) -> SheetLayout:
    """The sheet as ``yincai sheet print`` lays it out now (same items, same roster width)."""
    specs = item_specs(session, assessment.id)
    if not specs:
        raise Invalid(_("这次考试还没有小题，无法生成答题卡"), code="sheet.no_items")
    width = max([8, *(len(number) for number in _roster(session, assessment.id))])
    return build_layout(
        specs,
        exam_id=assessment.code,
        title=assessment.name,
        paper=paper,
        student_number_width=width,
    )


def _roster(session: Session, assessment_id: int) -> dict[str, int]:
    """Student number → id of the students in the classes that sit the assessment."""
    sat = select(AssessmentClass.school_class_id).where(
        AssessmentClass.assessment_id == assessment_id
    )
    rows = session.execute(
        select(Student.student_number, Student.id).where(
            Student.school_class_id.in_(sat), Student.left_on.is_(None)
        )
    )
    return {str(number): int(student_id) for number, student_id in rows}


def _private_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)


def start_batch(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    files: list[tuple[str, bytes]],
    data_dir: Path,
    paper: Paper = "A4",
) -> ScanBatch:
    """Check and keep the uploaded scans, queued for reading (the caller queues the job)."""
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound(_("考试不存在"), code="assessment.not_found")
    scans = _unpack(files)
    layout = _layout(session, assessment, paper)
    batch = ScanBatch(
        assessment_id=assessment_id,
        uploaded_by=actor.id if isinstance(actor, UserAccount) else None,
        status=ScanStatus.QUEUED,
        n_done=0,
        n_total=len(scans),
        layout_json=layout.to_json(),
        folder="",
        file_names=json.dumps([name for name, _data in scans], ensure_ascii=False),
        problems="[]",
        message="",
        n_pages=0,
        n_sheets=0,
        n_problems=0,
        created_at=datetime.now(UTC),
    )
    session.add(batch)
    session.flush()
    # a fresh folder even if an id comes back after a rolled-back upload left files behind
    batch.folder = f"{SCANS_FOLDER}/{batch.id}-{secrets.token_hex(4)}"
    folder = data_dir / batch.folder / "files"
    for index, (name, data) in enumerate(scans):
        _private_write(folder / f"{index:05d}{_kind(name, data)}", data)
    return batch


def batch_of(session: Session, *, actor: Actor, batch_id: int) -> ScanBatch:
    batch = session.get(ScanBatch, batch_id)
    if batch is None:
        raise NotFound(_("扫描批次 {id} 不存在").format(id=batch_id), code="scans.not_found")
    governance_service.require_score_editor(session, actor=actor, assessment_id=batch.assessment_id)
    return batch


def list_batches(session: Session, *, actor: Actor, assessment_id: int) -> list[ScanBatch]:
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    return list(
        session.scalars(
            select(ScanBatch)
            .where(ScanBatch.assessment_id == assessment_id)
            .order_by(ScanBatch.id.desc())
        )
    )


# --- the job -----------------------------------------------------------------------------------


def read_batch(
    engine: Engine, batch_id: int, *, data_dir: Path, error_log: Path, workers: int | None = None
) -> bool:
    """Read a queued batch (the job); whether this call read it. A failure stores no sheet and
    says why in words."""
    with session_scope(engine) as session:
        claimed = session.execute(
            update(ScanBatch)
            .where(ScanBatch.id == batch_id, ScanBatch.status == ScanStatus.QUEUED)
            .values(status=ScanStatus.READING, n_done=0)
        )
        assert isinstance(claimed, CursorResult)
        if claimed.rowcount != 1:
            return False

    def store_progress(n_done: int, n_total: int) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(ScanBatch)
                .where(ScanBatch.id == batch_id)
                .values(n_done=n_done, n_total=n_total)
            )

    try:
        with Session(engine) as session:
            batch = session.get_one(ScanBatch, batch_id)
            layout = SheetLayout.from_json(batch.layout_json)
            folder = data_dir / batch.folder
            roster = _roster(session, batch.assessment_id)
        files = sorted((folder / "files").iterdir())
        read = read_files(
            files,
            layout,
            is_known=lambda number: number in roster,
            workers=workers,
            on_progress=store_progress,
        )
        with session_scope(engine) as session:
            batch = session.get_one(ScanBatch, batch_id)
            for index, sheet in enumerate(read.sheets):
                session.add(_sheet_row(batch_id, index, sheet, layout, roster, folder, data_dir))
            problems = [
                {"source": p.source, "code": p.code, "reason": _stored(p.reason)}
                for p in read.problems
            ]
            batch.problems = json.dumps(problems, ensure_ascii=False)
            batch.n_pages = read.n_pages
            batch.n_sheets = len(read.sheets)
            batch.n_problems = len(problems)
            batch.status = ScanStatus.DONE
            batch.finished_at = datetime.now(UTC)
    except YincaiError as problem:
        _fail(engine, batch_id, str(problem.message))
    except Exception as error:
        report = report_unexpected_error(error, log_path=error_log, where=f"scans {batch_id}")
        _fail(engine, batch_id, str(report.message))
    return True


def _sheet_row(
    batch_id: int,
    index: int,
    sheet: Any,
    layout: SheetLayout,
    roster: dict[str, int],
    folder: Path,
    data_dir: Path,
) -> ScanSheet:
    review: dict[str, dict[str, Any]] = {}
    for number in sorted(sheet.pages):
        page = sheet.pages[number]
        fields = {f.label: f for f in layout.fields_on(number)}
        for reading in page.fields:
            if not reading.flags or reading.label.startswith(STUDENT_FIELD_PREFIX):
                continue
            spec = fields[reading.label]
            crop = None
            if reading.label in page.field_crops:
                path = folder / "review" / f"{index:05d}-{len(review):03d}.png"
                _private_write(path, page.field_crops[reading.label])
                crop = path.relative_to(data_dir).as_posix()
            review[reading.label] = {
                "crop": crop,
                "read": reading.value,
                "flags": list(reading.flags),
                "options": [b.value for b in spec.bubbles],
                "confidence": list(reading.confidence),
                "kind": spec.kind,
                "resolved": None,
            }
    crops: dict[str, str] = {}
    for k, (label, png) in enumerate(sorted(sheet.crops().items())):
        path = folder / "crops" / f"{index:05d}-{k:03d}.png"
        _private_write(path, png)
        crops[label] = path.relative_to(data_dir).as_posix()
    problems = []
    if sheet.missing_pages:
        pages = "、".join(map(str, sheet.missing_pages))
        problems.append(
            {"code": "missing_page", "reason": _stored(_("缺少第 {pages} 页").format(pages=pages))}
        )
    if sheet.student_number not in roster:
        problems.append({"code": "unknown_student", "reason": _stored(_("考生不在名单中"))})
    return ScanSheet(
        scan_batch_id=batch_id,
        student_id=roster.get(sheet.student_number),
        student_number=sheet.student_number,
        answers=json.dumps(sheet.answers(), ensure_ascii=False),
        review=json.dumps(review, ensure_ascii=False),
        problems=json.dumps(problems, ensure_ascii=False),
        sources=json.dumps({str(n): p.source for n, p in sheet.pages.items()}, ensure_ascii=False),
        crops=json.dumps(crops, ensure_ascii=False),
    )


def _stored(reason: str) -> dict[str, Any]:
    """A reason kept translatable: its msgid and parameters (a plain text as it is)."""
    if isinstance(reason, Message):
        return {"msgid": reason.msgid, "params": {k: str(v) for k, v in reason.params.items()}}
    return {"msgid": str(reason), "params": {}}


def problems_of(text: str) -> list[dict[str, Any]]:
    """Stored problems with their reasons as messages again (shown in the reader's language)."""
    return [
        {**p, "reason": Message(p["reason"]["msgid"], p["reason"]["params"])}
        for p in json.loads(text)
    ]


def _fail(engine: Engine, batch_id: int, message: str) -> None:
    failed = ("status", ScanStatus.FAILED)
    mark_failed(
        engine, ScanBatch, batch_id, state=failed, message=message, finished_at=datetime.now(UTC)
    )


# --- review ------------------------------------------------------------------------------------


def batch_view(session: Session, *, actor: Actor, batch_id: int) -> BatchView:
    """The batch, its sheets, its problems and review queue (the student numbers shown are
    audited as a read of those students' records)."""
    batch = batch_of(session, actor=actor, batch_id=batch_id)
    sheets = list(
        session.scalars(
            select(ScanSheet).where(ScanSheet.scan_batch_id == batch.id).order_by(ScanSheet.id)
        )
    )
    queue: list[ReviewEntry] = []
    resolved: list[ReviewEntry] = []
    for sheet in sheets:
        for entry in _entries(sheet):
            if sheet.student_id is None:
                continue
            (queue if entry.resolved is None else resolved).append(entry)
    shown = sorted({s.student_id for s in sheets if s.student_id is not None})
    if shown:
        governance_service.audit(
            session,
            actor=actor,
            action="scan_batch_view",
            object_type="scan_batch",
            object_id=batch.id,
            student_ids=shown,
        )
    return BatchView(batch, sheets, problems_of(batch.problems), queue, resolved)


def _entries(sheet: ScanSheet) -> list[ReviewEntry]:
    return [
        ReviewEntry(
            sheet_id=sheet.id,
            student_number=sheet.student_number,
            label=label,
            read=entry["read"],
            flags=tuple(entry["flags"]),
            options=tuple(entry["options"]),
            confidence=tuple(entry["confidence"]),
            kind=entry["kind"],
            resolved=entry["resolved"],
            crop=entry.get("crop"),  # batches read before crops were kept have none
        )
        for label, entry in json.loads(sheet.review).items()
    ]


def review_image(entry: ReviewEntry, data_dir: Path) -> bytes | None:
    """The scanned bubbles of a field in review, if kept."""
    if entry.crop is None:
        return None
    path = data_dir / entry.crop
    return path.read_bytes() if path.is_file() else None


def resolve(session: Session, *, actor: Actor, sheet_id: int, label: str, value: str) -> ScanSheet:
    """A person's value for a field in review: its option letters, or "" (blank)."""
    sheet = session.get(ScanSheet, sheet_id)
    if sheet is None:
        raise NotFound(_("答题卡 {id} 不存在").format(id=sheet_id), code="scans.sheet_not_found")
    batch = batch_of(session, actor=actor, batch_id=sheet.scan_batch_id)
    review = json.loads(sheet.review)
    if label not in review:
        raise NotFound(_("第 {label} 题无需复核").format(label=label), code="scans.no_review")
    entry = review[label]
    value = "".join(sorted(set(value.strip().upper())))
    if any(v not in entry["options"] for v in value) or (
        entry["kind"] != "multiple" and len(value) > 1
    ):
        raise Invalid(
            _("第 {label} 题的取值“{value}”不在选项中").format(label=label, value=value),
            code="scans.bad_value",
        )
    entry["resolved"] = value
    sheet.review = json.dumps(review, ensure_ascii=False)
    governance_service.audit(
        session,
        actor=actor,
        action="scan_review",
        object_type="scan_batch",
        object_id=batch.id,
        student_ids=[sheet.student_id] if sheet.student_id is not None else [],
    )
    return sheet


# --- applying ----------------------------------------------------------------------------------


def choice_score(item_type: ItemType, key: str, value: str, full_score: float) -> float:
    """Full marks when the marked value is exactly the key, else 0 (no partial credit: none is
    defined for multiple choice in the item bank)."""
    if item_type is ItemType.TRUE_FALSE:
        wanted = {"正确": "T", "错误": "F"}.get(key.strip(), key.strip().upper()[:1])
        return full_score if value == wanted else 0.0
    letters = "".join(sorted(set(key.replace(" ", "").upper())))
    return full_score if value and value == letters else 0.0


def apply_batch(session: Session, *, actor: Actor, batch_id: int, data_dir: Path) -> Applied:
    """Score the choice items and hand the crops to marking (see the module's words)."""
    batch = batch_of(session, actor=actor, batch_id=batch_id)
    if batch.status is not ScanStatus.DONE:
        raise Conflict(_("扫描尚未读完"), code="scans.not_read")
    sheets = [
        s
        for s in session.scalars(select(ScanSheet).where(ScanSheet.scan_batch_id == batch.id))
        if s.student_id is not None
    ]
    waiting = sum(1 for s in sheets for e in _entries(s) if e.resolved is None)
    if waiting:
        raise Conflict(
            _("还有 {n} 处待复核，复核完才能导入").format(n=waiting), code="scans.review_pending"
        )
    rows = session.execute(
        select(AssessmentItem, Item)
        .outerjoin(Item, Item.id == AssessmentItem.item_id)
        .where(AssessmentItem.assessment_id == batch.assessment_id)
        .order_by(AssessmentItem.position)
    ).all()
    scores: dict[int, dict[int, float]] = {}
    for item, bank in rows:
        if bank is None or not bank.item_type.is_objective or not bank.answer.strip():
            continue
        by_student: dict[int, float] = {}
        for sheet in sheets:
            assert sheet.student_id is not None
            by_student[sheet.student_id] = choice_score(
                bank.item_type, bank.answer, _value(sheet, item.label), item.full_score
            )
        scores[item.id] = by_student
    summary = None
    user_id = actor.id if isinstance(actor, UserAccount) else None
    if scores and sheets:
        summary = import_item_scores(
            session,
            assessment_id=batch.assessment_id,
            scores=scores,
            file_name=f"scans-{batch.id}",
            user_account_id=user_id,
            origin=ORIGIN,
        )
    n_crops = _hand_crops(
        session, actor, batch, sheets, {i.label: i.id for i, _b in rows}, data_dir
    )
    batch.applied_at = datetime.now(UTC)
    return Applied(summary, len(sheets), n_crops)


def _value(sheet: ScanSheet, label: str) -> str:
    review = json.loads(sheet.review).get(label)
    if review is not None and review["resolved"] is not None:
        return str(review["resolved"])
    return str(json.loads(sheet.answers).get(label, ""))


def _hand_crops(
    session: Session,
    actor: Actor,
    batch: ScanBatch,
    sheets: list[ScanSheet],
    item_ids: dict[str, int],
    data_dir: Path,
) -> int:
    """Crops of written items to the open marking tasks of the assessment (students already
    in a task are left as they are)."""
    marking = session.scalar(
        select(MarkingSession).where(MarkingSession.assessment_id == batch.assessment_id)
    )
    if marking is None:
        return 0
    tasks = {
        task.assessment_item_id: task
        for task in session.scalars(
            select(MarkingTask).where(
                MarkingTask.marking_session_id == marking.id,
                MarkingTask.status == TaskStatus.OPEN,
            )
        )
    }
    added = 0
    for label, item_id in item_ids.items():
        task = tasks.get(item_id)
        if task is None:
            continue
        present = set(
            session.scalars(
                select(MarkingAnswer.student_id).where(MarkingAnswer.marking_task_id == task.id)
            )
        )
        answers = [
            AnswerInput(sheet.student_id, image=(data_dir / crops[label]).read_bytes())
            for sheet in sheets
            if sheet.student_id is not None
            and sheet.student_id not in present
            and label in (crops := json.loads(sheet.crops))
        ]
        if answers:
            added += add_answers(session, actor=actor, task_id=task.id, answers=answers)
    return added
