"""Views kept between requests (``analysis.cache.KeptViews``): the same object while what they
rest on stands, a fresh one after an import, an erasure, a consent withdrawn; the audit row is
written on every view, kept or not."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.analysis.test_cache import CORRECTED, FIRST, _imported
from tests.hub.builders import seed_exam
from yincai.accounts.actors import CLI
from yincai.analysis import joint_service, learner
from yincai.analysis import service as analysis_service
from yincai.analysis.cache import ExamCache, KeptViews
from yincai.analysis.mastery_map import MasteryMap
from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis.levels import MasteryBand
from yincai.domain.models import JointExam, Student
from yincai.governance.models import AuditEvent
from yincai.hub import service as hub_service
from yincai.privacy.erasure import erase_student


def test_an_erasure_moves_the_data_version_on_and_no_kept_report_names_the_student(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    _imported(session, tmp_path, FIRST, "first.csv")
    cache = ExamCache()
    before = analysis_service.exam_report(
        session, actor=CLI, surface="cli", assessment_code="E1", cache=cache
    )
    version = hub_service.data_version(session)
    erased = session.scalar(select(Student.id).where(Student.student_number == "2025002"))
    assert erased is not None
    erase_student(session, student_id=erased)
    assert hub_service.data_version(session) != version
    after = analysis_service.exam_report(
        session, actor=CLI, surface="cli", assessment_code="E1", cache=cache
    )
    assert after is not before
    assert (cache.hits, cache.misses) == (0, 2)
    assert hub_service.data_version(session) == hub_service.data_version(session)  # stable


def test_an_exams_totals_are_kept_until_an_import_changes_them(
    session: Session, tmp_path: Path
) -> None:
    assessment = seed_exam(session, tmp_path)
    _imported(session, tmp_path, FIRST, "first.csv")
    views = KeptViews()
    (first,) = learner._papers(session, [assessment.id], views)
    (again,) = learner._papers(session, [assessment.id], views)
    assert again is first
    assert sorted(first.totals.tolist()) == [9.0, 17.0]
    _imported(session, tmp_path, CORRECTED, "corrected.csv")
    (after,) = learner._papers(session, [assessment.id], views)
    assert sorted(after.totals.tolist()) == [13.0, 17.0]
    assert len(views.papers) == 1  # the stale version gave way
    (unkept,) = learner._papers(session, [assessment.id], None)
    assert unkept.totals.tolist() == after.totals.tolist()


def _audit_rows(session: Session) -> int:
    return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


def test_a_kept_mastery_map_is_audited_each_time_and_rebuilt_when_a_consent_is_withdrawn(
    scoped_session: Session,
) -> None:
    session = scoped_session
    views = KeptViews()
    student = session.scalars(select(Student).order_by(Student.id)).first()
    assert student is not None
    class_id = student.school_class_id

    def view() -> MasteryMap:
        return learner.class_mastery_map(
            session, actor=CLI, school_class_id=class_id, subject_code="MATH", kept_views=views
        )

    audits = _audit_rows(session)
    first = view()
    assert view() is first
    assert _audit_rows(session) == audits + 2
    row = next(r for r in first.rows if r.student_id == student.id)
    assert any(cell.band is not MasteryBand.NO_EVIDENCE for cell in row.cells)

    consent_service.withdraw_consent(
        session, actor=CLI, student_id=student.id, purpose=ConsentPurpose.DIAGNOSIS
    )
    after = view()
    assert after is not first
    row = next(r for r in after.rows if r.student_id == student.id)
    assert all(cell.level is None for cell in row.cells)  # the prior, not an estimate
    fresh = learner.class_mastery_map(
        session, actor=CLI, school_class_id=class_id, subject_code="MATH"
    )
    assert fresh == after


def test_a_kept_joint_report_equals_a_fresh_one_per_scope(scoped_session: Session) -> None:
    session = scoped_session
    joint_id = session.scalar(select(JointExam.id).order_by(JointExam.id))
    assert joint_id is not None
    views = KeptViews()

    def report(scope: str | None) -> joint_service.JointReport:
        return joint_service.joint_exam_report(
            session,
            actor=CLI,
            joint_exam_id=joint_id,
            surface="view",
            scope=joint_service.parse_scope(scope),
            kept_views=views,
        )

    district = report("district")
    assert report("district") is district
    school_id = district.schools[0].group_id
    school = report(f"school:{school_id}")
    assert school is not district and report(f"school:{school_id}") is school
    fresh = joint_service.joint_exam_report(
        session,
        actor=CLI,
        joint_exam_id=joint_id,
        surface="view",
        scope=joint_service.parse_scope("district"),
    )
    assert fresh == district
