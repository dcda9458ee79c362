from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import func, select

from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import build_demo_district
from yincai.demo.subjects import SUBJECTS
from yincai.demo.truth import load_ground_truth
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Dimension,
    GrowthRecord,
    Item,
    ItemKp,
    KnowledgePoint,
    KpPrerequisite,
    LearningEvent,
    Resource,
    ResourceKp,
    School,
    Score,
    Sitting,
    Student,
)
from yincai.governance.service import verify_password
from yincai.library.models import ResourceChunk


def _counts(settings: Settings) -> dict[str, int]:
    engine = make_engine(settings)
    with session_scope(engine) as session:
        counts = {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (
                School,
                Student,
                KnowledgePoint,
                KpPrerequisite,
                Item,
                ItemKp,
                Assessment,
                Score,
                Sitting,
                LearningEvent,
                UserAccount,
                Resource,
                ResourceKp,
                ResourceChunk,
            )
        }
    engine.dispose()
    return counts


def test_demo_district_has_urban_and_rural_primary_and_junior_schools(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        schools = session.scalars(select(School)).all()
        settings = {s.setting.value for s in schools}
        stages = {s.stage.value for s in schools}
    engine.dispose()
    assert len(schools) >= 12
    assert {"urban", "township", "rural"} <= settings
    assert {"primary", "junior"} <= stages


def test_demo_district_holds_curriculum_items_exams_and_homework(demo_settings: Settings) -> None:
    counts = _counts(demo_settings)
    assert counts["knowledge_point"] >= 100
    assert counts["kp_prerequisite"] >= 50
    assert counts["item"] >= 300
    assert counts["item_kp"] >= counts["item"]
    assert counts["assessment"] >= 4 * 3  # four exams for each of the three junior grades
    assert counts["score"] > 10_000
    assert counts["learning_event"] > 10_000
    assert counts["user_account"] == len(Role)
    # the resource library: a lesson note per knowledge point, each in three or more passages
    assert counts["resource"] == counts["resource_kp"] >= 400
    assert counts["resource_chunk"] >= 3 * counts["resource"]
    assert counts["knowledge_point"] > counts["resource"]  # chapters and sections have none


def test_scores_respect_full_marks_and_totals_match(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        over = session.scalar(
            select(func.count())
            .select_from(Score)
            .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
            .where((Score.score > AssessmentItem.full_score) | (Score.score < 0))
        )
        totals = session.execute(
            select(Sitting.total_score, func.sum(Score.score))
            .join(AssessmentItem, AssessmentItem.assessment_id == Sitting.assessment_id)
            .join(
                Score,
                (Score.assessment_item_id == AssessmentItem.id)
                & (Score.student_id == Sitting.student_id),
            )
            .where(Sitting.is_absent.is_(False))
            .group_by(Sitting.id, Sitting.total_score)
        ).all()
        n_absent = session.scalar(select(func.count()).where(Sitting.is_absent.is_(True)))
    engine.dispose()
    assert over == 0
    assert totals
    assert all(abs(total - summed) < 1e-6 for total, summed in totals)
    assert n_absent and n_absent > 0  # absentees are part of a realistic semester


def test_demo_logins_work_with_the_printed_password(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        accounts = session.scalars(select(UserAccount)).all()
    engine.dispose()
    assert {a.role for a in accounts} == set(Role)
    assert all(verify_password(a.password_hash, "yincai-demo-2026") for a in accounts)
    assert not verify_password(accounts[0].password_hash, "wrong-password")
    assert all(a.password_hash.startswith("$argon2") for a in accounts)


def test_ground_truth_is_kept_apart_and_matches_the_roster(demo_settings: Settings) -> None:
    truth = load_ground_truth(demo_settings.ground_truth_path)
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        numbers = set(session.scalars(select(Student.student_number)).all())
        kp_codes = set(session.scalars(select(KnowledgePoint.code)).all())
    engine.dispose()
    assert set(truth.student_numbers) <= numbers
    assert set(truth.kp_codes) <= kp_codes
    n_checkpoints, n_students, n_kps = truth.mastery.shape
    assert (n_students, n_kps) == (len(truth.student_numbers), len(truth.kp_codes))
    assert n_checkpoints >= 4
    assert ((truth.mastery >= 0) & (truth.mastery <= 1)).all()
    assert truth.declining_students and truth.underperforming_classes
    assert truth.missing_class_exams


def test_same_seed_gives_the_same_district(
    make_database: Callable[[], Settings], backend: str
) -> None:
    if backend == "postgresql":
        # the generator draws the same numbers whatever it writes to; building on PostgreSQL is
        # the demo_settings fixture's work for every PostgreSQL test (CI time: 1.5 min)
        pytest.skip("the generator's determinism does not depend on the backend")

    def fingerprint(seed: int) -> tuple[list[str], float, list[float], list[tuple[object, ...]]]:
        settings = make_database()
        engine = make_engine(settings)
        with session_scope(engine) as session:
            build_demo_district(
                session, ground_truth_path=settings.ground_truth_path, n_students=300, seed=seed
            )
        with session_scope(engine) as session:
            names = list(session.scalars(select(Student.name).order_by(Student.student_number)))
            total = float(session.scalar(select(func.sum(Score.score))) or 0)
            growth = [
                tuple(row)
                for row in session.execute(
                    select(
                        Student.student_number,
                        GrowthRecord.dimension,
                        GrowthRecord.evidence,
                        GrowthRecord.recorded_on,
                        GrowthRecord.recorded_by,
                    )
                    .join(Student, Student.id == GrowthRecord.student_id)
                    .order_by(GrowthRecord.id)
                )
            ]
        engine.dispose()
        path = settings.ground_truth_path
        mastery = [float(np.sum(load_ground_truth(path, s.code).mastery)) for s in SUBJECTS]
        return names, total, mastery, growth

    first, again, other = fingerprint(3), fingerprint(3), fingerprint(4)
    assert first == again
    assert first[0] != other[0]
    assert first[3] and first[3] != other[3]


def test_every_student_may_have_growth_records_in_each_non_academic_dimension(
    demo_settings: Settings,
) -> None:
    """The demo plants 德、体、美、劳 records (none academic: exams are that dimension), dated
    in the semester, with a role and not a person as recorder, and keeps each junior student's
    number of arts and sports records in the truth."""
    truth = load_ground_truth(demo_settings.ground_truth_path)
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        by_dimension = dict(
            session.execute(
                select(GrowthRecord.dimension, func.count()).group_by(GrowthRecord.dimension)
            ).all()
        )
        first, last = session.execute(
            select(func.min(GrowthRecord.recorded_on), func.max(GrowthRecord.recorded_on))
        ).one()
        recorders = set(session.scalars(select(GrowthRecord.recorded_by).distinct()))
        names = set(session.scalars(select(Student.name)))
        activities = dict(
            session.execute(
                select(Student.student_number, func.count(GrowthRecord.id))
                .join(GrowthRecord, GrowthRecord.student_id == Student.id)
                .where(GrowthRecord.dimension.in_([Dimension.ARTS, Dimension.HEALTH]))
                .group_by(Student.student_number)
            ).all()
        )
    engine.dispose()
    assert set(by_dimension) == {
        Dimension.MORAL,
        Dimension.HEALTH,
        Dimension.ARTS,
        Dimension.LABOUR,
    }
    assert all(n >= 50 for n in by_dimension.values())
    assert first.isoformat() >= "2026-08-31" and last.isoformat() <= "2027-01-17"
    assert not recorders & names and all(r.endswith(("教师", "处", "委", "任")) for r in recorders)
    assert truth.activities is not None and len(truth.activities) == len(truth.student_numbers)
    planted = dict(zip(truth.student_numbers, truth.activities.tolist(), strict=True))
    assert planted == {n: activities.get(n, 0) for n in truth.student_numbers}
    many = np.mean(truth.activities >= 3)
    assert 0.1 < many < 0.5  # a share of the students has many activities, not all


def test_homework_is_set_weekly_per_class_and_every_attempt_names_its_assignment(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        homework = select(Assessment).where(Assessment.kind == AssessmentKind.HOMEWORK)
        n_homework = session.scalar(select(func.count()).select_from(homework.subquery()))
        without_due = session.scalar(
            select(func.count()).select_from(homework.where(Assessment.due_at.is_(None)).subquery())
        )
        n_unlinked = session.scalar(
            select(func.count()).where(
                LearningEvent.source == "homework", LearningEvent.assessment_id.is_(None)
            )
        )
        # an attempt answers homework set to the student's own class, never an exam
        n_foreign = session.scalar(
            select(func.count())
            .select_from(LearningEvent)
            .join(Student, Student.id == LearningEvent.student_id)
            .join(Assessment, Assessment.id == LearningEvent.assessment_id)
            .outerjoin(
                AssessmentClass,
                (AssessmentClass.assessment_id == Assessment.id)
                & (AssessmentClass.school_class_id == Student.school_class_id),
            )
            .where(
                (AssessmentClass.school_class_id.is_(None))
                | (Assessment.kind != AssessmentKind.HOMEWORK)
            )
        )
        n_set_to = session.scalar(
            select(func.count())
            .select_from(AssessmentClass)
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(Assessment.kind == AssessmentKind.HOMEWORK)
        )
        on_weekend = session.scalar(
            select(func.count())
            .select_from(LearningEvent)
            .join(Assessment, Assessment.id == LearningEvent.assessment_id)
            .where(LearningEvent.occurred_at > Assessment.due_at)
        )
    engine.dispose()
    assert n_homework and n_homework > 100
    assert without_due == 0 and n_unlinked == 0 and n_foreign == 0
    assert n_set_to == n_homework  # each assignment is set to one class
    assert on_weekend and on_weekend > 0  # weekend work comes after Friday's due time
