"""The 错题本's order and pages: grouped by point in curriculum order, newest first within."""

from __future__ import annotations

from datetime import date

from yincai.analysis.mistake_book import BookEntry, order, page_of


def _entry(kp_id: int | None, day: int, label: str = "1", score: float = 1.0) -> BookEntry:
    return BookEntry(
        answer_id=f"s{day}{label}",
        assessment_id=day,
        assessment_name=f"exam {day}",
        assessment_kind="exam",
        held_on=date(2026, 10, day),
        subject_code="MATH",
        label=label,
        item_id=None,
        item_code=None,
        stem=None,
        score=score,
        full_score=4.0,
        answer_given=None,
        correct_answer=None,
        kp_id=kp_id,
        kp_name=None if kp_id is None else f"kp {kp_id}",
        other_kp_names=[],
    )


def test_entries_are_grouped_by_point_in_curriculum_order_newest_first() -> None:
    entries = [_entry(7, 1), _entry(None, 5), _entry(3, 2), _entry(7, 9), _entry(3, 8)]
    ordered = order(entries, {3: 1, 7: 0})  # point 7 comes first in the curriculum
    assert [(e.kp_id, e.held_on.day) for e in ordered] == [
        (7, 9),
        (7, 1),
        (3, 8),
        (3, 2),
        (None, 5),
    ]
    assert ordered[0].is_partial and not _entry(1, 1, score=0.0).is_partial


def test_pages_split_and_clamp() -> None:
    entries = [_entry(1, day) for day in range(1, 26)]
    first, page, n_pages = page_of(entries, 1, 10)
    assert (len(first), page, n_pages) == (10, 1, 3)
    last, page, _n = page_of(entries, 99, 10)
    assert (len(last), page) == (5, 3)
    assert page_of([], 0, 10) == ([], 1, 1)
