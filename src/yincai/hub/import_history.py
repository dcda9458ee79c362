"""The import history as a teacher reads it: who imported which file when, what it changed, and
which import of each assessment a revert would undo."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from yincai.domain.models import Assessment, ImportBatch

HISTORY_PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryRow:
    id: int
    kind: str
    file_name: str
    sha256: str
    imported_at: datetime
    user_account_id: int | None
    origin: str
    assessment_code: str | None
    assessment_name: str | None
    n_new: int
    n_updated: int
    n_deleted: int
    reverts_batch_id: int | None
    is_reverted: bool
    is_revertible: bool  # the newest import of its assessment not yet reverted


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    page: int
    n_pages: int
    n_rows: int


def import_history(
    session: Session,
    *,
    assessment_ids: Select[int],
    with_district_data: bool,
    assessment_code: str | None = None,
    page: int = 1,
    per_page: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """Imports of the given assessments (and, for district admins, of rosters, item banks and
    logs), newest first, one page."""
    conditions: list[ColumnElement[bool]] = [
        or_(
            ImportBatch.assessment_id.in_(assessment_ids),
            *([ImportBatch.assessment_id.is_(None)] if with_district_data else []),
        )
    ]
    if assessment_code:
        conditions.append(
            ImportBatch.assessment_id.in_(
                select(Assessment.id).where(Assessment.code == assessment_code)
            )
        )
    n_rows = session.scalar(select(func.count()).select_from(ImportBatch).where(*conditions)) or 0
    n_pages = max(1, math.ceil(n_rows / per_page))
    page = min(max(1, page), n_pages)
    revertible = dict(
        session.execute(
            select(ImportBatch.assessment_id, func.max(ImportBatch.id))
            .where(
                ImportBatch.kind == "scores",
                ImportBatch.reverts_batch_id.is_(None),
                ImportBatch.reverted_at.is_(None),
            )
            .group_by(ImportBatch.assessment_id)
        ).all()
    )
    found = session.execute(
        select(ImportBatch, Assessment.code, Assessment.name)
        .outerjoin(Assessment, Assessment.id == ImportBatch.assessment_id)
        .where(*conditions)
        .order_by(ImportBatch.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    rows = []
    for batch, code, name in found:
        counts = batch.summary.get("counts", {})
        rows.append(
            HistoryRow(
                id=batch.id,
                kind=batch.kind,
                file_name=batch.file_name,
                sha256=batch.sha256,
                imported_at=batch.imported_at,
                user_account_id=batch.user_account_id,
                origin=batch.origin,
                assessment_code=code,
                assessment_name=name,
                n_new=sum(int(c.get("new", 0)) for c in counts.values()),
                n_updated=sum(int(c.get("updated", 0)) for c in counts.values()),
                n_deleted=sum(int(c.get("deleted", 0)) for c in counts.values()),
                reverts_batch_id=batch.reverts_batch_id,
                is_reverted=batch.reverted_at is not None,
                is_revertible=revertible.get(batch.assessment_id) == batch.id,
            )
        )
    return HistoryPage(rows, page, n_pages, n_rows)
