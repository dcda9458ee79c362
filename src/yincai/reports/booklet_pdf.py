"""Personalised practice booklets: one PDF per class, one booklet per student (each starting on
a new page, its pages numbered on their own), and the answer key of every booklet at the end for
the teacher. Each booklet is laid out on its own, so a long class booklet reports its progress
student by student (``on_progress``).

The input is this module's own small dataclasses, so the renderer does not depend on how the
practice capability stores its sets; an adapter maps a practice set onto ``BookletStudent``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from yincai.reports import pdf
from yincai.reports.labels import ITEM_TYPES

CHOICE_TYPES = ("single_choice", "multiple_choice")
LONG_OPTION = 12  # characters (maths counted as written) beyond which options get half a line
VERY_LONG_OPTION = 26  # … and beyond which each option gets its own line
ANSWER_SPACE_PER_POINT = 7.0  # mm of working space per point of a constructed-response item
MIN_ANSWER_SPACE = 18.0  # mm


@dataclass(frozen=True)
class BookletItem:
    """One practice item as printed: text with ``$…$`` maths, options for choice items."""

    label: str
    item_type: str
    stem: str
    answer: str
    full_score: float
    options: Sequence[str] = ()
    reason: str | None = None


@dataclass(frozen=True)
class BookletStudent:
    """One student's booklet."""

    name: str
    student_number: str
    class_name: str
    items: Sequence[BookletItem] = field(default_factory=tuple)
    note: str = ""  # why a booklet has no items (e.g. no guardian's consent)


def option_layout(options: Sequence[str]) -> str:
    """CSS class for the option grid: four a line, two a line, or one a line."""
    longest = max((len(option) for option in options), default=0)
    if longest > VERY_LONG_OPTION:
        return "long"
    if longest > LONG_OPTION:
        return "wide"
    return ""


def answer_space(item: BookletItem) -> float:
    """Height in mm of the working space under a fill-in or constructed-response item."""
    if item.item_type in (*CHOICE_TYPES, "true_false"):
        return 0.0
    if item.item_type == "fill_in":
        return 0.0  # the stem's blank (______) is the space
    return max(MIN_ANSWER_SPACE, ANSWER_SPACE_PER_POINT * item.full_score)


def booklet_pdf(
    students: Sequence[BookletStudent],
    *,
    class_name: str,
    school_name: str = "",
    title: str = "个性化练习",
    show_reasons: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> bytes:
    """The class's booklets and the answer key as one PDF; ``on_progress(n_done)`` is called
    after each student's booklet is laid out (the answer key and writing the file follow)."""
    context = {
        "class_name": class_name,
        "school_name": school_name,
        "title": title,
        "show_reasons": show_reasons,
        "item_types": ITEM_TYPES,
        "option_layout": option_layout,
        "answer_space": answer_space,
        "letters": "ABCDEFGH",
        "choice_types": CHOICE_TYPES,
        "generated_on": datetime.now(UTC).date().isoformat(),
    }

    def htmls() -> Iterator[str]:  # one at a time: the maths of a booklet render as it is laid out
        for student in students:
            yield pdf.render_html("booklet.html", {**context, "students": [student], "key": []})
        yield pdf.render_html("booklet.html", {**context, "students": [], "key": students})

    def each(n_done: int) -> None:
        if on_progress is not None and n_done <= len(students):
            on_progress(n_done)

    return pdf.documents_to_pdf(htmls(), on_each=each)
