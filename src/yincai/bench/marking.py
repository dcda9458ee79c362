"""Answer-sheet reading on simulated scans: bubble accuracy, review rate, sheets per second.

A 60-item sheet (50 single choice, 10 multiple choice) with an 8-digit student number is filled
with known answers (faint pencil, erased-and-changed, erased-and-blank, stray dots; rates in
``yincai.omr.simulate.Rates``) and degraded per case. A bubble is right when its reading (marked or
not) equals the truth; a field is *silently wrong* when its value is wrong and it is not in review.
Speed is measured on one core (``cv2.setNumThreads(1)``) from decoded grayscale pages; the target
is 10 sheets/s per core.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np

from yincai.omr.layout import STUDENT_GROUP, ItemSpec, SheetLayout, build_layout
from yincai.omr.read import read_page
from yincai.omr.simulate import Degradation, degrade, fill, render_page, simulate_answers

CASES: dict[str, tuple[float, Degradation]] = {
    "clean-150dpi": (150.0, Degradation()),
    "skew3-noise-150dpi": (150.0, Degradation(rotation=3.0, noise=8.0)),
    "blur3-skew-150dpi": (150.0, Degradation(rotation=-2.0, blur=3.0, noise=5.0)),
    "300dpi-skew-blur2": (300.0, Degradation(rotation=1.5, blur=2.0, noise=6.0)),
    "75dpi-skew": (300.0, Degradation(scale=0.25, rotation=2.0, noise=4.0)),
    "75dpi-blur3": (300.0, Degradation(scale=0.25, rotation=-1.0, blur=3.0, noise=4.0)),
    "phone-photo": (300.0, Degradation(scale=0.5, photo=True, rotation=1.0, noise=5.0)),
}


def demo_layout() -> SheetLayout:
    items = [ItemSpec(str(k + 1), "single" if k < 50 else "multiple", 3.0) for k in range(60)]
    return build_layout(items, exam_id="BENCH", title="基准测试", student_number_width=8)


def run(n_sheets: int = 20, seed: int = 0) -> list[dict[str, Any]]:
    """One row per degradation case and one for all together."""
    cv2.setNumThreads(1)
    layout = demo_layout()
    rng = np.random.default_rng(seed)
    _measure(layout, 150.0, Degradation(), 1, np.random.default_rng(seed + 1))  # warm-up, untimed
    rows = []
    totals = np.zeros(6)
    for case, (dpi, how) in CASES.items():
        figures = _measure(layout, dpi, how, n_sheets, rng)
        totals += figures
        rows.append(_row(case, figures))
    rows.append(_row("all", totals))
    return rows


def _measure(
    layout: SheetLayout, dpi: float, how: Degradation, n_sheets: int, rng: np.random.Generator
) -> np.ndarray:
    """bubbles, right bubbles, fields, fields in review, silently wrong fields, seconds."""
    figures = np.zeros(6)
    for k in range(n_sheets):
        student = f"{20240000 + k:08d}"
        blank = render_page(layout, 1, dpi=dpi, student_number=student)
        answers = simulate_answers(layout, 1, rng, student_number=student)
        scan = degrade(fill(blank, layout, 1, answers, rng, dpi=dpi), rng, how)
        started = time.perf_counter()
        reading = read_page(scan, layout, with_crops=False)
        figures[5] += time.perf_counter() - started
        review = reading.review()
        for field in reading.fields:
            if field.label.startswith(STUDENT_GROUP):
                continue
            truth = answers[field.label].truth
            values = [b.value for b in _bubbles(layout, field.label)]
            figures[0] += len(values)
            figures[1] += sum((v in field.value) == (v in truth) for v in values)
            figures[2] += 1
            figures[3] += field.label in review
            figures[4] += field.value != truth and field.label not in review
        if reading.student_number != student:
            figures[4] += 1  # a student identified wrongly counts as a silent error
    return figures


def _bubbles(layout: SheetLayout, label: str) -> list[Any]:
    return [b for f in layout.fields if f.label == label for b in f.bubbles]


def _row(case: str, figures: np.ndarray) -> dict[str, Any]:
    n_bubbles, right, n_fields, in_review, silent, seconds = figures
    n_sheets = n_fields / 60
    return {
        "suite": "marking",
        "case": case,
        "metrics": {
            "sheets": int(n_sheets),
            "bubble_accuracy": float(right / n_bubbles),
            "review_rate": float(in_review / n_fields),
            "silent_errors": int(silent),
            "sheets_per_second_per_core": float(n_sheets / seconds),
        },
    }
