"""The growth archive's service on the demo district, on every backend: a teacher of the class
adds a record (its recorder a role, audited with the student), bad input is refused before
anything is written, other classes and the admins are refused; the records page 50 at a time,
newest first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors, audit_rows_since, last_audit_id
from yincai.domain.models import Dimension, GrowthRecord
from yincai.errors import Forbidden, Invalid
from yincai.growth import service

TODAY = date(2027, 1, 31)  # after the demo semester's last record


def _count(session: Session, student_id: int) -> int:
    query = select(func.count()).where(GrowthRecord.student_id == student_id)
    return int(session.scalar(query) or 0)


def test_a_teacher_of_the_class_adds_a_record_and_bad_input_writes_nothing(
    scoped_session: Session, actors: DemoActors
) -> None:
    session, student = scoped_session, actors.student_id
    before = _count(session, student)
    good = {"dimension": "arts", "recorded_on": "2027-01-20", "evidence": " 书法作品获区一等奖 "}
    for change, code in (
        ({"evidence": ""}, "growth.empty_evidence"),
        ({"evidence": "好" * (service.MAX_EVIDENCE_CHARS + 1)}, "growth.long_evidence"),
        ({"recorded_on": (TODAY + timedelta(days=1)).isoformat()}, "growth.future_date"),
        ({"recorded_on": "20261120"[:7]}, "growth.bad_date"),
        ({"dimension": "sport"}, "growth.bad_dimension"),
    ):
        with pytest.raises(Invalid) as refused:
            service.add_record(
                session, actor=actors.teacher, student_id=student, today=TODAY, **{**good, **change}
            )
        assert refused.value.code == code
    session.flush()
    assert _count(session, student) == before
    with pytest.raises(Forbidden):  # a student of a class the teacher does not teach
        service.add_record(
            session, actor=actors.teacher, student_id=actors.other_student_id, today=TODAY, **good
        )
    with pytest.raises(Forbidden):  # the district admin reads but does not write
        service.add_record(session, actor=actors.admin, student_id=student, today=TODAY, **good)
    mark = last_audit_id(session)
    record = service.add_record(
        session, actor=actors.teacher, student_id=student, today=TODAY, **good
    )
    assert _count(session, student) == before + 1
    stored = session.get(GrowthRecord, record.id)
    assert stored is not None and stored.evidence == "书法作品获区一等奖"
    assert stored.dimension is Dimension.ARTS and stored.recorded_on == date(2027, 1, 20)
    assert stored.recorded_by == "班主任" or stored.recorded_by.endswith("教师")
    (audit,) = audit_rows_since(session, mark)
    assert (audit.action, audit.object_type, audit.object_id) == (
        "growth_record_add",
        "student",
        str(student),
    )
    archive = service.growth_archive(session, actor=actors.admin, student_id=student)
    assert archive.records[0].id == record.id and not archive.can_add
    assert (
        archive.counts[Dimension.ARTS]
        == sum(r.dimension is Dimension.ARTS for r in archive.records)
        or archive.n_records > service.RECORDS_PER_PAGE
    )


def test_records_are_paged_fifty_at_a_time_newest_first(
    backend: str, scoped_session: Session, actors: DemoActors
) -> None:
    if backend != "sqlite":
        pytest.skip("reads only: the write test runs on both backends")
    session, student = scoped_session, actors.student_id
    start = date(2026, 9, 1)
    session.add_all(
        GrowthRecord(
            student_id=student,
            dimension=Dimension.LABOUR,
            evidence=f"值日第 {k} 次",
            recorded_on=start + timedelta(days=k),
            recorded_by="班主任",
        )
        for k in range(60)
    )
    session.flush()
    total = _count(session, student)
    first = service.growth_archive(session, actor=actors.teacher, student_id=student)
    second = service.growth_archive(session, actor=actors.teacher, student_id=student, page=2)
    beyond = service.growth_archive(session, actor=actors.teacher, student_id=student, page=99)
    assert first.n_records == total > 60 and len(first.records) == 50
    assert len(second.records) == total - 50 and beyond.page == 2
    days = [r.recorded_on for r in first.records + second.records]
    assert days == sorted(days, reverse=True)
    assert {r.id for r in first.records}.isdisjoint(r.id for r in second.records)
    assert first.counts[Dimension.LABOUR] >= 60 and first.can_add
    assert sum(first.counts.values()) == total and first.counts[Dimension.ACADEMIC] == 0
