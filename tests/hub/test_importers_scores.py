from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hub.builders import counts, seed_exam, write_csv, write_xlsx
from yincai.domain.models import AssessmentItem, Score, Sitting, Student
from yincai.errors import Invalid, NotFound, RowError
from yincai.hub import service as hub_service

HEADER = ["学号", "姓名", "班级", "总分", "1", "2", "13(1)"]
GOOD = [
    ["2025001", "张三", "七年级1班", "17", "5", "4", "8"],
    ["2025002", "李四", "七年级1班", "9.5", "2.5", "0", "7"],
    ["2025003", "王五", "七年级2班", "缺考", "", "", ""],
]


def _stored(session: Session) -> dict[tuple[str, str], float]:
    rows = session.execute(
        select(Student.student_number, AssessmentItem.label, Score.score)
        .join(Student, Student.id == Score.student_id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
    )
    return {(number, label): score for number, label, score in rows}


def test_score_sheet_stores_item_scores_totals_and_absentees(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    path = write_csv(tmp_path / "e1.csv", HEADER, GOOD)
    summary = hub_service.import_scores(session, path=path, assessment_code="E1")
    assert summary.counts["score"].new == 6
    assert summary.counts["sitting"].new == 3
    assert _stored(session) == {
        ("2025001", "1"): 5, ("2025001", "2"): 4, ("2025001", "13(1)"): 8,
        ("2025002", "1"): 2.5, ("2025002", "2"): 0, ("2025002", "13(1)"): 7,
    }  # fmt: skip
    sittings = session.execute(
        select(Student.student_number, Sitting.is_absent, Sitting.total_score)
        .join(Student, Student.id == Sitting.student_id)
        .order_by(Student.student_number)
    ).all()
    assert [tuple(s) for s in sittings] == [
        ("2025001", False, 17), ("2025002", False, 9.5), ("2025003", True, None),
    ]  # fmt: skip


def test_xlsx_with_loose_item_headers_and_status_column(session: Session, tmp_path: Path) -> None:
    seed_exam(session, tmp_path)
    header = ["学号", "考试状态", "第1题", "T2", "13（1）", "班级排名"]
    rows: list[list[object]] = [["2025001", "正常", 5, 4, 8, 1], ["2025003", "缺考", None, None,
                                                                   None, None]]  # fmt: skip
    path = write_xlsx(tmp_path / "e1.xlsx", {"成绩": (header, rows)})
    summary = hub_service.import_scores(session, path=path, assessment_code="E1")
    assert (summary.counts["score"].new, summary.counts["sitting"].new) == (3, 2)
    assert _stored(session)[("2025001", "13(1)")] == 8


def test_reimport_is_recognised_and_a_corrected_file_updates_only_what_changed(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    path = write_csv(tmp_path / "e1.csv", HEADER, GOOD)
    hub_service.import_scores(session, path=path, assessment_code="E1")
    before, stored = counts(session), _stored(session)
    assert hub_service.import_scores(session, path=path, assessment_code="E1").is_unchanged
    assert (counts(session), _stored(session)) == (before, stored)
    corrected = [list(row) for row in GOOD]
    corrected[1][3:5] = ["10", "3"]
    path = write_csv(tmp_path / "e1-fixed.csv", HEADER, corrected)
    summary = hub_service.import_scores(session, path=path, assessment_code="E1")
    score = summary.counts["score"]
    assert (score.new, score.updated, score.unchanged) == (0, 1, 5)
    assert _stored(session)[("2025002", "1")] == 3
    assert counts(session)["score"] == before["score"]


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (2, "2", "6", "超过该题满分（满分 5）"),
        (3, "13(1)", "-1", "得分为负"),
        (2, "1", "五", "不是数字"),
        (3, "2", "", "得分为空（缺考请填“缺考”）"),
        (2, "总分", "18", "总分 18 与小题得分之和 17 不符"),
        (2, "学号", "2099999", "学号“2099999”不在名单中"),
        (3, "学号", "2025001", "学号与第 2 行重复"),
        (3, "姓名", "李斯", "姓名与学号不符（名单为“李四”）"),
        (2, "学号", "2025004", "该生所在班级未参加本次考试"),
    ],
)
def test_bad_score_cell_is_reported_and_nothing_is_written(
    session: Session, tmp_path: Path, row: int, column: str, value: str, reason: str
) -> None:
    seed_exam(session, tmp_path)
    rows = [list(r) for r in GOOD]
    rows[row - 2][HEADER.index(column)] = value
    if value == "2025004":
        rows[0][1] = "赵六"
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_scores(session, path=path, assessment_code="E1")
    assert raised.value.details == [RowError("bad.csv", row, column, reason)]
    assert counts(session) == before


def test_unknown_and_missing_item_columns_are_header_errors(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    header = ["学号", "1", "2", "14"]
    path = write_csv(tmp_path / "cols.csv", header, [["2025001", "1", "2", "3"]])
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_scores(session, path=path, assessment_code="E1")
    assert raised.value.details == [
        RowError("cols.csv", 1, "14", "不是本次考试的小题（1、2、13(1)）"),
        RowError("cols.csv", 1, "13(1)", "缺少该小题的列"),
    ]
    assert counts(session) == before


def test_unknown_assessment_is_not_found(session: Session, tmp_path: Path) -> None:
    seed_exam(session, tmp_path)
    path = write_csv(tmp_path / "e1.csv", HEADER, GOOD)
    with pytest.raises(NotFound):
        hub_service.import_scores(session, path=path, assessment_code="NOPE")


def test_assessment_without_classes_records_the_classes_that_sat(
    session: Session, tmp_path: Path
) -> None:
    assessment = seed_exam(session, tmp_path, classes=False)
    path = write_csv(tmp_path / "e1.csv", HEADER, GOOD)
    hub_service.import_scores(session, path=path, assessment_code="E1")
    from yincai.domain.models import AssessmentClass

    stored = session.scalars(
        select(AssessmentClass.school_class_id).where(
            AssessmentClass.assessment_id == assessment.id
        )
    ).all()
    assert len(stored) == 2
