"""The 错题本 across exams: every item a student scored below its full marks on, in any assessment
of the semester (exams, quizzes, homework papers with item scores) and in homework attempts
logged as learning events on bank items, grouped by knowledge point.

An entry belongs to its item's main point (the tag of the largest weight, then the lowest id);
within a point the newest come first. The book is paged (``PAGE_SIZE`` entries a page) and each
entry carries up to three similar bank items (``analysis.similar``) to try next.

Pure: ``analysis.learner`` reads the scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PAGE_SIZE = 20
MAX_PDF_ENTRIES = 30  # a printed book stays a few pages: made in the request, not by the queue


@dataclass(frozen=True)
class SimilarItem:
    """A bank item to try next, with what the page shows of it."""

    item_id: int
    code: str
    stem: str
    answer: str


@dataclass(frozen=True)
class BookEntry:
    """One wrong or partly wrong answer: an item score of an assessment (``assessment_id``,
    ``label``) or a logged attempt (``assessment_id`` None, ``assessment_kind`` its source)."""

    answer_id: str  # unique: "s<score id>" or "e<learning event id>"
    assessment_id: int | None
    assessment_name: str
    assessment_kind: str
    held_on: date
    subject_code: str
    label: str
    item_id: int | None
    item_code: str | None
    stem: str | None
    score: float
    full_score: float
    answer_given: str | None
    correct_answer: str | None
    kp_id: int | None  # the main point (None: untagged)
    kp_name: str | None
    other_kp_names: list[str]
    similar: list[SimilarItem] = field(default_factory=list)

    @property
    def is_partial(self) -> bool:
        return 0 < self.score < self.full_score


@dataclass(frozen=True)
class KpOption:
    """A knowledge point the filter offers, with the student's entries on it."""

    kp_id: int
    name: str
    n_entries: int


@dataclass(frozen=True)
class SubjectOption:
    code: str
    name: str
    n_entries: int


@dataclass(frozen=True)
class MistakeBook:
    """One page of the student's 错题本 under a filter."""

    student_id: int
    student_number: str
    name: str
    class_name: str
    subject_code: str | None
    kp_id: int | None
    subjects: list[SubjectOption]
    kps: list[KpOption]
    entries: list[BookEntry]
    n_entries: int  # under the filter, all pages
    page: int
    n_pages: int


def order(entries: list[BookEntry], kp_positions: dict[int, int]) -> list[BookEntry]:
    """Entries grouped by main point in curriculum order (untagged last), newest first within."""
    newest_first = sorted(entries, key=lambda e: (e.held_on, e.answer_id), reverse=True)
    return sorted(
        newest_first,
        key=lambda e: (e.kp_id is None, kp_positions.get(e.kp_id or -1, 0), e.kp_id or 0),
    )


def page_of(
    entries: list[BookEntry], page: int, size: int = PAGE_SIZE
) -> tuple[list[BookEntry], int, int]:
    """The entries of ``page`` (1-based, clamped to the pages there are), that page and the
    number of pages."""
    n_pages = max(1, -(-len(entries) // size))
    page = min(max(page, 1), n_pages)
    return entries[(page - 1) * size : page * size], page, n_pages
