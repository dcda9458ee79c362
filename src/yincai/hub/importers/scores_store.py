"""What a validated score sheet changes, computed by reading only, and how to write it.

``ScoreChanges`` compares the sheet with what is stored for its students: sittings and item
scores that are new, changed or removed (an absentee loses their item scores). ``apply`` writes
exactly that, and ``undo`` keeps the before and after values of every changed row so that the
import can be reverted later (``revert_scores``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yincai.domain.models import AssessmentClass, Score, Sitting, Student
from yincai.errors import Conflict
from yincai.hub.importers.bulk import SCORE_TOLERANCE, upsert_rows
from yincai.hub.importers.common import Progress
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
WRITE_CHUNK = 50_000  # scores per progress report


@dataclass(frozen=True)
class SittingState:
    """Sittings of some students: whether one is stored, absent, and the total (NaN if none)."""

    exists: BoolArray
    is_absent: BoolArray
    totals: FloatArray

    def differs_from(self, other: SittingState) -> BoolArray:
        same_total = (self.totals == other.totals) | (
            np.isnan(self.totals) & np.isnan(other.totals)
        )
        differs: BoolArray = (
            (self.exists != other.exists) | (self.is_absent != other.is_absent) | ~same_total
        )
        return differs


@dataclass(frozen=True)
class ScoreState:
    """One assessment's sittings and item scores for a list of students (NaN: no score)."""

    assessment_id: int
    student_ids: IntArray
    item_ids: IntArray
    sittings: SittingState
    scores: FloatArray  # (students, items)


def load_state(
    session: Session, assessment_id: int, student_ids: IntArray, item_ids: IntArray
) -> ScoreState:
    """What is stored now for these students on these items."""
    row_of = {student_id: row for row, student_id in enumerate(student_ids.tolist())}
    column_of = {item_id: column for column, item_id in enumerate(item_ids.tolist())}
    n = len(student_ids)
    scores = np.full((n, len(item_ids)), np.nan)
    for item_id, student_id, score in session.execute(
        select(Score.assessment_item_id, Score.student_id, Score.score).where(
            Score.assessment_item_id.in_(item_ids.tolist())
        )
    ):
        row = row_of.get(student_id)
        if row is not None:
            scores[row, column_of[item_id]] = score
    exists = np.zeros(n, dtype=bool)
    is_absent = np.zeros(n, dtype=bool)
    totals = np.full(n, np.nan)
    for student_id, absent, total in session.execute(
        select(Sitting.student_id, Sitting.is_absent, Sitting.total_score).where(
            Sitting.assessment_id == assessment_id
        )
    ):
        row = row_of.get(student_id)
        if row is not None:
            exists[row], is_absent[row] = True, bool(absent)
            totals[row] = np.nan if total is None else total
    return ScoreState(
        assessment_id, student_ids, item_ids, SittingState(exists, is_absent, totals), scores
    )


@dataclass(frozen=True)
class ScoreChanges:
    """The difference between what is stored (``before``) and what the sheet says (``after``)."""

    before: ScoreState
    after: ScoreState
    new_class_ids: tuple[int, ...]  # classes recorded as having sat (assessment listed none)

    @property
    def is_new_score(self) -> BoolArray:
        return ~np.isnan(self.after.scores) & np.isnan(self.before.scores)

    @property
    def is_changed_score(self) -> BoolArray:
        both = ~np.isnan(self.after.scores) & ~np.isnan(self.before.scores)
        return both & (np.abs(self.after.scores - self.before.scores) > SCORE_TOLERANCE)

    @property
    def is_removed_score(self) -> BoolArray:
        return np.isnan(self.after.scores) & ~np.isnan(self.before.scores)

    @property
    def changed_rows(self) -> BoolArray:
        """Students whose sitting or any item score changes."""
        cells = self.is_new_score | self.is_changed_score | self.is_removed_score
        return cells.any(axis=1) | self.after.sittings.differs_from(self.before.sittings)

    def count(self, summary: ImportSummary) -> None:
        """Fill the summary's sitting and score counts."""
        sittings = summary.count("sitting")
        before, after = self.before.sittings, self.after.sittings
        differs = after.differs_from(before)
        sittings.new = int((after.exists & ~before.exists).sum())
        sittings.updated = int((after.exists & before.exists & differs).sum())
        sittings.unchanged = int((after.exists & ~differs).sum())
        sittings.deleted = int((before.exists & ~after.exists).sum())
        scores = summary.count("score")
        has_after = ~np.isnan(self.after.scores)
        scores.new = int(self.is_new_score.sum())
        scores.updated = int(self.is_changed_score.sum())
        scores.unchanged = int((has_after & ~self.is_new_score & ~self.is_changed_score).sum())
        scores.deleted = int(self.is_removed_score.sum())

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        """Write the changed sittings and scores (the caller holds the assessment's lock)."""
        _write(session, self.before, self.after, progress)
        if self.new_class_ids:
            upsert_rows(
                session,
                AssessmentClass,
                [
                    {"assessment_id": self.after.assessment_id, "school_class_id": class_id}
                    for class_id in self.new_class_ids
                ],
                conflict=("assessment_id", "school_class_id"),
            )

    def undo(self) -> bytes:
        """The before and after values of the changed students, compressed, for a revert."""
        rows = self.changed_rows
        buffer = io.BytesIO()
        arrays = {
            "assessment_id": np.array([self.after.assessment_id]),
            "student_ids": self.after.student_ids[rows],
            "item_ids": self.after.item_ids,
            "new_class_ids": np.array(self.new_class_ids, dtype=np.int64),
            **_arrays("before", self.before, rows),
            **_arrays("after", self.after, rows),
        }
        np.savez_compressed(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()


def revert_scores(session: Session, undo: bytes, summary: ImportSummary) -> None:
    """Put back the values an import replaced, if nothing has changed them since (else 409)."""
    with np.load(io.BytesIO(undo)) as data:
        assessment_id = int(data["assessment_id"][0])
        student_ids, item_ids = data["student_ids"], data["item_ids"]
        before = _state("before", data, assessment_id, student_ids, item_ids)
        after = _state("after", data, assessment_id, student_ids, item_ids)
        new_class_ids = data["new_class_ids"].tolist()
    current = load_state(session, assessment_id, student_ids, item_ids)
    drifted = current.sittings.differs_from(after.sittings) | _differs(
        current.scores, after.scores
    ).any(axis=1)
    if drifted.any():
        raise Conflict(
            _("这次导入之后，已有 {n} 名学生的成绩被再次修改，无法撤销；请导入正确的成绩表").format(
                n=int(drifted.sum())
            ),
            code="import.revert_drifted",
        )
    changes = ScoreChanges(current, before, ())
    changes.count(summary)
    _write(session, current, before, None)
    if new_class_ids:
        still_sat = select(Sitting.student_id).where(Sitting.assessment_id == assessment_id)
        sat_classes = set(
            session.scalars(
                select(Student.school_class_id).where(Student.id.in_(still_sat)).distinct()
            )
        )
        gone = [class_id for class_id in new_class_ids if class_id not in sat_classes]
        if gone:
            session.execute(
                delete(AssessmentClass).where(
                    AssessmentClass.assessment_id == assessment_id,
                    AssessmentClass.school_class_id.in_(gone),
                )
            )


def _write(
    session: Session, before: ScoreState, after: ScoreState, progress: Progress | None
) -> None:
    """Make the stored state ``after`` where it differs from ``before``."""
    student_ids, item_ids = after.student_ids, after.item_ids
    sitting_changed = after.sittings.differs_from(before.sittings)
    gone = sitting_changed & ~after.sittings.exists
    if gone.any():
        session.execute(
            delete(Sitting).where(
                Sitting.assessment_id == after.assessment_id,
                Sitting.student_id.in_(student_ids[gone].tolist()),
            )
        )
    upsert_rows(
        session,
        Sitting,
        [
            {
                "assessment_id": after.assessment_id,
                "student_id": student_id,
                "is_absent": is_absent,
                "total_score": None if np.isnan(total) else round(total, 6),
            }
            for student_id, is_absent, total in zip(
                student_ids[sitting_changed & after.sittings.exists].tolist(),
                after.sittings.is_absent[sitting_changed & after.sittings.exists].tolist(),
                after.sittings.totals[sitting_changed & after.sittings.exists].tolist(),
                strict=True,
            )
        ],
        conflict=("assessment_id", "student_id"),
    )
    removed = np.isnan(after.scores) & ~np.isnan(before.scores)
    for gone_column in np.flatnonzero(removed.any(axis=0)).tolist():
        session.execute(
            delete(Score).where(
                Score.assessment_item_id == int(item_ids[gone_column]),
                Score.student_id.in_(student_ids[removed[:, gone_column]].tolist()),
            )
        )
    to_write = ~np.isnan(after.scores) & _differs(before.scores, after.scores)
    total = int(to_write.sum())
    done = 0
    if progress is not None:
        progress(0, total)
    for column, item_id in enumerate(item_ids.tolist()):
        rows = np.flatnonzero(to_write[:, column])
        for start in range(0, len(rows), WRITE_CHUNK):
            chunk = rows[start : start + WRITE_CHUNK]
            upsert_rows(
                session,
                Score,
                [
                    {"assessment_item_id": item_id, "student_id": student_id, "score": score}
                    for student_id, score in zip(
                        student_ids[chunk].tolist(),
                        after.scores[chunk, column].tolist(),
                        strict=True,
                    )
                ],
                conflict=("assessment_item_id", "student_id"),
            )
            done += len(chunk)
            if progress is not None:
                progress(done, total)


def _differs(old: FloatArray, new: FloatArray) -> BoolArray:
    """Cells whose value changes (a score appearing or disappearing counts)."""
    both = ~np.isnan(old) & ~np.isnan(new)
    differs: BoolArray = (np.isnan(old) != np.isnan(new)) | (
        both & (np.abs(old - new) > SCORE_TOLERANCE)
    )
    return differs


def _arrays(prefix: str, state: ScoreState, rows: BoolArray) -> dict[str, npt.NDArray[np.generic]]:
    return {
        f"{prefix}_exists": state.sittings.exists[rows],
        f"{prefix}_absent": state.sittings.is_absent[rows],
        f"{prefix}_totals": state.sittings.totals[rows],
        f"{prefix}_scores": state.scores[rows],
    }


def _state(
    prefix: str,
    data: np.lib.npyio.NpzFile,
    assessment_id: int,
    student_ids: IntArray,
    item_ids: IntArray,
) -> ScoreState:
    sittings = SittingState(
        data[f"{prefix}_exists"], data[f"{prefix}_absent"], data[f"{prefix}_totals"]
    )
    return ScoreState(assessment_id, student_ids, item_ids, sittings, data[f"{prefix}_scores"])
