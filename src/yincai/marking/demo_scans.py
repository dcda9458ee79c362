"""Demo scans: the answer sheets of an assessment's students, filled in with the choices they
made (the hub's stored answers), scanned at 150 dpi with the flaws of a real batch — a slight
skew, noise, a few faint marks, erased-then-changed answers and double marks — so the
scan-reading workflow (``/assessments/{id}/scans``) can be tried on the demo district without a
scanner.

Nothing here writes to the database: the caller uploads the pages like any other batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import AssessmentItem, Score, Sitting, Student
from yincai.errors import Invalid
from yincai.i18n import _
from yincai.omr.layout import TRUE_FALSE_VALUES, SheetLayout
from yincai.omr.simulate import Degradation, SimulatedField, Style, degrade, fill, render_page

RENDER_DPI = 300.0
SCAN_SCALE = 0.5  # scanned at 150 dpi, the resolution schools use for marking
FAINT_RATE = 0.02  # of choice answers: pressed lightly
CHANGED_RATE = 0.01  # of choice answers: another option erased before the final one
DOUBLE_RATE = 0.01  # of single choices: a second option marked and not erased (for review)
# the hub stores a true/false answer as its words; the sheet's bubbles are T and F
TRUE_FALSE_BUBBLES = dict(zip(("正确", "错误"), TRUE_FALSE_VALUES, strict=True))


@dataclass(frozen=True)
class DemoScan:
    file_name: str
    png: bytes


def demo_scans(
    session: Session,
    layout: SheetLayout,
    *,
    assessment_id: int,
    n_students: int,
    seed: int = 0,
) -> list[DemoScan]:
    """Scanned pages of the first ``n_students`` who sat the assessment (by student number)."""
    if n_students < 1:
        raise Invalid(_("学生人数至少为 1"), code="scans.demo_students")
    students = session.execute(
        select(Student.id, Student.student_number)
        .join(Sitting, Sitting.student_id == Student.id)
        .where(Sitting.assessment_id == assessment_id)
        .order_by(Student.student_number)
        .limit(n_students)
    ).all()
    if not students:
        raise Invalid(_("这次考试没有考生"), code="scans.demo_no_students")
    chosen = _stored_choices(session, assessment_id, [s.id for s in students])
    rng = np.random.default_rng(seed)
    scans: list[DemoScan] = []
    for student_id, number in students:
        for page in range(1, len(layout.pages) + 1):
            answers = _answers(layout, page, chosen.get(student_id, {}), rng)
            image = render_page(layout, page, dpi=RENDER_DPI, student_number=number)
            image = fill(image, layout, page, answers, rng, dpi=RENDER_DPI)
            how = Degradation(
                rotation=float(rng.uniform(-2.0, 2.0)), noise=5.0, blur=0.8, scale=SCAN_SCALE
            )
            ok, png = cv2.imencode(".png", degrade(image, rng, how))
            assert ok
            scans.append(DemoScan(f"scan-{len(scans) + 1:04d}.png", png.tobytes()))
    return scans


def _stored_choices(
    session: Session, assessment_id: int, student_ids: list[int]
) -> dict[int, dict[str, str]]:
    """Each student's stored answer per item label, as the sheet's bubble values."""
    rows = session.execute(
        select(Score.student_id, AssessmentItem.label, Score.raw_answer)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .where(
            AssessmentItem.assessment_id == assessment_id,
            Score.student_id.in_(student_ids),
            Score.raw_answer.is_not(None),
        )
    ).all()
    chosen: dict[int, dict[str, str]] = {}
    for student_id, label, raw in rows:
        answer = str(raw)
        chosen.setdefault(student_id, {})[label] = TRUE_FALSE_BUBBLES.get(answer, answer)
    return chosen


def _answers(
    layout: SheetLayout, page: int, chosen: dict[str, str], rng: np.random.Generator
) -> dict[str, SimulatedField]:
    """What the student marked on the page: their stored choices (blank where none), a few
    pressed lightly or changed after erasing; the student number is left to the QR code."""
    answers: dict[str, SimulatedField] = {}
    for field in layout.fields_on(page):
        values = [bubble.value for bubble in field.bubbles]
        truth = "".join(v for v in values if v in chosen.get(field.label, ""))
        if field.kind == "digit" or not truth:
            answers[field.label] = SimulatedField("", ())
            continue
        style: Style = "faint" if rng.random() < FAINT_RATE else "normal"
        marks: list[tuple[str, Style]] = [(value, style) for value in truth]
        others = [v for v in values if v not in truth]
        if others and rng.random() < CHANGED_RATE:
            marks.append((str(rng.choice(others)), "residue"))
        elif others and field.kind == "single" and rng.random() < DOUBLE_RATE:
            marks.append((str(rng.choice(others)), "normal"))  # the reader must not pick one
        answers[field.label] = SimulatedField(truth, tuple(marks))
    return answers
