"""Practice sets → booklet pages: the one place that knows both shapes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from yincai.practice.plans import PracticeSet
from yincai.reports.booklet_pdf import BookletItem, BookletStudent, booklet_pdf


def booklet_student(practice: PracticeSet) -> BookletStudent:
    return BookletStudent(
        name=practice.student_name,
        student_number=practice.student_number,
        class_name=practice.class_name,
        items=tuple(
            BookletItem(
                label=str(item.position),
                item_type=item.item_type,
                stem=item.stem,
                answer=item.answer,
                full_score=item.full_score,
                options=tuple(item.options),
                reason=item.student_reason,
            )
            for item in practice.items
        ),
        note="" if practice.items else practice.summary,
    )


def practice_booklet_pdf(
    sets: Sequence[PracticeSet], *, on_progress: Callable[[int], None] | None = None
) -> bytes:
    """One PDF for a class: a booklet per student, the answer key at the end; ``on_progress``
    hears how many students' booklets are laid out."""
    if not sets:
        raise ValueError("a booklet needs at least one practice set")
    first = sets[0]
    return booklet_pdf(
        [booklet_student(s) for s in sets],
        class_name=first.class_name,
        school_name=first.school_name,
        on_progress=on_progress,
    )
