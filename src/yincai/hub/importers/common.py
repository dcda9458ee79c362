"""What every importer shares: the file digest, the plan an import makes before it writes, the
import history, and the error check."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import District, ImportBatch
from yincai.errors import Invalid, NotFound, RowError
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while rows are written; services stay quiet otherwise."""

MAX_REPORTED_ERRORS = 1000  # a whole bad column of a 100k-row file would drown the reader


@dataclass
class ImportPlan:
    """What importing a validated file would change, worked out by reading only.

    A preview shows it; a confirmed import calls ``apply`` in the same transaction, after taking
    the lock that keeps a concurrent import from changing what the plan was computed from.
    """

    summary: ImportSummary
    assessment_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(
            counts.new or counts.updated or counts.deleted
            for counts in self.summary.counts.values()
        )

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        raise NotImplementedError

    def undo(self) -> bytes | None:
        """What a revert needs (score imports only)."""
        return None


def digest(data: bytes, *params: str) -> str:
    """SHA-256 of the file content and of the parameters that change its meaning."""
    hasher = hashlib.sha256(data)
    for param in params:
        hasher.update(b"\0" + param.encode())
    return hasher.hexdigest()


def record_batch(
    session: Session,
    plan: ImportPlan,
    *,
    user_account_id: int | None,
    origin: str,
    reverts_batch_id: int | None = None,
) -> ImportBatch:
    """Add the import to the history (it also moves the hub's data version on)."""
    summary = plan.summary
    batch = ImportBatch(
        kind=summary.kind,
        file_name=summary.file_name[:255],
        sha256=summary.sha256,
        n_rows=summary.n_rows,
        summary=summary.model_dump(mode="json"),
        imported_at=datetime.now(UTC),
        assessment_id=plan.assessment_id,
        user_account_id=user_account_id,
        origin=origin,
        reverts_batch_id=reverts_batch_id,
        undo=plan.undo(),
    )
    session.add(batch)
    session.flush()
    return batch


def raise_if_errors(file_name: str, errors: list[RowError]) -> None:
    """Raise ``Invalid`` listing every problem (sorted by row) if there is any."""
    if not errors:
        return
    ordered = sorted(errors, key=lambda error: (error.file, error.row))
    shown = ordered[:MAX_REPORTED_ERRORS]
    if len(ordered) > len(shown):
        message = _("{file}：发现 {n} 处错误，未导入任何数据（仅列出前 {shown} 条）")
    else:
        message = _("{file}：发现 {n} 处错误，未导入任何数据")
    raise Invalid(
        message.format(file=file_name, n=len(ordered), shown=len(shown)),
        code="import.rows_invalid",
        details=list(shown),
    )


def resolve_district(session: Session, district_code: str | None) -> District:
    """The district named by code, or the only one when no code is given."""
    if district_code is not None:
        district = session.scalars(select(District).where(District.code == district_code)).first()
        if district is None:
            raise NotFound(
                _("区县 {code} 不存在").format(code=district_code), code="district.not_found"
            )
        return district
    districts = session.scalars(select(District).limit(2)).all()
    if len(districts) != 1:
        message = _("数据库中还没有区县") if not districts else _("有多个区县，请指定区县代码")
        raise Invalid(message, code="district.ambiguous")
    return districts[0]
