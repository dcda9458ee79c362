"""Assessment files that name a joint exam (联考代码 / 联考名称): created, joined, validated
whole-or-nothing, idempotent."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.hub.builders import seed_roster, write_xlsx
from yincai.domain.models import Assessment, JointExam
from yincai.errors import Invalid
from yincai.hub import service as hub_service
from yincai.hub.import_runs import ImportRequest
from yincai.hub.import_templates import assessment_template
from yincai.hub.schemas import ImportSummary


def _paper(
    tmp_path: Path,
    code: str,
    subject: str,
    *,
    joint_code: str | None = None,
    joint_name: str | None = None,
    grade: str = "七年级",
) -> Path:
    info: list[list[object]] = [
        ["考试代码", code],
        ["考试名称", f"七年级{subject}期中考试"],
        ["类型", "考试"],
        ["日期", "2025-11-13"],
        ["学科", subject],
        ["年级", grade],
        ["参考班级", "S01/七年级1班"],
    ]
    if joint_code is not None:
        info.append(["联考代码", joint_code])
    if joint_name is not None:
        info.append(["联考名称", joint_name])
    return write_xlsx(
        tmp_path / f"{code}-{joint_code}-{joint_name}.xlsx",
        {"考试": (["项目", "内容"], info), "小题": (["题号", "满分"], [["1", 60], ["2", 40]])},
    )


def _import(session: Session, path: Path) -> ImportSummary:
    return hub_service.run_import(session, ImportRequest("assessment", path, district_code="D1"))


def _joint_of(session: Session, code: str) -> JointExam | None:
    return session.scalars(
        select(JointExam)
        .join(Assessment, Assessment.joint_exam_id == JointExam.id)
        .where(Assessment.code == code)
    ).first()


def test_a_new_joint_exam_is_created_joined_by_another_subject_and_reimported_unchanged(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    first = _paper(tmp_path, "M7", "数学", joint_code="J7-MID", joint_name="七年级期中联考")
    summary = _import(session, first)
    assert summary.counts["joint_exam"].new == 1
    joint = _joint_of(session, "M7")
    assert joint is not None and joint.name == "七年级期中联考" and joint.grade_level == 7
    _import(session, _paper(tmp_path, "C7", "语文", joint_code="J7-MID"))
    joined = _joint_of(session, "C7")
    assert joined is not None and joined.id == joint.id
    again = _import(session, first)
    assert again.is_unchanged
    assert session.scalar(select(func.count()).select_from(JointExam)) == 1


def test_an_existing_paper_of_no_joint_exam_joins_one_on_reimport(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    _import(session, _paper(tmp_path, "E7", "英语"))
    assert _joint_of(session, "E7") is None
    summary = _import(session, _paper(tmp_path, "E7", "英语", joint_code="J", joint_name="联考"))
    assert summary.counts["assessment"].updated == 1
    joint = _joint_of(session, "E7")
    assert joint is not None and joint.code == "J"


@pytest.mark.parametrize(
    ("joint_code", "joint_name", "grade", "reason"),
    [
        ("J-NEW", None, "七年级", "须填写联考名称"),
        (None, "只有名称", "七年级", "也须填写联考代码"),
        ("J7-MID", "另一个名称", "七年级", "的名称是"),
        ("J7-MID", None, "八年级", "另一个区县或年级"),
        ("J7-MID", None, "七年级", "已有该学科的试卷"),  # a second 数学 paper
    ],
)
def test_a_bad_joint_exam_column_is_refused_and_nothing_is_written(
    session: Session,
    tmp_path: Path,
    joint_code: str | None,
    joint_name: str | None,
    grade: str,
    reason: str,
) -> None:
    seed_roster(session, tmp_path)
    _import(
        session, _paper(tmp_path, "M7", "数学", joint_code="J7-MID", joint_name="七年级期中联考")
    )
    n_assessments = session.scalar(select(func.count()).select_from(Assessment))
    bad = _paper(tmp_path, "M7B", "数学", joint_code=joint_code, joint_name=joint_name, grade=grade)
    with pytest.raises(Invalid) as refused:
        _import(session, bad)
    assert reason in str(refused.value.details)
    assert session.scalar(select(func.count()).select_from(Assessment)) == n_assessments
    assert session.scalar(select(func.count()).select_from(JointExam)) == 1


def test_the_assessment_template_offers_the_joint_exam_columns() -> None:
    sheet = load_workbook(BytesIO(assessment_template()))["考试"]
    fields = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "联考代码" in fields and "联考名称" in fields
