"""Demo answers for online marking without scans: a synthetic crop per student and subjective
item (handwriting-like strokes drawn with numpy, encoded as PNG by hand), a true score kept in
the returned data (never drawn in the image), seeded check answers, and simulated markers.

The true score is the stored item score when the hub has one (the demo district's exams), else a
draw in half points. ``simulated_score`` is a marker who reads it with noise, rounded to half
points: the concurrency test and ``yincai marking demo`` drive the whole workflow with it.
"""

from __future__ import annotations

import itertools
import random
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    Item,
    Score,
    Sitting,
    Student,
)
from yincai.marking import service
from yincai.marking.models import MarkingAnswer, MarkingMode, MarkingTask
from yincai.marking.rules import SCORE_STEP

CROP_SIZE = (120, 360)  # height, width in pixels: a boxed answer region at about 100 dpi
INK = 40  # grey level of the strokes on white paper


@dataclass
class DemoMarking:
    """What the builder made: the tasks and each answer's true score (answer id → score)."""

    task_ids: list[int] = field(default_factory=list)
    true_scores: dict[int, float] = field(default_factory=dict)
    full_scores: dict[int, float] = field(default_factory=dict)  # task id → full score


def crop_png(seed: int, *, n_lines: int = 3) -> bytes:
    """A grey PNG of a few lines of scribbled 'handwriting' (random, reproducible by seed)."""
    rng = np.random.default_rng(seed)
    height, width = CROP_SIZE
    image = np.full((height, width), 255, dtype=np.uint8)
    image[0, :] = image[-1, :] = image[:, 0] = image[:, -1] = 160  # the answer box
    for line in range(n_lines):
        baseline = 25 + line * (height - 40) // max(1, n_lines)
        x = 12.0
        while x < width - 30:
            # one "character": a short random walk of pen strokes
            points = np.cumsum(rng.normal(0, 4, size=(8, 2)), axis=0) + np.array([baseline, x])
            _draw_polyline(image, points)
            x += rng.uniform(14, 24)
    return encode_png(image)


def _draw_polyline(image: npt.NDArray[np.uint8], points: npt.NDArray[np.float64]) -> None:
    height, width = image.shape
    for start, end in itertools.pairwise(points):
        n = int(np.hypot(*(end - start))) * 2 + 2
        rows = np.linspace(start[0], end[0], n).round().astype(int)
        cols = np.linspace(start[1], end[1], n).round().astype(int)
        for d_row, d_col in ((0, 0), (1, 0), (0, 1)):  # a pen about two pixels wide
            r, c = rows + d_row, cols + d_col
            keep = (r >= 0) & (r < height) & (c >= 0) & (c < width)
            image[r[keep], c[keep]] = INK


def encode_png(image: npt.NDArray[np.uint8]) -> bytes:
    """An 8-bit greyscale PNG of ``image`` (height, width)."""
    height, width = image.shape
    raw = b"".join(b"\x00" + image[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def simulated_score(true_score: float, full_score: float, rng: random.Random, sd: float) -> float:
    """A marker's reading of an answer: the true score with noise, in half points."""
    noisy = rng.gauss(true_score, sd)
    stepped = round(noisy / SCORE_STEP) * SCORE_STEP
    return min(full_score, max(0.0, stepped))


def subjective_items(session: Session, assessment_id: int) -> list[AssessmentItem]:
    """The items teachers mark: bank items of an open type, or items with no bank item."""
    found = []
    for item, item_type in session.execute(
        select(AssessmentItem, Item.item_type)
        .outerjoin(Item, Item.id == AssessmentItem.item_id)
        .where(AssessmentItem.assessment_id == assessment_id)
        .order_by(AssessmentItem.position)
    ):
        if item_type is None or not item_type.is_objective:
            found.append(item)
    return found


def build_demo_marking(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    mode: MarkingMode,
    marker_ids: tuple[int, ...],
    leader_id: int | None,
    tolerance: float = 1.0,
    n_checks: int = 2,
    seed: int = 0,
    item_ids: list[int] | None = None,
) -> DemoMarking:
    """Set up marking of the assessment's subjective items with synthetic crops."""
    rng = random.Random(seed)
    items = [
        item
        for item in subjective_items(session, assessment_id)
        if item_ids is None or item.id in item_ids
    ]
    specs = [
        service.TaskSpec(item.id, min(tolerance, item.full_score), marker_ids, leader_id)
        for item in items
    ]
    marking = service.setup_session(
        session, actor=actor, assessment_id=assessment_id, mode=mode, tasks=specs
    )
    students = _students(session, assessment_id)
    demo = DemoMarking()
    for item in items:
        task_id = session.scalar(
            select(MarkingTask.id).where(
                MarkingTask.marking_session_id == marking.id,
                MarkingTask.assessment_item_id == item.id,
            )
        )
        assert task_id is not None
        stored = dict(
            session.execute(
                select(Score.student_id, Score.score).where(Score.assessment_item_id == item.id)
            ).all()
        )
        truths = {
            student_id: stored.get(student_id, _draw(item.full_score, rng))
            for student_id in students
        }
        service.add_answers(
            session,
            actor=actor,
            task_id=task_id,
            answers=[
                service.AnswerInput(student_id, image=crop_png(rng.randrange(2**31)))
                for student_id in students
            ],
            seed=rng.randrange(2**31),
        )
        for answer_id, student_id in session.execute(
            select(MarkingAnswer.id, MarkingAnswer.student_id).where(
                MarkingAnswer.marking_task_id == task_id
            )
        ):
            if student_id is not None:
                demo.true_scores[answer_id] = truths[student_id]
        for _check in range(n_checks):
            check = service.add_check_answer(
                session,
                actor=actor,
                task_id=task_id,
                image=crop_png(rng.randrange(2**31)),
                known_score=_draw(item.full_score, rng),
                seed=rng.randrange(2**31),
            )
            assert check.known_score is not None
            demo.true_scores[check.id] = check.known_score
        demo.task_ids.append(task_id)
        demo.full_scores[task_id] = item.full_score
    return demo


def _students(session: Session, assessment_id: int) -> list[int]:
    sat = list(
        session.scalars(
            select(Sitting.student_id)
            .where(Sitting.assessment_id == assessment_id, Sitting.is_absent.is_(False))
            .order_by(Sitting.student_id)
        )
    )
    if sat:
        return sat
    classes = select(AssessmentClass.school_class_id).where(
        AssessmentClass.assessment_id == assessment_id
    )
    district = select(Assessment.district_id).where(Assessment.id == assessment_id)
    return list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id.in_(classes), Student.district_id.in_(district))
            .order_by(Student.id)
        )
    )


def _draw(full_score: float, rng: random.Random) -> float:
    return round(rng.betavariate(3, 2) * full_score / SCORE_STEP) * SCORE_STEP


def simulate_marking(
    session: Session,
    demo: DemoMarking,
    markers: list[UserAccount],
    *,
    sd: float = 0.8,
    seed: int = 0,
) -> int:
    """Let simulated markers (in turn) mark every answer they are handed; marks given."""
    rng = random.Random(seed)
    n = 0
    for task_id in demo.task_ids:
        full = demo.full_scores[task_id]
        active = list(markers)
        while active:
            for marker in list(active):
                claim = service.next_answer(session, actor=marker, task_id=task_id)
                if claim is None:
                    active.remove(marker)
                    continue
                score = simulated_score(demo.true_scores[claim.answer_id], full, rng, sd)
                service.submit_mark(
                    session,
                    actor=marker,
                    mark_id=claim.mark_id,
                    answer_id=claim.answer_id,
                    score=score,
                )
                n += 1
    return n
