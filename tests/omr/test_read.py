"""Reading simulated scans: ≥ 99.9 % of bubbles right over degraded scans, every wrong answer in
review (none guessed), review rate ≤ 2 %; erased traces are not answers and faint pencil is; the
student comes from the QR code, or from the bubbled digits when the QR cannot be read."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.errors import Invalid
from yincai.omr.layout import STUDENT_GROUP, ItemSpec, SheetLayout, build_layout
from yincai.omr.read import read_page
from yincai.omr.scans import decode_image
from yincai.omr.simulate import (
    Degradation,
    Rates,
    SimulatedField,
    degrade,
    fill,
    render_page,
    simulate_answers,
    stray_dots,
)

STUDENT = "20240317"
CASES = [
    (150.0, Degradation(rotation=3.0, noise=8.0)),
    (150.0, Degradation(rotation=-3.0, noise=6.0, blur=3.0)),
    (300.0, Degradation(rotation=-1.0, blur=3.0, noise=4.0)),
    (300.0, Degradation(scale=0.5, rotation=2.0, blur=1.5, noise=6.0)),  # 150 dpi
    (300.0, Degradation(scale=0.25, rotation=-2.0, noise=4.0)),  # 75 dpi
    (300.0, Degradation(scale=0.5, photo=True, rotation=1.0, noise=4.0)),  # phone photo
    (150.0, Degradation(rotation=5.0, noise=5.0)),
]


@pytest.fixture(scope="module")
def layout() -> SheetLayout:
    items = [ItemSpec(str(k + 1), "single", 3.0) for k in range(45)]
    items += [ItemSpec(str(k + 46), "multiple", 4.0) for k in range(10)]
    items += [ItemSpec(str(k + 56), "truefalse", 2.0) for k in range(5)]
    return build_layout(items, exam_id="T1", student_number_width=8)


def _scan(
    layout: SheetLayout,
    answers: dict[str, SimulatedField],
    rng: np.random.Generator,
    dpi: float,
    how: Degradation,
    *,
    qr_student: str = STUDENT,
) -> np.ndarray:
    page = render_page(layout, 1, dpi=dpi, student_number=qr_student)
    page = stray_dots(fill(page, layout, 1, answers, rng, dpi=dpi), rng, n=4, dpi=dpi)
    return degrade(page, rng, how)


def test_degraded_scans_read_right_and_every_doubt_goes_to_review(layout: SheetLayout) -> None:
    rng = np.random.default_rng(7)
    n_bubbles = right = n_fields = in_review = 0
    for dpi, how in CASES * 2:
        answers = simulate_answers(layout, 1, rng, student_number=STUDENT)
        reading = read_page(_scan(layout, answers, rng, dpi, how), layout)
        review = reading.review()
        assert reading.student_number == STUDENT
        for field in reading.fields:
            if field.label.startswith(STUDENT_GROUP):
                continue
            truth = answers[field.label].truth
            values = [b.value for f in layout.fields if f.label == field.label for b in f.bubbles]
            n_bubbles += len(values)
            right += sum((v in field.value) == (v in truth) for v in values)
            n_fields += 1
            in_review += field.label in review
            if field.value != truth:
                assert field.label in review, (how, field, answers[field.label])
    assert right / n_bubbles >= 0.999
    assert in_review / n_fields <= 0.02


def _all_marked(layout: SheetLayout, style: str) -> dict[str, SimulatedField]:
    answers = {}
    for field in layout.fields_on(1):
        if field.label.startswith(STUDENT_GROUP):
            continue
        value = field.bubbles[1].value
        truth = value if style in ("normal", "faint") else ""
        answers[field.label] = SimulatedField(truth, ((value, style),))  # type: ignore[arg-type]
    return answers


@pytest.mark.parametrize("style", ["residue", "faint"])
def test_erased_traces_are_not_answers_and_faint_pencil_is(layout: SheetLayout, style: str) -> None:
    rng = np.random.default_rng(3)
    answers = _all_marked(layout, style)
    reading = read_page(_scan(layout, answers, rng, 150.0, Degradation(noise=5.0)), layout)
    values = reading.answers()
    assert all(values[label] == answer.truth for label, answer in answers.items())
    assert not [label for label in reading.review() if not label.startswith(STUDENT_GROUP)]


def test_a_double_mark_on_a_single_choice_item_is_flagged_not_guessed(layout: SheetLayout) -> None:
    rng = np.random.default_rng(4)
    answers = simulate_answers(layout, 1, rng, student_number=STUDENT, rates=Rates(blank=0.0))
    answers["1"] = SimulatedField("AC", (("A", "normal"), ("C", "normal")))
    reading = read_page(_scan(layout, answers, rng, 150.0, Degradation()), layout)
    assert reading.review()["1"] == ("multiple",)


def test_the_bubbled_number_identifies_the_student_when_the_qr_cannot_be_read(
    layout: SheetLayout,
) -> None:
    rng = np.random.default_rng(5)
    answers = simulate_answers(layout, 1, rng, student_number=STUDENT)
    blank_qr = _scan(layout, answers, rng, 150.0, Degradation(rotation=1.0), qr_student="")
    reading = read_page(blank_qr, layout)
    assert (reading.student_number, reading.student_source) == (STUDENT, "bubbles")
    personal = read_page(_scan(layout, answers, rng, 150.0, Degradation(rotation=1.0)), layout)
    assert (personal.student_number, personal.student_source) == (STUDENT, "qr")


def test_a_qr_and_bubbles_that_disagree_are_flagged(layout: SheetLayout) -> None:
    rng = np.random.default_rng(6)
    answers = simulate_answers(layout, 1, rng, student_number=STUDENT)
    reading = read_page(
        _scan(layout, answers, rng, 150.0, Degradation(), qr_student="20249999"), layout
    )
    assert reading.student_number == "20249999"
    assert "student_mismatch" in reading.flags


def test_unreadable_input_is_a_clear_error(layout: SheetLayout) -> None:
    with pytest.raises(Invalid) as not_image:
        decode_image(b"not an image at all", name="x.png")
    assert not_image.value.code == "omr.not_an_image"
    with pytest.raises(Invalid) as colour:
        read_page(np.zeros((100, 100, 3), np.uint8), layout)
    assert colour.value.code == "omr.not_an_image"
    page = np.full((1754, 1240), 255, np.uint8)
    page[400:420, 100:1100] = 0  # a line of text, no marks
    with pytest.raises(Invalid) as no_marks:
        read_page(page, layout)
    assert no_marks.value.code == "omr.unreadable"


def test_a_page_fed_upside_down_is_turned_and_read(layout: SheetLayout) -> None:
    rng = np.random.default_rng(8)
    answers = simulate_answers(layout, 1, rng, student_number=STUDENT)
    scan = _scan(layout, answers, rng, 150.0, Degradation(rotation=182.0, noise=4.0))
    reading = read_page(scan, layout)
    assert reading.student_number == STUDENT
    wrong = {k for k, v in reading.answers().items() if v != answers[k].truth}
    assert wrong <= set(reading.review())
    assert len(wrong) <= 1
