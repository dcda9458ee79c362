"""Exams kept between requests: served again while the data stands, rebuilt after an import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.hub.builders import seed_exam, write_csv
from yincai.accounts.actors import CLI
from yincai.analysis import service
from yincai.analysis.cache import ExamCache, PreparedExam
from yincai.domain.models import Assessment
from yincai.hub import service as hub_service

HEADER = ["学号", "姓名", "班级", "总分", "1", "2", "13(1)"]
FIRST = [
    ["2025001", "张三", "七年级1班", "17", "5", "4", "8"],
    ["2025002", "李四", "七年级1班", "9", "2", "0", "7"],
]
CORRECTED = [  # 李四's item 2 was marked wrongly: 9 → 13
    ["2025001", "张三", "七年级1班", "17", "5", "4", "8"],
    ["2025002", "李四", "七年级1班", "13", "2", "4", "7"],
]


def _imported(session: Session, tmp_path: Path, rows: list[list[str]], name: str) -> None:
    path = write_csv(tmp_path / name, HEADER, rows)
    hub_service.import_scores(session, path=path, assessment_code="E1")


def test_a_cached_report_equals_a_fresh_one_until_an_import_changes_the_scores(
    session: Session, tmp_path: Path
) -> None:
    seed_exam(session, tmp_path)
    _imported(session, tmp_path, FIRST, "first.csv")
    cache = ExamCache()
    cached = service.exam_report(
        session, actor=CLI, surface="cli", assessment_code="E1", cache=cache
    )
    assert cached == service.exam_report(session, actor=CLI, surface="cli", assessment_code="E1")
    assert (
        service.exam_report(session, actor=CLI, surface="cli", assessment_code="E1", cache=cache)
        is cached
    )
    assert (cache.hits, cache.misses) == (1, 1)

    _imported(session, tmp_path, CORRECTED, "corrected.csv")
    after = service.exam_report(
        session, actor=CLI, surface="cli", assessment_code="E1", cache=cache
    )
    assert after is not cached
    assert after.summary.mean == pytest.approx((17 + 13) / 2)
    assert cached.summary.mean == pytest.approx((17 + 9) / 2)
    assert len(cache) == 1  # the stale entry of the exam is dropped


def test_the_least_recently_used_exam_leaves_a_full_cache(session: Session) -> None:
    built: list[int] = []

    def prepare(_session: Session, assessment: Assessment) -> PreparedExam:
        built.append(assessment.id)
        return object()  # type: ignore[return-value]  # the cache never looks inside

    cache = ExamCache(capacity=2)
    exams = [Assessment(id=k) for k in (1, 2, 3)]
    for exam in [exams[0], exams[1], exams[0], exams[2], exams[0], exams[1]]:
        cache.get(session, exam, prepare)
    assert built == [1, 2, 3, 2]  # 2 was the least recently used when 3 came in
    assert len(cache) == 2


def test_capacity_must_hold_an_exam() -> None:
    with pytest.raises(ValueError, match="capacity"):
        ExamCache(capacity=0)
