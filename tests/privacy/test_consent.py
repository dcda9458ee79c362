"""Guardian consent for students under 14: diagnosis and practice use no data without it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.web.clients import logged_in
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role, UserAccount
from yincai.app import create_app
from yincai.config import Settings
from yincai.consent.models import ConsentPurpose
from yincai.consent.service import may_be_under_age
from yincai.db import make_engine
from yincai.demo.build import DEMO_PASSWORD
from yincai.diagnosis import cli as diagnosis_cli
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import (
    Assessment,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    TeachingAssignment,
)
from yincai.practice import service as practice_service
from yincai.practice.booklet_adapter import practice_booklet_pdf
from yincai.privacy import service as privacy_service

DIAGNOSIS = ConsentPurpose.DIAGNOSIS


@pytest.fixture(scope="module")
def demo_engine(demo_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(demo_settings)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_session(demo_engine: Engine) -> Iterator[Session]:
    """A session on the shared demo district; whatever a test changes is rolled back."""
    with Session(demo_engine) as session:
        yield session
        session.rollback()


def _today() -> date:
    return datetime.now(UTC).date()


def _without_consent(session: Session) -> list[int]:
    """The demo's planted students: scored, possibly under 14, no consent."""
    scored = list(
        session.scalars(select(Sitting.student_id).distinct().order_by(Sitting.student_id))
    )
    return sorted(
        privacy_service.students_without_consent(session, scored, DIAGNOSIS, today=_today())
    )


def _teachers_first_class(session: Session) -> SchoolClass:
    teacher = session.scalar(select(UserAccount).where(UserAccount.role == Role.TEACHER))
    assert teacher is not None
    school_class = session.scalar(
        select(SchoolClass)
        .join(TeachingAssignment, TeachingAssignment.school_class_id == SchoolClass.id)
        .where(TeachingAssignment.teacher_id == teacher.teacher_id)
        .order_by(SchoolClass.id)
    )
    assert school_class is not None
    return school_class


@pytest.mark.parametrize(
    ("birth_year", "today", "expected"),
    [
        (2012, date(2026, 12, 31), True),  # may turn 14 only on 31 December
        (2012, date(2027, 1, 1), False),
        (2011, date(2026, 1, 1), False),
        (None, date(2026, 6, 1), True),  # unknown: treated as under 14
    ],
)
def test_a_student_may_be_under_14_until_the_year_after_turning_14(
    birth_year: int | None, today: date, expected: bool
) -> None:
    assert may_be_under_age(birth_year, today) is expected


def test_the_demo_has_planted_students_without_consent_and_the_rest_consented(
    demo_session: Session,
) -> None:
    planted = _without_consent(demo_session)
    assert 2 <= len(planted) <= 3
    n_scored = demo_session.scalar(select(func.count(func.distinct(Sitting.student_id))))
    assert n_scored is not None and n_scored > 100 * len(planted)


def test_diagnosis_refuses_a_student_without_consent_and_says_what_to_do(
    demo_session: Session,
) -> None:
    student_id = _without_consent(demo_session)[0]
    with pytest.raises(privacy_service.ConsentRequired, match=r"监护人尚未同意.*纸质同意书"):
        diagnosis_service.student_mastery(demo_session, actor=CLI, student_id=student_id)
    privacy_service.give_consent(demo_session, actor=CLI, student_id=student_id, purpose=DIAGNOSIS)
    rows = diagnosis_service.student_mastery(demo_session, actor=CLI, student_id=student_id)
    assert sum(row.n_evidence for row in rows) > 0


def test_after_withdrawal_the_students_data_is_no_longer_used(demo_session: Session) -> None:
    school_class = _teachers_first_class(demo_session)
    before = diagnosis_service.class_mastery(
        demo_session, actor=CLI, school_class_id=school_class.id
    )
    consented = next(
        s for row, s in enumerate(before.student_ids)
        if s not in before.without_consent and before.n_evidence[row].sum() > 0
    )  # fmt: skip
    assert privacy_service.withdraw_consent(
        demo_session, actor=CLI, student_id=consented, purpose=DIAGNOSIS
    ) == 1  # fmt: skip
    after = diagnosis_service.class_mastery(
        demo_session, actor=CLI, school_class_id=school_class.id
    )
    row = after.student_ids.index(consented)
    assert consented in after.without_consent
    assert after.n_evidence[row].sum() == 0  # the prior: none of the student's responses read
    n_scores = demo_session.scalar(select(func.count()).where(Score.student_id == consented))
    assert n_scores is not None and n_scores > 0
    with pytest.raises(privacy_service.ConsentRequired):
        diagnosis_service.student_mastery(demo_session, actor=CLI, student_id=consented)


def test_practice_leaves_out_students_without_consent_and_says_why(demo_session: Session) -> None:
    school_class = _teachers_first_class(demo_session)
    school_code = demo_session.scalar(
        select(School.code).where(School.id == school_class.school_id)
    )
    assert school_code is not None
    planted = set(_without_consent(demo_session))
    in_class = set(demo_session.scalars(select(Student.id).where(
        Student.school_class_id == school_class.id)))  # fmt: skip
    assert len(planted & in_class) == 2
    sets = practice_service.class_practice(
        demo_session, actor=CLI, school_code=school_code, class_name=school_class.name
    )
    blocked = [s for s in sets if s.student_id in planted]
    assert len(blocked) == 2 and all(not s.items and "监护人" in s.summary for s in blocked)
    assert all(s.items for s in sets if s.student_id not in planted)
    plan = practice_service.reteach_plan(
        demo_session, actor=CLI, school_code=school_code, class_name=school_class.name
    )
    assert (plan.n_without_consent, plan.n_students) == (2, len(in_class) - 2)
    number = demo_session.scalar(select(Student.student_number).where(Student.id.in_(planted)))
    assert number is not None
    with pytest.raises(privacy_service.ConsentRequired):
        practice_service.student_practice(demo_session, actor=CLI, student_number=number)


def test_the_student_report_page_says_why_mastery_is_missing(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with Session(engine) as session:
        school_class = _teachers_first_class(session)
        planted = set(_without_consent(session))
        student_id, assessment_id = session.execute(
            select(Sitting.student_id, Sitting.assessment_id)
            .join(Student, Student.id == Sitting.student_id)
            .where(Student.school_class_id == school_class.id, Sitting.student_id.in_(planted))
            .where(Sitting.is_absent.is_(False))
            .limit(1)
        ).one()
        teacher = session.scalar(select(UserAccount.username).where(
            UserAccount.role == Role.TEACHER))  # fmt: skip
    engine.dispose()
    assert teacher is not None
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, teacher, DEMO_PASSWORD)
        page = client.get(f"/students/{student_id}/assessments/{assessment_id}")
    assert page.status_code == 200
    assert "监护人尚未同意" in page.text and "/privacy" in page.text


def test_the_exam_diagnosis_command_leaves_students_without_consent_out(
    demo_settings: Settings, demo_session: Session
) -> None:
    planted = _without_consent(demo_session)
    code = demo_session.scalar(
        select(Assessment.code)
        .join(Sitting, Sitting.assessment_id == Assessment.id)
        .where(Sitting.student_id.in_(planted), Sitting.is_absent.is_(False))
        .order_by(Assessment.held_on)
    )
    assert code is not None
    result = CliRunner().invoke(diagnosis_cli.app, ["assessment", code], obj=demo_settings)
    assert result.exit_code == 0, result.output
    assert "未获监护人同意，未计入" in result.output


def test_a_class_booklet_page_says_why_a_student_has_no_practice(demo_session: Session) -> None:
    school_class = _teachers_first_class(demo_session)
    school_code = demo_session.scalar(
        select(School.code).where(School.id == school_class.school_id)
    )
    assert school_code is not None
    planted = set(_without_consent(demo_session))
    sets = practice_service.class_practice(
        demo_session, actor=CLI, school_code=school_code, class_name=school_class.name
    )
    chosen = [next(s for s in sets if s.student_id in planted)]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        practice_booklet_pdf(chosen))).pages)  # fmt: skip
    assert "监护人尚未同意" in text.replace("\n", "")
