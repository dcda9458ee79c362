"""Storing a validated score sheet: sittings and item scores, new and changed ones only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yincai.hub.importers.bulk import SCORE_TOLERANCE, upsert_rows
from yincai.hub.importers.common import Progress
from yincai.hub.models import Assessment, Score, Sitting
from yincai.hub.schemas import ImportSummary

if TYPE_CHECKING:
    from yincai.hub.importers.scores import ScoreSheet

WRITE_CHUNK = 50_000  # rows per executemany: a progress report each, memory stays flat


def write_sittings(
    session: Session, assessment: Assessment, sheet: ScoreSheet, summary: ImportSummary
) -> None:
    stored = {
        student_id: (is_absent, total)
        for student_id, is_absent, total in session.execute(
            select(Sitting.student_id, Sitting.is_absent, Sitting.total_score).where(
                Sitting.assessment_id == assessment.id
            )
        )
    }
    counts = summary.count("sitting")
    rows: list[tuple[object, ...]] = []
    totals = [None if np.isnan(total) else round(float(total), 6) for total in sheet.totals]
    for student_id, is_absent, total in zip(
        sheet.student_ids.tolist(), sheet.is_absent.tolist(), totals, strict=True
    ):
        known = stored.get(student_id)
        if known is None:
            counts.new += 1
        elif (bool(known[0]), known[1]) == (is_absent, total):
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
        rows.append((assessment.id, student_id, is_absent, total))
    upsert_rows(
        session,
        Sitting,
        ("assessment_id", "student_id", "is_absent", "total_score"),
        rows,
        conflict=("assessment_id", "student_id"),
    )


def write_scores(
    session: Session,
    sheet: ScoreSheet,
    item_ids: list[int],
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    """Upsert the new and changed scores item by item; delete the scores of absentees."""
    row_of = {student_id: row for row, student_id in enumerate(sheet.student_ids.tolist())}
    column_of = {item_id: column for column, item_id in enumerate(item_ids)}
    stored = np.full(sheet.scores.shape, np.nan)
    absent_ids: list[int] = []
    for item_id, student_id, score in session.execute(
        select(Score.assessment_item_id, Score.student_id, Score.score).where(
            Score.assessment_item_id.in_(item_ids)
        )
    ):
        row = row_of.get(student_id)
        if row is not None:
            stored[row, column_of[item_id]] = score
    has_score = ~np.isnan(sheet.scores)
    is_new = has_score & np.isnan(stored)
    is_changed = has_score & ~is_new & (np.abs(stored - sheet.scores) > SCORE_TOLERANCE)
    is_deleted = ~has_score & ~np.isnan(stored)
    counts = summary.count("score")
    counts.new = int(is_new.sum())
    counts.updated = int(is_changed.sum())
    counts.unchanged = int((has_score & ~is_new & ~is_changed).sum())
    counts.deleted = int(is_deleted.sum())
    if counts.deleted:
        absent_ids = sheet.student_ids[is_deleted.any(axis=1)].tolist()
        session.execute(
            delete(Score).where(
                Score.assessment_item_id.in_(item_ids), Score.student_id.in_(absent_ids)
            )
        )
    to_write = is_new | is_changed
    total = int(to_write.sum())
    done = 0
    if progress is not None:
        progress(0, total)
    for column, item_id in enumerate(item_ids):
        rows = np.flatnonzero(to_write[:, column])
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[start : start + WRITE_CHUNK]
            values = zip(
                [item_id] * len(chunk),
                sheet.student_ids[chunk].tolist(),
                sheet.scores[chunk, column].tolist(),
                strict=True,
            )
            upsert_rows(
                session,
                Score,
                ("assessment_item_id", "student_id", "score"),
                list(values),
                conflict=("assessment_item_id", "student_id"),
            )
            done += len(chunk)
            if progress is not None:
                progress(done, total)
