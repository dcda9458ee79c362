"""One mastery everywhere: the diagnosis, the teacher's and the family's report, their PDFs and the
practice set show the same level for the same student and point, always inside its interval."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.analysis import service as analysis_service
from yincai.analysis.student_pdf import student_report_pdf
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import Assessment, Sitting, Student, Subject
from yincai.practice import service as practice_service
from yincai.privacy import service as privacy_service


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_every_shown_level_lies_inside_its_interval_for_every_demo_student(
    demo_session: Session,
) -> None:
    student_ids = list(demo_session.scalars(select(Student.id).order_by(Student.id)))
    table = diagnosis_service.students_mastery(demo_session, actor=CLI, student_ids=student_ids)
    low, high = levels.interval(table.logit_mean, table.logit_sd)
    assert table.mastery.shape == (len(student_ids), len(table.kp_ids))
    assert np.all((low <= table.mastery) & (table.mastery <= high))
    assert np.all(high - low > 0)  # an interval, not a point


def test_report_pdf_practice_and_diagnosis_agree_for_one_student(demo_session: Session) -> None:
    cleared = privacy_service.cleared_student_ids(
        privacy_service.ConsentPurpose.DIAGNOSIS, today=datetime.now(UTC).date()
    )
    number, code = demo_session.execute(
        select(Student.student_number, Assessment.code)
        .join(Sitting, Sitting.student_id == Student.id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(Sitting.is_absent.is_(False), Student.id.in_(cleared), Subject.code == "MATH")
        .order_by(Assessment.held_on.desc(), Student.id)
    ).first()  # type: ignore[misc]
    student_id = demo_session.scalar(select(Student.id).where(Student.student_number == number))
    assert student_id is not None
    diagnosed = {
        r.kp_code: r
        for r in diagnosis_service.student_mastery(demo_session, actor=CLI, student_id=student_id)
    }
    teacher = analysis_service.student_report(
        demo_session,
        actor=CLI,
        surface="cli",
        student_number=number,
        assessment_code=code,
        audience="teacher",
    )
    family = analysis_service.student_report(
        demo_session,
        actor=CLI,
        surface="cli",
        student_number=number,
        assessment_code=code,
        audience="family",
    )
    practice = practice_service.student_practice(demo_session, actor=CLI, student_number=number)

    assert teacher.mastery and family.mastery
    for entry in (*teacher.mastery, *family.mastery):
        shown = diagnosed[entry.code]
        assert entry.mastery == pytest.approx(shown.mastery)
        assert (entry.level_low, entry.level_high) == pytest.approx(
            (shown.level_low, shown.level_high)
        )
        assert entry.band_word == shown.band_word
        assert entry.level_low <= entry.mastery <= entry.level_high
    for target in practice.targets:
        shown = diagnosed[target.kp_code]
        assert target.level == pytest.approx(shown.mastery, abs=1e-9)
        assert target.band_word == levels.band_word(target.level, n_evidence=target.n_evidence)
        assert target.level_low <= target.level <= target.level_high

    teacher_pdf = _pdf_text(student_report_pdf(teacher))
    family_pdf = _pdf_text(student_report_pdf(family))
    first = teacher.mastery[0]
    assert f"{100 * first.mastery:.0f}%" in teacher_pdf and first.band_word in teacher_pdf
    assert first.band_word in family_pdf
    assert "可信区间" in teacher_pdf and "可信区间" not in family_pdf  # a family reads words
