"""Personalised practice checked against the demo district's hidden ground truth, and timed.

Run by ``yincai bench practice --data-dir D`` on a district built by ``yincai demo``.

When. Practice sets are made as of ``AS_OF`` = the last checkpoint's date + 6 days (the end of the
semester: after every exam and homework the demo holds) and compared with the truth at that last
checkpoint, the state after all of that evidence.

Truly weakest points of a student: among the point-level knowledge points *taught to the
student's class* by ``AS_OF`` (some student of the class has an exam item score or homework
attempt on an item tagged with the point, any tag weight, dated up to ``AS_OF``), the
``K`` = 3 with the lowest true P(mastered) at the checkpoint (ties: curriculum order). Points of
earlier grades (met last year, no evidence this semester) are left out, and so are students with
fewer than 3 taught points.

precision@3 = |recommended 3 ∩ truly weakest 3| / 3, averaged over the students:

* ``diagnosis``: the first 3 points the student's practice set targets as weak
  (``PracticeSet.weak_kp_codes``), from ``class_practice`` for every class;
* ``wrong-items``: the points ranked by the share of points the student lost on items tagged with
  them (tag-weighted; exam item scores and homework together, up to ``AS_OF``), highest first;
  points the student never answered come last; ties in curriculum order.

* ``reference``: the 3 lowest points of the reference diagnosis that knows the simulation's true
  parameters (``bench.mastery_ceiling``): what any recommender could reach on these responses;
  ``reference_lead`` its lead over the wrong-items baseline.

Beyond the pooled precision, what a student meets:

* ``precision_at_3_unmastered``: the same against the up-to-3 truly weakest *unmastered* taught
  points (true P < 0.5; students with none are left out): practising a point already mastered
  helps less, whatever its rank.
* ``share_unmastered``: of the 3 recommended points, the share truly unmastered.
* ``realised_success``: the mean expected score share of the chosen items for their student under
  the simulation's own scoring (``demo.truth.true_success``), against the 0.60–0.80 band the
  selection aims at; ``share_in_band`` the share of items whose true success lies inside it;
  ``predicted_success`` the mean success the platform predicted for the same items (the gap
  between the two is the prediction's bias).

Timing: ``class-booklets-50`` makes the practice sets of 50 students of one school and grade
(its largest class, topped up from another class) with the mastery model already calibrated;
``model_fit_seconds`` is that one-off calibration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import BENCHMARK
from yincai.bench.mastery_ceiling import truth_reference
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.truth import GroundTruth, load_ground_truth, replay_item_bank, true_success
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.teaching import end_of
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    Item,
    ItemKp,
    KnowledgePoint,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Student,
)
from yincai.practice import service as practice_service
from yincai.practice.selection import DEFAULT_SUCCESS_BAND

K = 3
MASTERED = 0.5  # true P at which the demo counts a point mastered
WEEK_END = timedelta(days=6)
BOOKLET_STUDENTS = 50


@dataclass(frozen=True)
class Quality:
    """Mean precision@3 of both recommenders over ``n_students`` students; ``lead_se`` is the
    standard error of the diagnosis's lead, paired by student."""

    diagnosis: float
    wrong_items: float
    lead_se: float
    n_students: int
    as_of: date
    unmastered_precision: float = float("nan")
    share_unmastered: float = float("nan")
    realised_success: float = float("nan")
    share_in_band: float = float("nan")
    predicted_success: float = float("nan")
    reference: float = float("nan")


def run(data_dir: Path) -> list[dict[str, Any]]:
    """Precision@3 of the recommender and of the wrong-answer baseline, then the timing row."""
    settings = Settings(data_dir=data_dir)
    truth = load_ground_truth(settings.ground_truth_path)
    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            quality = measure_quality(session, truth)
            timing = time_booklets(session, as_of=quality.as_of)
    finally:
        engine.dispose()
    common = {"n_students": quality.n_students}
    return [
        {
            "suite": "practice",
            "case": "diagnosis",
            "metrics": {
                "precision_at_3": round(quality.diagnosis, 4),
                "lead": round(quality.diagnosis - quality.wrong_items, 4),
                "lead_se": round(quality.lead_se, 4),
                "precision_at_3_unmastered": round(quality.unmastered_precision, 4),
                "share_unmastered": round(quality.share_unmastered, 4),
                "realised_success": round(quality.realised_success, 4),
                "share_in_band": round(quality.share_in_band, 4),
                "predicted_success": round(quality.predicted_success, 4),
                "reference_precision_at_3": round(quality.reference, 4),
                "reference_lead": round(quality.reference - quality.wrong_items, 4),
                **common,
            },
        },
        {
            "suite": "practice",
            "case": "wrong-items",
            "metrics": {"precision_at_3": round(quality.wrong_items, 4), **common},
        },
        {"suite": "practice", "case": f"class-booklets-{BOOKLET_STUDENTS}", "metrics": timing},
    ]


def measure_quality(session: Session, truth: GroundTruth) -> Quality:
    """Precision@3 of both recommenders for every student of the truth, class by class."""
    as_of = date.fromisoformat(truth.checkpoint_dates[-1]) + WEEK_END
    true_mastery = truth.mastery[-1]
    row_of = {number: i for i, number in enumerate(truth.student_numbers)}
    column_of = {code: k for k, code in enumerate(truth.kp_codes)}
    kp_column = {
        kp_id: column_of[code]
        for kp_id, code in session.execute(select(KnowledgePoint.id, KnowledgePoint.code))
        if code in column_of
    }
    tags = _tags(session, kp_column, len(truth.kp_codes))
    bank = replay_item_bank(truth.seed, len(truth.student_numbers))
    bank_index = {item.code: j for j, item in enumerate(bank)}
    diagnosis: list[float] = []
    baseline: list[float] = []
    unmastered: list[float] = []
    share_unmastered: list[float] = []
    success: list[float] = []
    predicted: list[float] = []
    reference_hits: list[float] = []
    fitted = diagnosis_service.fit_mastery_model(session, as_of=as_of)
    reference = truth_reference(session, truth, len(truth.mastery) - 1, as_of, fitted)
    low, high = DEFAULT_SUCCESS_BAND
    for school_code, class_name in (name.split("/", 1) for name in truth.class_names):
        sets = practice_service.class_practice(
            session,
            actor=BENCHMARK,
            school_code=school_code,
            class_name=class_name,
            as_of=as_of,
        )
        numbers = [s.student_number for s in sets if s.student_number in row_of]
        lost, possible = _points_lost(session, numbers, tags, as_of)
        taught = possible.sum(axis=0) > 0
        if taught.sum() < K:
            continue
        recommended = {s.student_number: s.weak_kp_codes[:K] for s in sets}
        share = np.where(possible > 0, lost / np.maximum(possible, 1e-12), -1.0)
        rows = [row_of[n] for n in numbers]
        by_number = {s.student_number: s for s in sets}
        for row, number in enumerate(numbers):
            true_p = np.where(taught, true_mastery[row_of[number]], np.inf)
            order = np.argsort(true_p, kind="stable")
            weakest = set(order[:K].tolist())
            picked = {column_of[code] for code in recommended[number]}
            by_reference = np.where(taught, reference[row_of[number]], np.inf)
            lowest = set(np.argsort(np.nan_to_num(by_reference, nan=np.inf), kind="stable")[:K])
            reference_hits.append(len(lowest & weakest) / K)
            diagnosis.append(len(picked & weakest) / K)
            below = [k for k in order[:K].tolist() if true_p[k] < MASTERED]
            if below:
                unmastered.append(len(picked & set(below)) / len(below))
            if picked:
                share_unmastered.append(np.mean([true_p[k] < MASTERED for k in picked]))
            items = [i for i in by_number[number].items if i.item_code in bank_index]
            chosen = [bank_index[i.item_code] for i in items]
            predicted.extend(i.predicted_success for i in items)
            if chosen:
                true_rates = true_success([bank[j] for j in chosen], truth, -1, [rows[row]])[0]
                success.extend(true_rates.tolist())
            lost_share = np.where(taught, share[row], -np.inf)
            raw = set(np.argsort(-lost_share, kind="stable")[:K].tolist())
            baseline.append(len(raw & weakest) / K)
    lead = np.array(diagnosis) - np.array(baseline)
    rates = np.array(success)
    return Quality(
        diagnosis=float(np.mean(diagnosis)) if diagnosis else 0.0,
        wrong_items=float(np.mean(baseline)) if baseline else 0.0,
        lead_se=float(lead.std(ddof=1) / np.sqrt(lead.size)) if lead.size > 1 else 0.0,
        n_students=len(diagnosis),
        as_of=as_of,
        unmastered_precision=float(np.mean(unmastered)) if unmastered else float("nan"),
        share_unmastered=float(np.mean(share_unmastered)) if share_unmastered else float("nan"),
        realised_success=float(rates.mean()) if rates.size else float("nan"),
        share_in_band=float(((rates >= low) & (rates <= high)).mean()) if rates.size else 0.0,
        predicted_success=float(np.mean(predicted)) if predicted else float("nan"),
        reference=float(np.mean(reference_hits)) if reference_hits else float("nan"),
    )


def time_booklets(session: Session, *, as_of: date) -> dict[str, float]:
    """Seconds to make 50 students' practice sets, the model already calibrated."""
    fitted = diagnosis_service.fit_mastery_model(session, as_of=as_of)
    student_ids = _fifty_students(session)
    start = time.perf_counter()
    sets = practice_service.practice_sets(
        session, actor=BENCHMARK, student_ids=student_ids, as_of=as_of
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "n_sets": len(sets),
        "n_items": sum(len(s.items) for s in sets),
        "model_fit_seconds": round(fitted.fit_seconds, 2),
    }


def _fifty_students(session: Session) -> list[int]:
    """The largest class, topped up with students of the same school and grade."""
    rows = session.execute(
        select(Student.id, SchoolClass.id, SchoolClass.school_id, SchoolClass.grade_id)
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .order_by(SchoolClass.id, Student.student_number)
    ).all()
    by_class: dict[int, list[int]] = {}
    for student_id, class_id, _, _ in rows:
        by_class.setdefault(class_id, []).append(student_id)
    largest = max(by_class, key=lambda c: (len(by_class[c]), -c))
    school_grade = {(r[1]): (r[2], r[3]) for r in rows}
    chosen = list(by_class[largest])
    for class_id, students in by_class.items():
        if class_id != largest and school_grade[class_id] == school_grade[largest]:
            chosen.extend(students[: BOOKLET_STUDENTS - len(chosen)])
        if len(chosen) >= BOOKLET_STUDENTS:
            break
    return chosen[:BOOKLET_STUDENTS]


def _tags(
    session: Session, kp_column: dict[int, int], n_kps: int
) -> dict[int, list[tuple[int, float]]]:
    """Each item's point-level KP columns with their weights, weights summing to 1."""
    tags: dict[int, list[tuple[int, float]]] = {}
    for item_id, kp_id, weight in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
    ):
        if kp_id in kp_column and weight > 0:
            tags.setdefault(item_id, []).append((kp_column[kp_id], weight))
    for item_id, pairs in tags.items():
        total = sum(w for _, w in pairs)
        tags[item_id] = [(k, w / total) for k, w in pairs if k < n_kps]
    return tags


def _points_lost(
    session: Session,
    numbers: list[str],
    tags: dict[int, list[tuple[int, float]]],
    as_of: date,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points lost and points possible, tag-weighted, shape (n_students, n_kps)."""
    n_kps = 1 + max((k for pairs in tags.values() for k, _ in pairs), default=0)
    row_of = {number: i for i, number in enumerate(numbers)}
    lost = np.zeros((len(numbers), n_kps))
    possible = np.zeros((len(numbers), n_kps))
    exam = (
        select(
            Student.student_number, AssessmentItem.item_id, Score.score, AssessmentItem.full_score
        )
        .join(Student, Student.id == Score.student_id)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .where(Student.student_number.in_(numbers), Assessment.held_on <= as_of)
    )
    homework = (
        select(
            Student.student_number,
            LearningEvent.item_id,
            LearningEvent.score,
            LearningEvent.is_correct,
            Item.full_score,
        )
        .join(Student, Student.id == LearningEvent.student_id)
        .join(Item, Item.id == LearningEvent.item_id)
        .where(Student.student_number.in_(numbers), LearningEvent.occurred_at < end_of(as_of))
    )
    answers: list[tuple[str, int | None, float, float]] = [
        (number, item_id, float(score), float(full))
        for number, item_id, score, full in session.execute(exam)
    ]
    for number, item_id, rate, is_correct, full in session.execute(homework):
        if rate is None and is_correct is None:
            continue
        value = rate if rate is not None else float(bool(is_correct))
        answers.append((number, item_id, float(value) * full, float(full)))
    for number, item_id, score, full in answers:
        for k, weight in tags.get(item_id or -1, []):
            lost[row_of[number], k] += weight * (full - score)
            possible[row_of[number], k] += weight * full
    return lost, possible
