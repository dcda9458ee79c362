"""Import semantics a teacher can predict: the last confirmed file wins, an identical re-import
changes nothing, every import is in the history, and the last one of an assessment reverts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.hub.large import (
    EXAM,
    LargeExam,
    build_large_exam,
    check_consistent,
    sheet_scores,
    stored_marks,
    write_sheet,
)
from yincai.domain.models import ImportBatch, Score, Student
from yincai.errors import Conflict, NotFound
from yincai.hub import service as hub_service


@pytest.fixture
def exam(session: Session) -> LargeExam:
    return build_large_exam(session, n_students=120, n_items=5)


def _import(session: Session, path: Path) -> hub_service.ImportSummary:
    return hub_service.import_scores(session, path=path, assessment_code=EXAM, user_account_id=None)


def _history(session: Session) -> hub_service.HistoryPage:
    return hub_service.import_history(
        session, assessment_ids=hub_service.all_assessment_ids(), with_district_data=True
    )


def test_a_then_b_then_a_again_leaves_a_and_three_imports_and_revert_restores_b(
    session: Session, exam: LargeExam, tmp_path: Path
) -> None:
    marks = {key: sheet_scores(exam, seed) for key, seed in (("a", 1), ("b", 2))}
    a = write_sheet(tmp_path / "a.csv", exam, marks["a"])
    b = write_sheet(tmp_path / "b.csv", exam, marks["b"])
    for path in (a, b, a):
        assert not _import(session, path).is_unchanged
    assert np.array_equal(stored_marks(session, exam), marks["a"], equal_nan=True)
    history = _history(session)
    assert [row.file_name for row in history.rows] == ["a.csv", "b.csv", "a.csv"]
    assert [row.is_revertible for row in history.rows] == [True, False, False]
    assert history.rows[0].n_updated > 0

    reverted = hub_service.revert_last_import(session, assessment_code=EXAM)
    assert reverted.counts["score"].updated > 0
    assert np.array_equal(stored_marks(session, exam), marks["b"], equal_nan=True)
    check_consistent(session, exam)
    rows = _history(session).rows
    assert rows[0].reverts_batch_id == rows[1].id and rows[1].is_reverted
    assert rows[2].is_revertible  # the next revert would undo B, back to A's first import


def test_an_identical_reimport_is_a_no_op_without_a_history_entry(
    session: Session, exam: LargeExam, tmp_path: Path
) -> None:
    path = write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1))
    first = _import(session, path)
    assert first.counts["score"].new > 0 and first.batch_id is not None
    again = _import(session, path)
    assert again.is_unchanged and again.batch_id is None
    assert len(session.scalars(select(ImportBatch)).all()) == 1


def test_a_revert_is_refused_when_the_scores_changed_since(
    session: Session, exam: LargeExam, tmp_path: Path
) -> None:
    _import(session, write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1)))
    _import(session, write_sheet(tmp_path / "b.csv", exam, sheet_scores(exam, 2)))
    student = session.scalar(select(Student.id).where(Student.student_number == exam.numbers[1]))
    session.execute(update(Score).where(Score.student_id == student).values(score=0.5))
    before = stored_marks(session, exam)
    with pytest.raises(Conflict, match="无法撤销"):
        hub_service.revert_last_import(session, assessment_code=EXAM)
    assert np.array_equal(stored_marks(session, exam), before, equal_nan=True)


def test_reverting_the_first_import_empties_the_assessment_and_then_nothing_is_left(
    session: Session, exam: LargeExam, tmp_path: Path
) -> None:
    _import(session, write_sheet(tmp_path / "a.csv", exam, sheet_scores(exam, 1)))
    hub_service.revert_last_import(session, assessment_code=EXAM)
    assert np.isnan(stored_marks(session, exam)).all()
    with pytest.raises(NotFound):
        hub_service.revert_last_import(session, assessment_code=EXAM)


def test_the_preview_diff_names_changed_new_and_missing_students(
    session: Session, exam: LargeExam, tmp_path: Path
) -> None:
    first = sheet_scores(exam, 1)
    marked = LargeExam(100, exam.n_items, exam.numbers[:100], exam.labels)
    _import(session, write_sheet(tmp_path / "a.csv", marked, first[:100]))  # 20 not yet marked
    second = first.copy()
    second[3, 0] = 10.0 if first[3, 0] != 10.0 else 9.0  # one changed mark
    keep = np.r_[0:50, 60:120]  # ten students left out of the sheet
    partial = LargeExam(len(keep), exam.n_items, [exam.numbers[i] for i in keep], exam.labels)
    path = write_sheet(tmp_path / "b.csv", partial, second[keep])
    plan = hub_service.preview_import(
        session, hub_service.ImportRequest("scores", path, assessment_code=EXAM)
    )
    diff = plan.diff  # type: ignore[attr-defined]
    assert diff.n_changed == 1 and diff.overwrites
    (row,) = diff.changed
    assert row.student.student_number == exam.numbers[3]
    assert [(c.label, c.old, c.new) for c in row.cells] == [("1", first[3, 0], second[3, 0])]
    assert diff.n_new == 20 and {s.student_number for s in diff.new_students} == set(
        exam.numbers[100:]
    )
    assert {s.student_number for s in diff.missing} == set(exam.numbers[50:60])
    assert diff.n_missing_with_scores == 10
