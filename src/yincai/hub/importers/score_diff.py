"""The preview of a score import in words a teacher checks: whose marks change (old → new), who
is new, and who in the sheet's classes is missing from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import AssessmentItem, SchoolClass, Sitting, Student
from yincai.hub.importers.scores_store import ScoreChanges, ScoreState
from yincai.i18n import _

MAX_LISTED = 300  # rows listed per section of the preview; the counts cover every row
STATUS_PRESENT, STATUS_ABSENT, STATUS_NONE = _("正常"), _("缺考"), _("无成绩")


@dataclass(frozen=True)
class StudentLine:
    student_number: str
    name: str
    class_name: str


@dataclass(frozen=True)
class CellChange:
    label: str
    old: float | None
    new: float | None


@dataclass(frozen=True)
class RowChange:
    """One student whose stored marks the import replaces."""

    student: StudentLine
    old_status: str
    new_status: str
    old_total: float | None
    new_total: float | None
    cells: tuple[CellChange, ...]


@dataclass(frozen=True)
class ScoreDiff:
    changed: tuple[RowChange, ...]
    n_changed: int  # students with stored marks that change (an overwrite)
    n_overwritten_scores: int  # stored item scores replaced or removed
    new_students: tuple[StudentLine, ...]
    n_new: int  # students without a stored sitting
    missing: tuple[StudentLine, ...]
    n_missing: int  # students of the sheet's classes not in the sheet (their marks stay)
    n_missing_with_scores: int

    @property
    def overwrites(self) -> bool:
        return self.n_changed > 0


def describe_changes(
    session: Session,
    items: list[AssessmentItem],
    changes: ScoreChanges,
    class_ids: npt.NDArray[np.int64],
) -> ScoreDiff:
    """The preview of ``changes`` (students named; the caller has checked the viewer's scope)."""
    before, after = changes.before, changes.after
    student_ids = after.student_ids.tolist()
    lines = _lines(session, student_ids)
    had_sitting = before.sittings.exists
    overwritten = changes.is_changed_score | changes.is_removed_score
    changed_rows = np.flatnonzero(changes.changed_rows & had_sitting)
    labels = [item.label for item in items]
    changed = tuple(
        RowChange(
            student=lines[student_ids[row]],
            old_status=_status(before, row),
            new_status=_status(after, row),
            old_total=_number(before.sittings.totals[row]),
            new_total=_number(after.sittings.totals[row]),
            cells=tuple(
                CellChange(labels[column], _number(old), _number(new))
                for column, (old, new) in enumerate(
                    zip(before.scores[row], after.scores[row], strict=True)
                )
                if _is_change(old, new)
            ),
        )
        for row in changed_rows[:MAX_LISTED]
    )
    new_rows = np.flatnonzero(~had_sitting)
    in_sheet = set(student_ids)
    classes = sorted(set(class_ids.tolist()))
    others = [
        student_id
        for student_id in session.scalars(
            select(Student.id)
            .where(Student.school_class_id.in_(classes))
            .order_by(Student.school_class_id, Student.student_number)
        )
        if student_id not in in_sheet
    ]
    with_scores = set(
        session.scalars(
            select(Sitting.student_id).where(
                Sitting.assessment_id == after.assessment_id, Sitting.student_id.in_(others)
            )
        )
    )
    missing_lines = _lines(session, others[:MAX_LISTED])
    return ScoreDiff(
        changed=changed,
        n_changed=len(changed_rows),
        n_overwritten_scores=int(overwritten.sum()),
        new_students=tuple(lines[student_ids[row]] for row in new_rows[:MAX_LISTED]),
        n_new=len(new_rows),
        missing=tuple(missing_lines[student_id] for student_id in others[:MAX_LISTED]),
        n_missing=len(others),
        n_missing_with_scores=len(with_scores),
    )


def _lines(session: Session, student_ids: list[int]) -> dict[int, StudentLine]:
    lines: dict[int, StudentLine] = {}
    for start in range(0, len(student_ids), 10_000):
        chunk = student_ids[start : start + 10_000]
        for student_id, number, name, class_name in session.execute(
            select(Student.id, Student.student_number, Student.name, SchoolClass.name)
            .join(SchoolClass, SchoolClass.id == Student.school_class_id)
            .where(Student.id.in_(chunk))
        ):
            lines[student_id] = StudentLine(number, name, class_name)
    return lines


def _status(state: ScoreState, row: int) -> str:
    if not state.sittings.exists[row]:
        return STATUS_NONE
    return STATUS_ABSENT if state.sittings.is_absent[row] else STATUS_PRESENT


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)


def _is_change(old: float, new: float) -> bool:
    if np.isnan(old) or np.isnan(new):
        return bool(np.isnan(old) != np.isnan(new))
    return bool(abs(old - new) > 1e-9)
