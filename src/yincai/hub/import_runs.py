"""Running imports: preview (reads only), confirm (lock, plan, write, record) and revert.

The rule a teacher can predict: **the last confirmed file wins**. Importing a file writes what it
says for every row it holds (students it leaves out keep their stored marks); importing a file
whose content is already what is stored is a no-op and leaves no history entry; an older file
imported again after a newer one is imported again. Every confirmed import is kept in the
history (who, when, file digest, rows added/changed/removed), and the last import of an
assessment can be reverted while nothing has changed its scores since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yincai.db import lock_for_write, read_only
from yincai.domain.models import Assessment, District, ImportBatch
from yincai.errors import Conflict, Invalid, NotFound
from yincai.hub.importers.assessments import plan_assessment
from yincai.hub.importers.common import ImportPlan, Progress, record_batch, resolve_district
from yincai.hub.importers.growth import plan_growth
from yincai.hub.importers.items import plan_items
from yincai.hub.importers.logs import LogFormat, plan_logs
from yincai.hub.importers.roster import plan_roster
from yincai.hub.importers.scores import plan_scores
from yincai.hub.importers.scores_store import revert_scores
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

KINDS = ("roster", "items", "assessment", "scores", "logs", "growth")
BUSY = _("另一个导入正在进行，请稍后再试")


@dataclass(frozen=True)
class ImportRequest:
    """A file and what it is to be imported as."""

    kind: str
    path: Path
    assessment_code: str | None = None  # scores
    district_code: str | None = None  # roster, logs, growth
    district_name: str | None = None  # roster: a new district's name
    subject_code: str | None = None  # items: the default subject
    log_format: LogFormat | str = LogFormat.CSV  # logs
    source: str | None = None  # logs
    students_path: Path | None = None  # logs in the kt format
    start_at: datetime | None = None  # logs in the kt format
    allowed_class_ids: frozenset[int] | None = None  # scores: classes the importer may write


def plan_import(session: Session, request: ImportRequest) -> ImportPlan:
    """Validate the file and work out what importing it would change (reads only)."""
    if request.kind == "roster":
        return plan_roster(
            session,
            path=request.path,
            district_code=request.district_code,
            district_name=request.district_name,
        )
    if request.kind == "items":
        return plan_items(session, path=request.path, subject_code=request.subject_code)
    if request.kind == "scores":
        if not request.assessment_code:
            raise Invalid(_("请选择考试"), code="import.assessment_required")
        return plan_scores(
            session,
            path=request.path,
            assessment_code=request.assessment_code,
            allowed_class_ids=request.allowed_class_ids,
        )
    if request.kind == "assessment":
        district = resolve_district(session, request.district_code)
        return plan_assessment(session, path=request.path, district_id=district.id)
    if request.kind == "logs":
        return plan_logs(
            session,
            path=request.path,
            format=request.log_format,
            source=request.source,
            district_code=request.district_code,
            students_path=request.students_path,
            start_at=request.start_at,
        )
    if request.kind == "growth":
        return plan_growth(session, path=request.path, district_code=request.district_code)
    raise Invalid(
        _("未知的导入类型 {kind}").format(kind=f"{request.kind!r}"), code="import.unknown_kind"
    )


def preview_import(session: Session, request: ImportRequest) -> ImportPlan:
    """The plan of an import, computed in a read-only transaction: nothing can be written."""
    with read_only(session):
        return plan_import(session, request)


def run_import(
    session: Session,
    request: ImportRequest,
    *,
    user_account_id: int | None = None,
    origin: str = "cli",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a file in the caller's transaction: lock, validate and plan, write, record.

    The lock comes first, so the plan is computed from what the previous import committed
    (concurrent imports of one assessment run one after the other); nothing is committed here.
    """
    try:
        _lock(session, request)
        plan = plan_import(session, request)
        if not plan.has_changes:
            return plan.summary.model_copy(update={"is_unchanged": True})
        plan.apply(session, progress)
        batch = record_batch(session, plan, user_account_id=user_account_id, origin=origin)
    except (OperationalError, IntegrityError) as error:
        if is_contention(error):
            raise Conflict(BUSY) from error
        raise
    return plan.summary.model_copy(update={"batch_id": batch.id})


def revert_last_import(
    session: Session,
    *,
    assessment_code: str,
    user_account_id: int | None = None,
    origin: str = "cli",
) -> ImportSummary:
    """Undo the newest import of an assessment's scores that has not been reverted yet."""
    assessment_id = _assessment_id(session, assessment_code)
    try:
        lock_for_write(session, Assessment, assessment_id)
    except OperationalError as error:
        if is_contention(error):
            raise Conflict(BUSY) from error
        raise
    batch = session.scalars(
        revertible_imports().where(ImportBatch.assessment_id == assessment_id).limit(1)
    ).first()
    if batch is None or batch.undo is None:
        raise NotFound(
            _("考试 {code} 没有可撤销的导入").format(code=assessment_code),
            code="import.nothing_to_revert",
        )
    summary = ImportSummary(
        kind="scores", file_name=batch.file_name, sha256=batch.sha256, n_rows=batch.n_rows
    )
    revert_scores(session, batch.undo, summary)
    batch.reverted_at = datetime.now(UTC)
    revert = record_batch(
        session,
        ImportPlan(summary=summary, assessment_id=assessment_id),
        user_account_id=user_account_id,
        origin=origin,
        reverts_batch_id=batch.id,
    )
    return summary.model_copy(update={"batch_id": revert.id})


def revertible_imports() -> Select[ImportBatch]:
    """Score imports that can still be reverted, newest first (filter by assessment)."""
    return (
        select(ImportBatch)
        .where(
            ImportBatch.kind == "scores",
            ImportBatch.reverts_batch_id.is_(None),
            ImportBatch.reverted_at.is_(None),
        )
        .order_by(ImportBatch.id.desc())
    )


def is_contention(error: OperationalError | IntegrityError) -> bool:
    """A concurrent writer got there first (a lock wait ran out, a deadlock, a duplicate key
    inserted meanwhile): the user may simply try again. Anything else is a real fault."""
    if isinstance(error, IntegrityError):
        return True
    code = getattr(error.orig, "sqlstate", None)  # PostgreSQL: lock timeout, deadlock, conflict
    return code in ("55P03", "40P01", "40001") or "database is locked" in str(error.orig)


def _lock(session: Session, request: ImportRequest) -> None:
    if request.kind == "scores" and request.assessment_code:
        found = session.scalar(
            select(Assessment.id).where(Assessment.code == request.assessment_code)
        )
        if found is not None:
            lock_for_write(session, Assessment, found)
        return
    district_id = session.scalar(select(District.id).order_by(District.id).limit(1))
    if district_id is not None:
        lock_for_write(session, District, district_id)


def _assessment_id(session: Session, code: str) -> int:
    found = session.scalar(select(Assessment.id).where(Assessment.code == code))
    if found is None:
        raise NotFound(_("考试 {code} 不存在").format(code=code), code="assessment.not_found")
    return found
