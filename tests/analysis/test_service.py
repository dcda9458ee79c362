from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from yincai.accounts.actors import CLI
from yincai.analysis import cli as analysis_cli
from yincai.analysis import service
from yincai.analysis.exam import ReportScope
from yincai.analysis.student import TeacherStudentReport
from yincai.analysis.xlsx import write_exam_workbook
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    Grade,
    School,
    SchoolClass,
    Sitting,
    Student,
)
from yincai.errors import NotFound

EXAM = "2026A-M8-3"  # the exam from which one grade-8 class is missing


@pytest.fixture(scope="module")
def demo_engine(demo_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(demo_settings)  # one engine: the diagnosis model is cached per engine
    yield engine
    engine.dispose()


@pytest.fixture
def demo_session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine) as session:
        yield session
        session.rollback()


def _sittings(session: Session, code: str) -> pd.DataFrame:
    rows = session.execute(
        select(
            Student.student_number,
            Student.school_class_id,
            SchoolClass.school_id,
            Sitting.is_absent,
            Sitting.total_score,
        )
        .join(Student, Student.id == Sitting.student_id)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(Assessment, Assessment.id == Sitting.assessment_id)
        .where(Assessment.code == code)
    ).all()
    return pd.DataFrame(rows, columns=["number", "class_id", "school_id", "absent", "total"])


def _missing_class(session: Session) -> int:
    grade_8 = set(
        session.scalars(
            select(SchoolClass.id)
            .join(Grade, Grade.id == SchoolClass.grade_id)
            .where(Grade.level == 8)
        )
    )
    sat = set(
        session.scalars(
            select(AssessmentClass.school_class_id)
            .join(Assessment, Assessment.id == AssessmentClass.assessment_id)
            .where(Assessment.code == EXAM)
        )
    )
    (missing,) = grade_8 - sat
    return missing


def test_participants_absentees_and_items_match_the_database(demo_session: Session) -> None:
    report = service.exam_report(demo_session, actor=CLI, surface="cli", assessment_code=EXAM)
    sittings = _sittings(demo_session, EXAM)
    present = sittings[~sittings["absent"]]
    assert report.summary.n_participants == len(present)
    assert report.summary.n_absent == int(sittings["absent"].sum()) > 0
    assert {a.student_number for a in report.absentees} == set(
        sittings.loc[sittings["absent"], "number"]
    )
    assert report.summary.mean == pytest.approx(present["total"].mean())
    assert report.summary.sd == pytest.approx(present["total"].std())
    labels = demo_session.scalars(
        select(AssessmentItem.label)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Assessment.code == EXAM)
        .order_by(AssessmentItem.position)
    ).all()
    assert report.n_items == len(report.items.items) == len(labels) > 0
    assert [item.label for item in report.items.items] == list(labels)
    assert report.score_bands[-1].cumulative == len(present)
    assert report.progress is not None and report.progress.previous_code == "2026A-M8-2"


def test_the_missing_class_is_not_counted_in_exam_3(demo_session: Session) -> None:
    missing = _missing_class(demo_session)
    report = service.exam_report(demo_session, actor=CLI, surface="cli", assessment_code=EXAM)
    sittings = _sittings(demo_session, EXAM)
    assert missing not in set(sittings["class_id"])
    assert sum(row.n_participants for row in report.classes) == report.summary.n_participants
    school_id = demo_session.scalar(select(SchoolClass.school_id).where(SchoolClass.id == missing))
    with pytest.raises(NotFound, match="未参加"):
        service.exam_report(
            demo_session,
            actor=CLI,
            surface="cli",
            assessment_code=EXAM,
            scope=ReportScope(kind="class", school_id=school_id, school_class_id=missing),
        )
    earlier = service.exam_report(
        demo_session,
        actor=CLI,
        surface="cli",
        assessment_code="2026A-M8-2",
        scope=ReportScope(kind="class", school_id=school_id, school_class_id=missing),
    )
    assert earlier.summary.n_participants > 0


def test_school_and_class_scopes_agree_with_the_district(demo_session: Session) -> None:
    sittings = _sittings(demo_session, EXAM)
    school_id = int(sittings["school_id"].iloc[0])
    code = demo_session.scalar(select(School.code).where(School.id == school_id))
    scope = service.resolve_scope(demo_session, school_code=code)
    school = service.exam_report(
        demo_session, actor=CLI, surface="cli", assessment_code=EXAM, scope=scope
    )
    mine = sittings[(sittings["school_id"] == school_id) & ~sittings["absent"]]
    assert school.summary.n_participants == len(mine)
    assert [row.n_participants for row in school.classes] == mine.groupby(
        "class_id"
    ).size().tolist()
    assert school.schools[0].mean == pytest.approx(mine["total"].mean())
    class_id = int(mine["class_id"].iloc[0])
    one = service.exam_report(
        demo_session,
        actor=CLI,
        surface="cli",
        assessment_code=EXAM,
        scope=ReportScope(kind="class", school_id=school_id, school_class_id=class_id),
    )
    in_class = mine[mine["class_id"] == class_id]
    assert one.summary.n_participants == len(in_class)
    assert one.summary.mean == pytest.approx(in_class["total"].mean())
    assert one.reference.n_participants == int((~sittings["absent"]).sum())


def test_student_reports_show_ranks_only_to_teachers(demo_session: Session) -> None:
    sittings = _sittings(demo_session, EXAM)
    number = str(sittings.loc[~sittings["absent"], "number"].iloc[0])
    family = service.student_report(
        demo_session,
        actor=CLI,
        surface="cli",
        student_number=number,
        assessment_code=EXAM,
        audience="family",
        show_ranks=True,
        include_mastery=False,
    )
    assert not hasattr(family, "ranks")
    assert family.total == pytest.approx(float(sittings.set_index("number").loc[number, "total"]))
    teacher = service.student_report(
        demo_session,
        actor=CLI,
        surface="cli",
        student_number=number,
        assessment_code=EXAM,
        audience="teacher",
        show_ranks=True,
        include_mastery=False,
    )
    assert isinstance(teacher, TeacherStudentReport) and teacher.ranks is not None
    present = sittings[~sittings["absent"]]
    assert teacher.ranks.district_rank == 1 + int((present["total"] > family.total).sum())
    with pytest.raises(NotFound):
        service.student_report(
            demo_session, actor=CLI, surface="cli", student_number="nobody", assessment_code=EXAM
        )


def test_the_family_report_carries_mastery_from_the_diagnosis_service(
    demo_session: Session,
) -> None:
    sittings = _sittings(demo_session, EXAM)
    number = str(sittings.loc[~sittings["absent"], "number"].iloc[0])
    report = service.student_report(
        demo_session, actor=CLI, surface="cli", student_number=number, assessment_code=EXAM
    )
    assert report.mastery, report.mastery_note
    assert all(0 <= entry.mastery <= 1 and entry.n_evidence > 0 for entry in report.mastery)
    assert report.weak_points is not None
    names = {entry.name for entry in report.mastery}
    assert set(report.weak_points) <= names
    assert not hasattr(report, "ranks")


def test_workbook_holds_the_five_sheets(demo_session: Session, tmp_path: Path) -> None:
    report = service.exam_report(demo_session, actor=CLI, surface="cli", assessment_code=EXAM)
    workbook = load_workbook(write_exam_workbook(report, tmp_path / "r.xlsx"))
    assert workbook.sheetnames == ["总体", "一分一段", "小题分析", "知识点", "班级对比"]
    assert workbook["一分一段"].max_row == len(report.score_bands) + 1
    assert workbook["小题分析"].max_row == report.n_items + 1
    assert workbook["总体"]["B2"].value == report.summary.n_participants
    hidden = service.exam_report(
        demo_session, actor=CLI, surface="cli", assessment_code=EXAM, show_ranks=False
    )
    assert hidden.score_bands == []
    assert (
        "一分一段" not in load_workbook(write_exam_workbook(hidden, tmp_path / "h.xlsx")).sheetnames
    )


def test_cli_prints_exam_and_student_reports(demo_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        analysis_cli.app, ["exam", EXAM, "--xlsx", str(tmp_path / "e.xlsx")], obj=demo_settings
    )
    assert result.exit_code == 0, result.output
    assert "小题分析" in result.output and (tmp_path / "e.xlsx").exists()
    assert "成绩单" in load_workbook(tmp_path / "e.xlsx").sheetnames
    missing = runner.invoke(analysis_cli.app, ["exam", "NOPE"], obj=demo_settings)
    assert missing.exit_code == 1 and "NOPE" in missing.output


def test_bench_reports_every_exam_at_every_scope(demo_settings: Settings, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the benchmark reads a data folder's SQLite database")
    from yincai.bench import reports

    (row,) = reports.run(demo_settings.data_dir)
    assert row["suite"] == "reports" and row["metrics"]["n_reports"] > 12
