"""What every importer shares: the file digest, the import-batch bookkeeping and the error check."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.errors import Invalid, NotFound, RowError
from yincai.hub.models import District, ImportBatch
from yincai.hub.schemas import ImportSummary

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while rows are written; services stay quiet otherwise."""

MAX_REPORTED_ERRORS = 1000  # a whole bad column of a 100k-row file would drown the reader


def digest(data: bytes, *params: str) -> str:
    """SHA-256 of the file content and of the parameters that change its meaning."""
    hasher = hashlib.sha256(data)
    for param in params:
        hasher.update(b"\0" + param.encode())
    return hasher.hexdigest()


def previous_import(session: Session, *, kind: str, sha256: str) -> ImportSummary | None:
    """The summary of an earlier import of the same content, marked as already imported."""
    batch = session.scalars(
        select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.sha256 == sha256)
    ).first()
    if batch is None:
        return None
    summary = ImportSummary.model_validate(batch.summary)
    return summary.model_copy(update={"is_already_imported": True})


def record_batch(session: Session, summary: ImportSummary) -> None:
    """Remember the imported file so that the same content is recognised next time."""
    session.add(
        ImportBatch(
            kind=summary.kind,
            file_name=summary.file_name[:255],
            sha256=summary.sha256,
            n_rows=summary.n_rows,
            summary=summary.model_dump(mode="json"),
            imported_at=datetime.now(UTC),
        )
    )
    session.flush()


def raise_if_errors(file_name: str, errors: list[RowError]) -> None:
    """Raise ``Invalid`` listing every problem (sorted by row) if there is any."""
    if not errors:
        return
    ordered = sorted(errors, key=lambda error: (error.file, error.row))
    shown = ordered[:MAX_REPORTED_ERRORS]
    more = f"（仅列出前 {len(shown)} 条）" if len(ordered) > len(shown) else ""
    raise Invalid(
        f"{file_name}：发现 {len(ordered)} 处错误，未导入任何数据{more} / "
        f"{len(ordered)} problems found, nothing was imported",
        details=list(shown),
    )


def resolve_district(session: Session, district_code: str | None) -> District:
    """The district named by code, or the only one when no code is given."""
    if district_code is not None:
        district = session.scalars(select(District).where(District.code == district_code)).first()
        if district is None:
            raise NotFound(f"区县 {district_code} 不存在 / district {district_code} does not exist")
        return district
    districts = session.scalars(select(District).limit(2)).all()
    if len(districts) != 1:
        raise Invalid(
            "请指定区县代码 / give the district code: the database holds "
            f"{'no' if not districts else 'several'} districts"
        )
    return districts[0]
