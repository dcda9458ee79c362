"""Printed answer sheets: the PDF carries the Chinese instructions, and its pages, rasterised,
filled with known answers and degraded, read back right with the student from the QR code."""

from __future__ import annotations

import io

import numpy as np
import pytest
from pypdf import PdfReader

from yincai.omr.batch import join
from yincai.omr.layout import STUDENT_GROUP, ItemSpec, SheetLayout, build_layout
from yincai.omr.read import read_page
from yincai.omr.scans import pdf_pages
from yincai.omr.simulate import Degradation, degrade, fill, simulate_answers
from yincai.reports.answer_sheet import answer_sheet_pdf

DPI = 150.0


def _exam(paper: str) -> SheetLayout:
    items = [ItemSpec(str(k + 1), "single", 3.0) for k in range(40)]
    items += [ItemSpec(str(k + 41), "multiple", 4.0) for k in range(12)]
    items += [ItemSpec(str(k + 53), "truefalse", 2.0) for k in range(8)]
    items += [
        ItemSpec("61", "fill", 6.0),
        ItemSpec("62", "short", 12.0),
        ItemSpec("63", "essay", 25.0),
    ]
    items += [ItemSpec("64", "essay", 30.0)]
    return build_layout(items, exam_id="MID-8", title="八年级数学期中", paper=paper)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def a4() -> tuple[SheetLayout, bytes]:
    layout = _exam("A4")
    return layout, answer_sheet_pdf(layout, student_numbers=["20240001", "20240002"])


def test_the_pdf_has_the_instructions_and_one_sheet_per_student(
    a4: tuple[SheetLayout, bytes],
) -> None:
    layout, pdf = a4
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2 * len(layout.pages)
    text = pages[0].extract_text() or ""
    for words in ("八年级数学期中", "填涂示例", "注意事项", "准考证号", "姓名", "班级"):
        assert words in text


def test_printed_sheets_filled_and_scanned_read_back_right(a4: tuple[SheetLayout, bytes]) -> None:
    layout, pdf = a4
    rng = np.random.default_rng(21)
    degradations = [
        Degradation(rotation=3.0, noise=6.0),
        Degradation(rotation=-2.0, blur=3.0, noise=4.0),
        Degradation(scale=0.5, rotation=1.0),  # 75 dpi
        Degradation(photo=True, rotation=-1.0, noise=4.0),
    ]
    readings = []
    n_bubbles = right = n_review = n_fields = 0
    for k, page in enumerate(pdf_pages(pdf, dpi=DPI)):
        student = "20240001" if k < len(layout.pages) else "20240002"
        number = k % len(layout.pages) + 1
        answers = simulate_answers(layout, number, rng, student_number=student)
        scan = degrade(
            fill(page.image, layout, number, answers, rng, dpi=DPI), rng, degradations[k % 4]
        )
        reading = read_page(scan, layout, source=f"scan{k}")
        readings.append(reading)
        assert (reading.page, reading.exam_id) == (number, "MID-8")
        review = reading.review()
        for field in reading.fields:
            if field.label.startswith(STUDENT_GROUP):
                continue
            truth = answers[field.label].truth
            n_bubbles += len(field.darkness)
            right += sum(
                (b.value in field.value) == (b.value in truth)
                for f in layout.fields
                if f.label == field.label
                for b in f.bubbles
            )
            n_fields += 1
            n_review += field.label in review
            assert field.value == truth or field.label in review
    assert right / n_bubbles >= 0.999
    assert n_review / n_fields <= 0.02
    batch = join(readings, layout)
    assert [s.student_number for s in batch.sheets] == ["20240001", "20240002"]
    assert all(s.missing_pages == () for s in batch.sheets)
    crops = batch.sheets[0].crops()
    assert set(crops) == {"61", "62", "63", "64"}


def test_a3_two_column_sheets_read_back_with_their_page_numbers() -> None:
    layout = _exam("A3")
    pdf = answer_sheet_pdf(layout)
    rng = np.random.default_rng(5)
    for page in pdf_pages(pdf, dpi=100.0):
        blank = read_page(page.image, layout)
        assert blank.student_number == ""  # a blank sheet: no number in the QR, none bubbled
        assert "student_unreadable" in blank.flags or blank.page > 1
        answers = simulate_answers(layout, blank.page, rng, student_number="20240009")
        scan = degrade(
            fill(page.image, layout, blank.page, answers, rng, dpi=100.0),
            rng,
            Degradation(rotation=2.0),
        )
        reading = read_page(scan, layout)
        wrong = {k for k, v in reading.answers().items() if v != answers[k].truth}
        assert wrong <= set(reading.review())
        assert len(reading.answers()) == len(layout.fields_on(blank.page)) - (
            layout.student_number_width if blank.page == 1 else 0
        )
        if reading.page == 1:
            assert (reading.student_number, reading.student_source) == ("20240009", "bubbles")
