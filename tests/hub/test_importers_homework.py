"""Homework set-ups through the assessment importer: the due time is read, checked and kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.hub.builders import seed_roster
from yincai.domain.models import Assessment, District
from yincai.errors import Invalid
from yincai.hub.importers.assessments import plan_assessment

HOMEWORK = {
    "code": "W1",
    "name": "第1周作业",
    "kind": "作业",
    "date": "2025-10-06",
    "subject": "数学",
    "grade": 7,
    "classes": ["S01/七年级1班"],
    "due_at": "2025-10-10T22:00",
    "items": [{"label": "1", "full_score": 1}, {"label": "2", "full_score": 1}],
}


def _write(tmp_path: Path, document: dict[str, object]) -> Path:
    path = tmp_path / "homework.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _district(session: Session) -> int:
    district_id = session.scalar(select(District.id))
    assert district_id is not None
    return district_id


def test_homework_keeps_its_due_time_in_utc_and_a_second_import_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    seed_roster(session, tmp_path)
    path = _write(tmp_path, HOMEWORK)
    plan_assessment(session, path=path, district_id=_district(session)).apply(session)
    stored = session.scalars(select(Assessment).where(Assessment.code == "W1")).one()
    due = stored.due_at
    assert due is not None
    assert (due if due.tzinfo else due.replace(tzinfo=UTC)) == datetime(
        2025, 10, 10, 14, 0, tzinfo=UTC
    )
    again = plan_assessment(session, path=path, district_id=_district(session))
    assert again.summary.counts["assessment"].unchanged == 1
    moved = _write(tmp_path, {**HOMEWORK, "due_at": "2025-10-11T22:00"})
    with pytest.raises(Invalid):
        plan_assessment(session, path=moved, district_id=_district(session))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "考试"}, "只有作业才有截止时间"),
        ({"due_at": "2025-10-05T22:00"}, "截止时间不能早于布置日期"),
        ({"due_at": "next friday"}, "“next friday”不是 ISO 8601 时间"),
    ],
)
def test_a_bad_due_time_is_refused_by_field(
    session: Session, tmp_path: Path, changes: dict[str, str], reason: str
) -> None:
    seed_roster(session, tmp_path)
    with pytest.raises(Invalid) as refused:
        plan_assessment(session, path=_write(tmp_path, {**HOMEWORK, **changes}), district_id=1)
    assert [(e.column, str(e.reason)) for e in refused.value.details] == [("截止时间", reason)]
