from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Grade,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Student,
)
from yincai.errors import Forbidden, Invalid, NotFound
from yincai.practice import cli as practice_cli
from yincai.practice import service

AS_OF = date(2026, 12, 13)  # the Sunday after the third exam, with homework in between


def _grade8_class(session: Session) -> tuple[str, str]:
    code, name = session.execute(
        select(School.code, SchoolClass.name)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .join(Student, Student.school_class_id == SchoolClass.id)
        .where(Grade.level == 8)
        .group_by(School.code, SchoolClass.name)
        .having(func.count(Student.id) >= 5)
        .order_by(School.code, SchoolClass.name)
        .limit(1)
    ).one()
    return code, name


def _a_student(session: Session, school_code: str, class_name: str) -> str:
    number = session.scalar(
        select(Student.student_number)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .where(School.code == school_code, SchoolClass.name == class_name)
        .order_by(Student.student_number)
    )
    assert number is not None
    return number


def test_a_student_gets_n_items_with_answer_keys_and_reasons(demo_session: Session) -> None:
    number = _a_student(demo_session, *_grade8_class(demo_session))
    practice = service.student_practice(demo_session, actor=CLI, student_number=number, as_of=AS_OF)
    assert practice.student_number == number and practice.grade_level == 8
    assert [item.position for item in practice.items] == list(range(1, 11))
    assert len({item.item_id for item in practice.items}) == 10
    assert all(item.answer.strip() and item.stem.strip() for item in practice.items)
    assert practice.answer_key == [(item.position, item.answer) for item in practice.items]
    assert len({item.item_type for item in practice.items}) >= 2
    for item in practice.items:
        assert f"「{item.target_kp_name}」" in item.reason and "预计答对率" in item.reason
        assert item.target_kp_name in item.student_reason and "0." not in item.student_reason
        assert item.target_kp_code in item.kp_codes
        assert 0.0 <= item.predicted_success <= 1.0
    weak = [t for t in practice.targets if t.role == "weak"]
    assert len(weak) >= 3 and practice.weak_kp_codes[0] == min(weak, key=lambda t: t.rank).kp_code
    assert all(t.level_low <= t.level <= t.level_high for t in practice.targets)
    assert "薄弱知识点" in practice.summary and practice.reference_on == AS_OF


def test_items_answered_right_in_the_last_30_days_are_not_set_again(demo_session: Session) -> None:
    number = _a_student(demo_session, *_grade8_class(demo_session))
    student_id = demo_session.scalar(select(Student.id).where(Student.student_number == number))
    since = AS_OF - timedelta(days=service.RECENTLY_CORRECT_DAYS)
    exam_right = demo_session.scalars(
        select(AssessmentItem.item_id)
        .join(Score, Score.assessment_item_id == AssessmentItem.id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Score.student_id == student_id, Score.score >= AssessmentItem.full_score)
        .where(Assessment.held_on > since, Assessment.held_on <= AS_OF)
    )
    homework_right = demo_session.scalars(
        select(LearningEvent.item_id).where(
            LearningEvent.student_id == student_id,
            LearningEvent.is_correct.is_(True),
            LearningEvent.occurred_at >= since + timedelta(days=1),
            LearningEvent.occurred_at < AS_OF,
        )
    )
    recently_right = set(exam_right) | set(homework_right)
    assert recently_right, "the demo student should have answered something right lately"
    practice = service.student_practice(demo_session, actor=CLI, student_number=number, as_of=AS_OF)
    assert not recently_right & {item.item_id for item in practice.items}


def test_every_student_of_a_class_gets_a_set(demo_session: Session) -> None:
    school_code, class_name = _grade8_class(demo_session)
    sets = service.class_practice(
        demo_session,
        actor=CLI,
        school_code=school_code,
        class_name=class_name,
        n_items=6,
        as_of=AS_OF,
    )
    n_students = demo_session.scalar(
        select(func.count(Student.id))
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .where(School.code == school_code, SchoolClass.name == class_name)
    )
    assert len(sets) == n_students
    assert all(len(s.items) == 6 and s.class_name == class_name for s in sets)
    assert len({tuple(s.weak_kp_codes) for s in sets}) > 1  # personalised, not one list


def test_reteach_plan_names_three_to_five_points_with_diagnostic_items(
    demo_session: Session,
) -> None:
    school_code, class_name = _grade8_class(demo_session)
    plan = service.reteach_plan(
        demo_session, actor=CLI, school_code=school_code, class_name=class_name, as_of=AS_OF
    )
    assert 3 <= len(plan.points) <= 5
    priorities = [p.priority for p in plan.points]
    assert priorities == sorted(priorities, reverse=True)
    for point in plan.points:
        assert point.reason.startswith(f"「{point.kp_name}」全班平均掌握水平")
        assert 1 <= len(point.items) <= 3
        assert all(item.answer and "区分度" in item.reason for item in point.items)
        information = [item.information for item in point.items]
        assert information == sorted(information, reverse=True)


def test_unknown_student_class_and_bad_band_are_refused(demo_session: Session) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        service.student_practice(demo_session, actor=CLI, student_number="NOPE")
    with pytest.raises(NotFound):
        service.reteach_plan(demo_session, actor=CLI, school_code="NOPE", class_name="x")
    number = _a_student(demo_session, *_grade8_class(demo_session))
    with pytest.raises(Invalid):
        service.student_practice(
            demo_session, actor=CLI, student_number=number, success_band=(0.9, 0.1)
        )


def test_a_student_account_sees_its_own_set_but_no_class_plan(demo_session: Session) -> None:
    school_code, class_name = _grade8_class(demo_session)
    number = _a_student(demo_session, school_code, class_name)
    student = demo_session.scalars(select(Student).where(Student.student_number == number)).one()
    actor = UserAccount(
        username="s",
        role=Role.STUDENT,
        district_id=student.district_id,
        student_id=student.id,
        is_active=True,
    )
    own = service.student_practice(demo_session, student_number=number, as_of=AS_OF, actor=actor)
    assert own.student_id == student.id
    with pytest.raises(Forbidden):
        service.reteach_plan(
            demo_session, school_code=school_code, class_name=class_name, actor=actor
        )


def test_cli_prints_the_set_the_class_and_the_plan(demo_settings: Settings, backend: str) -> None:
    if backend == "postgresql":
        # the commands only print what the services above return on both backends; each
        # fits the model as of a date again (CI time: 50 s)
        pytest.skip("the command's output does not depend on the backend")
    runner = CliRunner()
    from yincai.db import make_engine

    engine = make_engine(demo_settings)
    with Session(engine) as session:
        school_code, class_name = _grade8_class(session)
        number = _a_student(session, school_code, class_name)
    engine.dispose()
    day = AS_OF.isoformat()
    one = runner.invoke(
        practice_cli.app, ["student", number, "-n", "5", "--as-of", day], obj=demo_settings
    )
    assert one.exit_code == 0, one.output
    assert "答案 / answer key" in one.output and "预计答对率" in one.output
    many = runner.invoke(
        practice_cli.app,
        ["class", "--school", school_code, "--class", class_name, "--as-of", day],
        obj=demo_settings,
    )
    assert many.exit_code == 0, many.output
    assert number in many.output
    plan = runner.invoke(
        practice_cli.app,
        ["reteach", "--school", school_code, "--class", class_name, "--as-of", day],
        obj=demo_settings,
    )
    assert plan.exit_code == 0, plan.output
    assert "诊断题" in plan.output
    missing = runner.invoke(practice_cli.app, ["student", "NOPE"], obj=demo_settings)
    assert missing.exit_code == 1 and "NOPE" in missing.output
