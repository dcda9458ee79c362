import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.diagnosis import levels, service
from yincai.domain.models import (
    AssessmentItem,
    ItemKp,
    KnowledgePoint,
    KpLevel,
    LearningEvent,
    SchoolClass,
    Score,
    Student,
    Subject,
)
from yincai.errors import NotFound


def _n_points(session: Session) -> int:
    """The maths points (the subject the estimates default to; the demo has five)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(KnowledgePoint)
            .join(Subject, Subject.id == KnowledgePoint.subject_id)
            .where(KnowledgePoint.level == KpLevel.POINT, Subject.code == "MATH")
        )
        or 0
    )


def test_every_student_of_a_class_gets_a_mastery_per_point_in_unit_range(
    demo_session: Session,
) -> None:
    class_id = demo_session.scalar(
        select(Student.school_class_id).join(Score, Score.student_id == Student.id).limit(1)
    )
    assert class_id is not None
    table = service.class_mastery(demo_session, actor=CLI, school_class_id=class_id)
    n_students = demo_session.scalar(
        select(func.count()).select_from(Student).where(Student.school_class_id == class_id)
    )
    assert table.mastery.shape == (n_students, _n_points(demo_session))
    assert ((table.mastery >= 0) & (table.mastery <= 1)).all()
    assert (table.logit_sd > 0).all()
    assert table.n_evidence.sum() > 0


def test_evidence_counts_match_an_independent_count_of_the_students_responses(
    demo_session: Session,
) -> None:
    student_id = demo_session.scalar(select(Score.student_id).limit(1))
    assert student_id is not None
    rows = service.student_mastery(demo_session, actor=CLI, student_id=student_id)
    assert len(rows) == _n_points(demo_session)
    kp = max(rows, key=lambda r: r.n_evidence)
    exam_count = demo_session.scalar(
        select(func.count())
        .select_from(Score)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(ItemKp, ItemKp.item_id == AssessmentItem.item_id)
        .where(Score.student_id == student_id, ItemKp.knowledge_point_id == kp.kp_id)
    )
    event_count = demo_session.scalar(
        select(func.count())
        .select_from(LearningEvent)
        .join(ItemKp, ItemKp.item_id == LearningEvent.item_id)
        .where(LearningEvent.student_id == student_id, ItemKp.knowledge_point_id == kp.kp_id)
    )
    assert kp.n_evidence == exam_count + event_count > 0
    assert kp.last_seen_on == max(e.seen_on for e in kp.evidence)
    assert all(0 <= r.level_low <= r.level_high <= 1 for r in rows)


def test_a_student_without_scores_gets_the_population_prior(demo_session: Session) -> None:
    student_id = demo_session.scalar(
        select(Student.id)
        .where(~Student.id.in_(select(Score.student_id)))
        .where(~Student.id.in_(select(LearningEvent.student_id)))
        .limit(1)
    )
    assert student_id is not None  # the primary pupils of nine-year schools have no maths data
    rows = service.student_mastery(demo_session, actor=CLI, student_id=student_id)
    model = service.fit_mastery_model(demo_session).model
    prior = levels.level(model.predict(model.empty_evidence(1)).logit_mean[0])
    np.testing.assert_allclose([r.mastery for r in rows], prior, atol=1e-4)
    # a primary pupil has met none of the junior-high points: no words of mastery at all
    assert {r.band_word for r in rows} == {"尚未学习"}
    assert all(r.n_evidence == 0 and r.last_seen_on is None and not r.is_taught for r in rows)


def test_the_calibration_is_cached_until_new_data_arrive(demo_session: Session) -> None:
    first = service.fit_mastery_model(demo_session)
    assert service.fit_mastery_model(demo_session) is first


def test_unknown_student_or_class_is_not_found(demo_session: Session) -> None:
    with pytest.raises(NotFound):
        service.student_mastery(demo_session, actor=CLI, student_id=10**9)
    with pytest.raises(NotFound):
        service.class_mastery(demo_session, actor=CLI, school_class_id=10**9)
    assert demo_session.get(SchoolClass, 10**9) is None
