"""The shared score reads agree with what each surface computed on its own before, and the
home page and the student report give a student the same band."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.world import World, actor, build_world
from yincai.analysis import service as analysis_service
from yincai.analysis.data import load_exam_data
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, AssessmentItem, Score, Sitting
from yincai.hub import service as hub_service
from yincai.hub import views


@pytest.fixture
def world_session(make_database: Callable[[], Settings]) -> Iterator[tuple[Session, World]]:
    engine = make_engine(make_database())
    with Session(engine) as session:
        yield session, build_world(session)
        session.rollback()
    engine.dispose()


@pytest.mark.parametrize("total", [30.0, 40.0, 59.5, 60.0, 84.99, 85.0])
def test_home_page_and_student_report_give_the_same_band(
    world_session: tuple[Session, World], total: float
) -> None:
    session, world = world_session
    sitting = session.scalars(
        select(Sitting).where(
            Sitting.student_id == world["Z1"], Sitting.assessment_id == world["E1"]
        )
    ).one()
    sitting.total_score = total
    session.flush()
    admin = actor(session, world, "district_admin")
    home = views.student_profile(session, actor=admin, student_id=world["Z1"])
    report = analysis_service.student_report(
        session,
        surface="cli",
        actor=admin,
        student_number=world.names["Z1"][1],
        assessment_code="W-E1",
        include_mastery=False,
    )
    [result] = home.results
    assert result.band == report.band
    assert (result.band == "D") is (total < 60)


def test_a_sitting_without_a_recorded_total_counts_its_item_scores(
    world_session: tuple[Session, World],
) -> None:
    session, world = world_session
    item_id = session.scalar(
        select(AssessmentItem.id).where(AssessmentItem.assessment_id == world["E1"])
    )
    sitting = session.scalars(
        select(Sitting).where(
            Sitting.student_id == world["B1"], Sitting.assessment_id == world["E1"]
        )
    ).one()
    sitting.total_score = None
    session.add(Score(assessment_item_id=item_id, student_id=world["B1"], score=55.0))
    session.flush()
    found = {
        row.student_id: row.total
        for row in hub_service.sitting_totals(session, assessment_ids=[world["E1"]])
    }
    assert found == {world["A1"]: 88.0, world["A2"]: 71.5, world["B1"]: 55.0, world["Z1"]: 40.0}
    admin = actor(session, world, "district_admin")
    [result] = views.student_profile(session, actor=admin, student_id=world["B1"]).results
    assert (result.total, result.band) == (55.0, "D")
    assert hub_service.full_scores(session, [world["E1"], world["E9"]]) == {
        world["E1"]: 100.0,
        world["E9"]: 100.0,
    }


def test_helpers_agree_with_the_sums_on_the_demo_district(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        assessments = session.scalars(select(Assessment)).all()
        ids = [assessment.id for assessment in assessments]
        full = hub_service.full_scores(session, ids)
        for assessment in assessments:
            assert full[assessment.id] == pytest.approx(
                sum(item.full_score for item in assessment.items)
            )
        summed = {
            (assessment_id, student_id): total
            for assessment_id, student_id, total in session.execute(
                select(AssessmentItem.assessment_id, Score.student_id, func.sum(Score.score))
                .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
                .group_by(AssessmentItem.assessment_id, Score.student_id)
            )
        }
        totals = hub_service.sitting_totals(session, assessment_ids=ids)
        assert totals
        for row in totals:
            if row.is_absent:
                assert row.total is None
            else:
                assert row.total == pytest.approx(summed[(row.assessment_id, row.student_id)])
        exam = next(a for a in assessments if a.items)
        data = load_exam_data(session, exam)
        by_student = {r.student_id: r.total for r in totals if r.assessment_id == exam.id}
        for student_id, total, absent in zip(
            data.student_ids.tolist(), data.totals.tolist(), data.is_absent.tolist(), strict=True
        ):
            if not absent and student_id in by_student:
                assert total == pytest.approx(by_student[student_id])
            assert absent == bool(np.isnan(total))
    engine.dispose()
