from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hub.builders import counts, seed_exam, seed_roster, write_csv, write_json
from yincai.domain.models import Assessment, AssessmentKind, Item, LearningEvent, Student
from yincai.errors import Invalid, RowError
from yincai.hub import service as hub_service

HEADER = ["学号", "题目", "正确", "时间"]
ROWS = [
    ["2025001", "I001", "对", "2025-10-08T08:30:00"],
    ["2025001", "I002", "0", "2025-10-08T08:31:00+08:00"],
    ["2025002", "I001", "true", "2025-10-08T00:32:00Z"],
]


def _events(session: Session) -> list[tuple[str, str, bool | None, float | None, datetime]]:
    rows = session.execute(
        select(
            Student.student_number, LearningEvent.activity, LearningEvent.is_correct,
            LearningEvent.score, LearningEvent.occurred_at,
        )
        .join(Student, Student.id == LearningEvent.student_id)
        .order_by(LearningEvent.occurred_at, Student.student_number)
    )  # fmt: skip
    return [
        (number, activity, is_correct, score, moment.replace(tzinfo=None))
        for number, activity, is_correct, score, moment in rows
    ]


def _naive_utc(*parts: int) -> datetime:
    """A UTC time without its zone, as both databases can be compared in."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)  # type: ignore[misc]


def _utc(hour: int, minute: int) -> datetime:
    return _naive_utc(2025, 10, 8, hour, minute)


def test_csv_log_with_beijing_and_zoned_times(session: Session, tmp_path: Path) -> None:
    seed_roster(session, tmp_path)
    session.add(Item(code="I001", subject_id=_math(session), item_type="single_choice",
                     stem="x", options=["1", "2"], answer="A", full_score=1))  # fmt: skip
    session.flush()
    path = write_csv(tmp_path / "log.csv", HEADER, ROWS)
    summary = hub_service.import_logs(session, path=path)
    assert summary.counts["learning_event"].new == 3
    assert _events(session) == [
        ("2025001", "I001", True, 1.0, _utc(0, 30)),
        ("2025001", "I002", False, 0.0, _utc(0, 31)),
        ("2025002", "I001", True, 1.0, _utc(0, 32)),
    ]
    item_ids = session.scalars(select(LearningEvent.item_id).order_by(LearningEvent.id)).all()
    assert item_ids[0] is not None and item_ids[1] is None
    before = counts(session)
    assert hub_service.import_logs(session, path=path).is_unchanged
    copy = write_csv(tmp_path / "copy.csv", HEADER, [*ROWS, [*ROWS[0][:3], "2025-10-08 09:00"]])
    again = hub_service.import_logs(session, path=copy)
    assert (again.counts["learning_event"].new, again.counts["learning_event"].unchanged) == (1, 3)
    assert counts(session)["learning_event"] == before["learning_event"] + 1


def _math(session: Session) -> int:
    from yincai.domain.models import Subject

    subject = Subject(code="math", name="数学")
    session.add(subject)
    session.flush()
    return subject.id


def test_xapi_statements_in_a_wrapper_with_scores_and_mbox(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    verb = "http://adlnet.gov/expapi/verbs/answered"
    statements = [
        {"actor": {"account": {"name": "2025001"}}, "verb": {"id": verb},
         "object": {"id": "https://school.example/items/I005"},
         "result": {"score": {"raw": 3, "max": 4}}, "timestamp": "2025-10-08T10:00:00+08:00"},
        {"actor": {"mbox": "mailto:2025002@school.example"}, "verb": {"id": verb},
         "object": {"id": "https://school.example/items/I005"}, "result": {"success": False},
         "timestamp": "2025-10-08T02:01:00Z"},
        {"actor": {"mbox": "mailto:2025002@school.example"},
         "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
         "object": {"id": "https://school.example/items/I005"},
         "timestamp": "2025-10-08T02:00:00Z"},
    ]  # fmt: skip
    path = write_json(tmp_path / "xapi.json", {"statements": statements})
    summary = hub_service.import_logs(session, path=path, format="xapi", source="app")
    assert (summary.n_rows, summary.counts["learning_event"].new) == (2, 2)
    assert _events(session) == [
        ("2025001", "I005", False, 0.75, _utc(2, 0)),
        ("2025002", "I005", False, 0.0, _utc(2, 1)),
    ]


def test_kt_three_line_format_maps_sequences_to_listed_students(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    path = tmp_path / "seq.txt"
    path.write_text("3\n12,7,12\n0,1,1\n2\n7,7\n1,1\n", encoding="utf-8")
    students = tmp_path / "students.txt"
    students.write_text("2025003\n2025004\n", encoding="utf-8")
    start = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    summary = hub_service.import_logs(
        session, path=path, format="kt", source="assist", students_path=students, start_at=start
    )
    assert summary.counts["learning_event"].new == 5
    events = _events(session)
    assert events[:2] == [
        ("2025003", "assist:12", False, 0.0, _naive_utc(2025, 9, 1, 8, 0)),
        ("2025004", "assist:7", True, 1.0, _naive_utc(2025, 9, 1, 8, 0)),
    ]
    assert events[-1] == ("2025003", "assist:12", True, 1.0, _naive_utc(2025, 9, 1, 8, 2))


def test_kt_lines_may_end_with_commas_and_ids_may_start_at_zero(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    path = tmp_path / "seq.txt"
    path.write_text("2,\n0,3,\n1,0,\n", encoding="utf-8")
    students = tmp_path / "students.txt"
    students.write_text("2025001\n", encoding="utf-8")
    hub_service.import_logs(
        session, path=path, format="kt", source="assist", students_path=students
    )
    assert [event[1:3] for event in _events(session)] == [("assist:0", True), ("assist:3", False)]


def test_kt_with_fewer_students_than_sequences_is_an_error(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    path = tmp_path / "seq.txt"
    path.write_text("1\n5\n1\n1\n6\n0\n", encoding="utf-8")
    students = tmp_path / "students.txt"
    students.write_text("2025001\n", encoding="utf-8")
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_logs(session, path=path, format="kt", students_path=students)
    reason = "学号名单只有 1 个，少于序列数"
    assert raised.value.details == [RowError("seq.txt", 4, "students", reason)]
    assert counts(session) == before


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        (2, "学号", "2099999", "学号“2099999”不在名单中"),
        (3, "正确", "也许", "“也许”应为 对/错 或 1/0"),
        (4, "时间", "昨天", "“昨天”不是 ISO 8601 时间"),
    ],
)
def test_bad_log_row_is_reported_and_nothing_is_written(
    session: Session, tmp_path: Path, row: int, column: str, value: str, reason: str
) -> None:
    seed_roster(session, tmp_path)
    rows = [list(r) for r in ROWS]
    rows[row - 2][HEADER.index(column)] = value
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_logs(session, path=write_csv(tmp_path / "bad.csv", HEADER, rows))
    assert raised.value.details == [RowError("bad.csv", row, column, reason)]
    assert counts(session) == before


def _homework(session: Session, tmp_path: Path) -> None:
    """The exam E1 and the homework W1, set to 七年级1班 only."""
    seed_exam(session, tmp_path)
    hub_service.create_assessment(
        session,
        code="W1",
        name="第1周作业",
        held_on=datetime(2025, 10, 6, tzinfo=UTC).date(),
        subject_code="数学",
        grade_level=7,
        items=[("1", 1)],
        kind=AssessmentKind.HOMEWORK,
        classes=[("S01", "七年级1班")],
    )


def test_a_csv_log_may_name_the_homework_each_attempt_answers(
    session: Session, tmp_path: Path
) -> None:
    _homework(session, tmp_path)
    header = [*HEADER, "作业编号"]
    rows = [[*ROWS[0], "W1"], [*ROWS[1], ""], [*ROWS[2], "W1"]]
    summary = hub_service.import_logs(session, path=write_csv(tmp_path / "hw.csv", header, rows))
    assert summary.counts["learning_event"].new == 3
    homework_id = session.scalar(select(Assessment.id).where(Assessment.code == "W1"))
    linked = session.execute(
        select(Student.student_number, LearningEvent.activity, LearningEvent.assessment_id)
        .join(Student, Student.id == LearningEvent.student_id)
        .order_by(LearningEvent.occurred_at)
    ).all()
    assert [tuple(row) for row in linked] == [
        ("2025001", "I001", homework_id),
        ("2025001", "I002", None),
        ("2025002", "I001", homework_id),
    ]
    # the same attempts without the column keep their link
    plain = hub_service.import_logs(session, path=write_csv(tmp_path / "plain.csv", HEADER, ROWS))
    assert plain.is_unchanged


def test_an_attempt_naming_unknown_foreign_or_non_homework_work_is_refused(
    session: Session, tmp_path: Path
) -> None:
    _homework(session, tmp_path)
    header = [*HEADER, "作业编号"]
    rows = [
        ["2025003", "I001", "1", "2025-10-08T08:30:00", "W1"],  # 七年级2班: not set to them
        ["2025001", "I001", "1", "2025-10-08T08:30:00", "E1"],  # an exam
        ["2025002", "I001", "1", "2025-10-08T08:30:00", "NOPE"],
    ]
    before = counts(session)
    with pytest.raises(Invalid) as refused:
        hub_service.import_logs(session, path=write_csv(tmp_path / "bad.csv", header, rows))
    errors = refused.value.details
    assert [(e.row, e.column) for e in errors] == [
        (2, "作业编号"),
        (3, "作业编号"),
        (4, "作业编号"),
    ]
    assert [str(e.reason) for e in errors] == [
        "作业“W1”没有布置给该学生的班级",
        "“E1”不是作业",
        "作业编号“NOPE”不存在",
    ]
    assert counts(session) == before


ASSISTMENTS = ["order_id", "user_id", "problem_id", "correct", "skill_id", "skill_name"]


def test_an_assistments_export_imports_by_order_with_one_event_per_problem(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    rows = [
        ["907", "2025002", "51", "1", "10", "Addition"],
        ["905", "2025001", "52", "1", "10_13", "Addition_Fractions"],
        ["900", "2025001", "51", "0", "10", "Addition"],
        ["906", "2025002", "52", "0", "10", "Addition"],
        ["906", "2025002", "52", "0", "13", "Fractions"],  # the same attempt, its second skill
    ]
    path = write_csv(tmp_path / "skill_builder_data.csv", ASSISTMENTS, rows)
    start = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    summary = hub_service.import_logs(session, path=path, source="assist", start_at=start)
    assert summary.counts["learning_event"].new == 4
    assert _events(session) == [
        ("2025001", "51", False, 0.0, _naive_utc(2025, 9, 1, 8, 0)),
        ("2025002", "52", False, 0.0, _naive_utc(2025, 9, 1, 8, 0)),
        ("2025001", "52", True, 1.0, _naive_utc(2025, 9, 1, 8, 1)),
        ("2025002", "51", True, 1.0, _naive_utc(2025, 9, 1, 8, 1)),
    ]
    before = counts(session)
    again = hub_service.import_logs(session, path=path, source="assist", start_at=start)
    assert again.is_unchanged and counts(session) == before


def test_a_pybkt_log_without_problems_is_one_event_per_skill(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    header = ["user_id", "skill_name", "correct", "order_id"]
    rows = [["2025003", "10_13", "1", "2"], ["2025003", "7", "0", "1"]]
    hub_service.import_logs(session, path=write_csv(tmp_path / "as.csv", header, rows))
    events = [
        (number, activity, is_correct) for number, activity, is_correct, *_ in _events(session)
    ]
    assert events == [("2025003", "7", False), ("2025003", "10", True), ("2025003", "13", True)]


def test_every_bad_row_of_a_long_layout_is_reported_and_nothing_is_written(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    rows = [
        ["1", "2025001", "51", "1", "10", "a"],
        ["2", "2025001", "52", "yes", "10", "a"],
        ["1", "2025001", "51", "0", "13", "b"],
        ["3", "2099999", "51", "1", "10", "a"],
    ]
    before = counts(session)
    with pytest.raises(Invalid) as raised:
        hub_service.import_logs(session, path=write_csv(tmp_path / "bad.csv", ASSISTMENTS, rows))
    assert raised.value.details == [
        RowError("bad.csv", 3, "correct", "应为 0 或 1"),
        RowError("bad.csv", 4, "correct", "与第 2 行是同一次作答，但内容不同"),
    ]
    assert counts(session) == before
    del rows[1:3]
    with pytest.raises(Invalid) as raised:
        hub_service.import_logs(session, path=write_csv(tmp_path / "bad.csv", ASSISTMENTS, rows))
    assert raised.value.details == [RowError("bad.csv", 3, "user_id", "学号“2099999”不在名单中")]
    assert counts(session) == before
