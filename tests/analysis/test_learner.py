"""The between-exams services on the demo district: the mastery map is the stored estimates,
untaught points read 尚未学习, the 错题本 lists only answers below full marks, similar items share
a point and were never seen, and each view writes one audit row naming its students."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.analysis import learner
from yincai.config import Settings
from yincai.db import make_engine
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.levels import MasteryBand
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    ItemKp,
    LearningEvent,
    Score,
    Student,
    TeachingAssignment,
)
from yincai.governance.models import AuditEvent, AuditEventStudent


@pytest.fixture
def demo_session(demo_settings: Settings) -> Iterator[Session]:
    """A session on the demo district whose writes (audit rows) are rolled back."""
    engine = make_engine(demo_settings)
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        engine.dispose()


def _class_with_maths(session: Session) -> int:
    class_id = session.scalar(
        select(TeachingAssignment.school_class_id)
        .join_from(
            TeachingAssignment,
            Student,
            Student.school_class_id == TeachingAssignment.school_class_id,
        )
        .where(TeachingAssignment.subject_id == _subject_id(session, "MATH"))
        .order_by(TeachingAssignment.school_class_id)
    )
    assert class_id is not None
    return int(class_id)


def _subject_id(session: Session, code: str) -> int:
    return diagnosis_service.subject_id_of(session, code)


def test_mastery_map_cells_are_the_stored_estimates(demo_session: Session) -> None:
    session = demo_session
    class_id = _class_with_maths(session)
    view = learner.class_mastery_map(
        session, actor=CLI, school_class_id=class_id, subject_code="MATH"
    )
    table = diagnosis_service.class_mastery(
        session, actor=CLI, school_class_id=class_id, subject_code="MATH"
    )
    fitted = diagnosis_service.mastery_model(session, subject_code="MATH")
    met = diagnosis_service.class_met_points(session, fitted, school_class_id=class_id)
    assert view.columns and len(view.columns) == len(met)
    assert all(column.is_taught for column in view.columns)
    assert view.n_not_taught == fitted.n_kps - len(met)
    assert sorted(row.student_id for row in view.rows) == sorted(table.student_ids)
    column_of = {kp: k for k, kp in enumerate(table.kp_ids)}
    n_levels = 0
    for row in view.rows:
        i = table.student_ids.index(row.student_id)
        for column, cell in zip(view.columns, row.cells, strict=True):
            k = column_of[column.kp_id]
            if table.n_evidence[i, k] > 0:
                assert cell.level == pytest.approx(float(table.mastery[i, k]))
                n_levels += 1
            else:
                assert cell.level is None and cell.band is MasteryBand.NO_EVIDENCE
    assert n_levels > 0
    overall = [row.overall for row in view.rows if row.overall is not None]
    assert overall == sorted(overall)  # weakest first


def test_untaught_points_read_not_yet_taught(demo_session: Session) -> None:
    session = demo_session
    class_id = _class_with_maths(session)
    view = learner.class_mastery_map(
        session, actor=CLI, school_class_id=class_id, subject_code="MATH", include_not_taught=True
    )
    untaught = [k for k, column in enumerate(view.columns) if not column.is_taught]
    assert untaught and view.shows_not_taught
    assert len(untaught) == view.n_not_taught
    cells = [row.cells[k] for row in view.rows for k in untaught]
    not_taught = [cell for cell in cells if cell.band is MasteryBand.NOT_TAUGHT]
    assert len(not_taught) >= 0.9 * len(cells)  # a student may have met a point elsewhere
    assert all(str(cell.word) == "尚未学习" and cell.level is None for cell in not_taught)


def test_a_class_view_writes_one_audit_row_naming_every_student(demo_session: Session) -> None:
    session = demo_session
    class_id = _class_with_maths(session)
    before = session.scalar(select(func.max(AuditEvent.id))) or 0
    learner.class_mastery_map(session, actor=CLI, school_class_id=class_id, subject_code="MATH")
    events = session.scalars(select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("class_mastery_view", "school_class", str(class_id))
    ]
    named = set(
        session.scalars(
            select(AuditEventStudent.student_id).where(AuditEventStudent.event_id == events[0].id)
        )
    )
    students = set(session.scalars(select(Student.id).where(Student.school_class_id == class_id)))
    assert named == students


def _student_with_mistakes(session: Session) -> int:
    student_id = session.scalar(
        select(Score.student_id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(Score.score < AssessmentItem.full_score)
        .order_by(Score.student_id)
    )
    assert student_id is not None
    return int(student_id)


def test_mistake_book_lists_exactly_the_answers_below_full_marks(demo_session: Session) -> None:
    session = demo_session
    student_id = _student_with_mistakes(session)
    book = learner.mistake_book(session, actor=CLI, student_id=student_id, page_size=100_000)
    expected = session.execute(
        select(Score.id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(
            Score.student_id == student_id,
            AssessmentItem.full_score > 0,
            Score.score < AssessmentItem.full_score,
        )
    ).all()
    attempts = session.execute(
        select(LearningEvent.id).where(
            LearningEvent.student_id == student_id,
            LearningEvent.item_id.is_not(None),
            func.coalesce(LearningEvent.score, 1.0) < 1.0,
        )
    ).all()
    assert book.n_entries == len(expected) + len(attempts) == len(book.entries) > 0
    assert sorted(e.answer_id for e in book.entries) == sorted(
        [f"s{row[0]}" for row in expected] + [f"e{row[0]}" for row in attempts]
    )
    assert all(e.score < e.full_score for e in book.entries)
    kinds = {e.assessment_kind for e in book.entries}
    assert {"exam", "homework"} <= kinds
    # a subject and point filter narrows it, grouped by point
    subject = book.subjects[0].code
    narrowed = learner.mistake_book(session, actor=CLI, student_id=student_id, subject_code=subject)
    assert narrowed.n_entries == book.subjects[0].n_entries
    assert {e.subject_code for e in narrowed.entries} == {subject}
    kp = narrowed.kps[0]
    on_point = learner.mistake_book(
        session, actor=CLI, student_id=student_id, subject_code=subject, kp_id=kp.kp_id
    )
    assert on_point.n_entries == kp.n_entries and {e.kp_id for e in on_point.entries} == {kp.kp_id}


def test_pages_of_the_mistake_book_cover_it_once(demo_session: Session) -> None:
    session = demo_session
    student_id = _student_with_mistakes(session)
    first = learner.mistake_book(session, actor=CLI, student_id=student_id, page_size=7)
    seen = []
    for page in range(1, first.n_pages + 1):
        book = learner.mistake_book(
            session, actor=CLI, student_id=student_id, page_size=7, page=page
        )
        seen += [e.answer_id for e in book.entries]
    assert len(seen) == len(set(seen)) == first.n_entries
    beyond = learner.mistake_book(session, actor=CLI, student_id=student_id, page=10_000)
    assert beyond.page == beyond.n_pages  # clamped


def test_similar_items_share_a_point_and_were_never_seen(demo_session: Session) -> None:
    session = demo_session
    student_id = _student_with_mistakes(session)
    book = learner.mistake_book(session, actor=CLI, student_id=student_id, page_size=100_000)
    seen = set(
        session.scalars(
            select(AssessmentItem.item_id)
            .join(Score, Score.assessment_item_id == AssessmentItem.id)
            .where(Score.student_id == student_id)
        )
    ) | set(
        session.scalars(select(LearningEvent.item_id).where(LearningEvent.student_id == student_id))
    )
    n_similar = 0
    for entry in book.entries:
        assert len(entry.similar) <= 3
        if not entry.similar:
            continue
        own = set(
            session.scalars(
                select(ItemKp.knowledge_point_id).where(ItemKp.item_id == entry.item_id)
            )
        )
        for item in entry.similar:
            n_similar += 1
            assert item.item_id not in seen and item.item_id != entry.item_id
            theirs = set(
                session.scalars(
                    select(ItemKp.knowledge_point_id).where(ItemKp.item_id == item.item_id)
                )
            )
            assert own & theirs
    assert n_similar > 0


def test_growth_t_scores_equal_an_independent_computation(demo_session: Session) -> None:
    session = demo_session
    student_id = _student_with_mistakes(session)
    view = learner.student_growth(session, actor=CLI, student_id=student_id)
    curve = next(c for c in view.curves if c.subject_code == "MATH")
    point = next(p for p in curve.points if p.t_score is not None)
    totals = dict(
        session.execute(
            select(Score.student_id, func.sum(Score.score))
            .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
            .where(AssessmentItem.assessment_id == point.assessment_id)
            .group_by(Score.student_id)
        ).all()
    )
    values = np.array(list(totals.values()), dtype=np.float64)
    z = (totals[student_id] - values.mean()) / values.std(ddof=1)
    assert point.t_score == pytest.approx(50 + 10 * z, abs=0.05)
    assert session.get(Assessment, point.assessment_id) is not None
