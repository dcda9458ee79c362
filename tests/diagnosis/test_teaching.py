"""The teaching sequence: a point not yet taught to a student's class gets no mastery words."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import Grade, KnowledgePoint, SchoolClass, Student
from yincai.privacy import service as privacy_service


def _grade7_student(session: Session) -> int:
    cleared = privacy_service.cleared_student_ids(
        privacy_service.ConsentPurpose.DIAGNOSIS, today=datetime.now(UTC).date()
    )
    student_id = session.scalar(
        select(Student.id)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(Grade.level == 7, Student.id.in_(cleared))
        .order_by(Student.id)
    )
    assert student_id is not None
    return student_id


def test_later_grade_points_are_not_yet_taught_and_taught_points_are(
    demo_session: Session,
) -> None:
    rows = diagnosis_service.student_mastery(
        demo_session, actor=CLI, student_id=_grade7_student(demo_session)
    )
    grade_of = dict(
        demo_session.execute(select(KnowledgePoint.code, KnowledgePoint.grade_level)).all()
    )
    later = [row for row in rows if grade_of[row.kp_code] == 9]
    assert later and all(not row.is_taught for row in later)
    assert {row.band for row in later} == {levels.MasteryBand.NOT_TAUGHT}
    assert {row.band_word for row in later} == {"尚未学习"}
    evidenced = [row for row in rows if row.n_evidence > 0]
    assert evidenced and all(row.is_taught for row in evidenced)
    assert all(row.band != levels.MasteryBand.NOT_TAUGHT for row in evidenced)


def test_band_without_evidence_depends_on_whether_the_point_was_taught() -> None:
    assert levels.band(0.9, n_evidence=0) == levels.MasteryBand.NO_EVIDENCE
    assert levels.band(0.9, n_evidence=0, is_taught=False) == levels.MasteryBand.NOT_TAUGHT
    assert levels.band(0.9, n_evidence=3, is_taught=False) == levels.MasteryBand.PROFICIENT
