"""The sheet layout: one page for a 60-item exam, pages and columns that grow with the exam, a JSON
round trip, and clear refusals of what cannot be laid out."""

from __future__ import annotations

import pytest

from yincai.errors import Invalid
from yincai.omr.layout import STUDENT_GROUP, ItemSpec, SheetLayout, build_layout


def _items(n_choice: int, essays: int = 0) -> list[ItemSpec]:
    items = [ItemSpec(str(k + 1), "single", 3.0) for k in range(n_choice)]
    items += [ItemSpec(f"E{k + 1}", "essay", 20.0) for k in range(essays)]
    return items


def test_a_sixty_item_sheet_fits_one_a4_page_with_its_student_number() -> None:
    layout = build_layout(_items(60), exam_id="E1", student_number_width=9)
    assert len(layout.pages) == 1
    assert layout.pages[0].width == 210.0
    assert len([f for f in layout.fields if f.kind == "single"]) == 60
    assert len(layout.joins[STUDENT_GROUP]) == 9
    assert all(len(f.bubbles) == 10 for f in layout.fields if f.kind == "digit")
    # no two bubbles overlap and every bubble is inside the marks
    centres = [(b.x, b.y) for f in layout.fields for b in f.bubbles]
    assert len(set(centres)) == len(centres)
    (left, top), _tr, (right, bottom), _bl = layout.pages[0].anchors
    assert all(left < x < right and top < y < bottom for x, y in centres)


def test_subjective_items_get_boxes_that_grow_with_the_score_and_flow_to_more_pages() -> None:
    layout = build_layout(_items(20, essays=6), exam_id="E2")
    assert len(layout.pages) > 1
    assert [r.label for r in layout.regions] == [f"E{k}" for k in range(1, 7)]
    assert all(r.height == 80.0 for r in layout.regions)  # 20 points × 4 mm
    assert {r.page for r in layout.regions} - {1} != set()
    assert [p.number for p in layout.pages] == list(range(1, len(layout.pages) + 1))


def test_a3_sheets_have_two_columns() -> None:
    layout = build_layout(_items(60, essays=4), exam_id="E3", paper="A3")
    assert layout.pages[0].width == 420.0
    xs = {round(r.x) for r in layout.regions}
    assert len(xs) == 2  # regions in both columns


def test_the_layout_survives_a_json_round_trip() -> None:
    layout = build_layout(
        [*_items(5), ItemSpec("6", "multiple", 4, 5), ItemSpec("7", "truefalse", 2)],
        exam_id="E4",
        title="期中",
    )
    again = SheetLayout.from_json(layout.to_json())
    assert again == layout


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "omr.no_items"),
        ([ItemSpec("1", "single", 3), ItemSpec("1", "single", 3)], "omr.duplicate_label"),
        ([ItemSpec("1", "single", 3, n_options=12)], "omr.bad_options"),
        ([ItemSpec("1", "drawing", 3)], "omr.bad_kind"),  # type: ignore[arg-type]
    ],
)
def test_what_cannot_be_laid_out_is_refused(items: list[ItemSpec], code: str) -> None:
    with pytest.raises(Invalid) as error:
        build_layout(items, exam_id="E")
    assert error.value.code == code


def test_a_broken_layout_file_is_a_clear_error() -> None:
    with pytest.raises(Invalid) as error:
        SheetLayout.from_json('{"pages": []}')
    assert error.value.code == "omr.bad_layout"
