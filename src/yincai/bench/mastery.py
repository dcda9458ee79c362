"""Knowledge-point mastery checked against the demo district's hidden ground truth.

Run by ``yincai bench mastery --data-dir D`` on a district built by ``yincai demo``. At each
checkpoint of the truth (each exam week, then the end of the semester) the model is calibrated and
applied on the evidence up to the end of that week (the truth is taken after that week's
teaching, homework and exam), then compared with the true state, mastered = true P ≥ 0.5. The
estimate is the level every surface shows (``diagnosis.levels``), the true P its counterpart.

Population: every (student, point-level KP) pair whose KP has been *taught to the student's
grade* by then, i.e. some student of the same grade has a response on it, whether or not this
student has one. KPs of earlier grades (taught last year, no evidence this semester) and KPs not
yet taught are left out.

* ``auc``: pooled over all pairs, mostly between students; ``student_mean_auc`` the same for the
  baseline that gives every point of a student that student's mean level (ability alone).
* ``within_student_spearman`` / ``within_student_auc``: the ranking of each student's own taught
  points against their true P (resp. true mastered state), averaged over students. This is what a
  personalised booklet depends on; the student-mean baseline scores 0 / 0.5 here.
* ``reference_spearman`` / ``reference_auc``: the same two for a reference that knows the
  simulation's true item parameters, scoring rule and averages (``bench.mastery_ceiling``): what
  any diagnosis could reach on these responses, beside what ours reaches.
* ``calibration_error``: expected calibration error over 10 equal-width bins of the level against
  the true P; ``brier``: mean squared error of the level against the binary true state.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from yincai.accounts.actors import BENCHMARK
from yincai.bench.mastery_ceiling import truth_reference
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.truth import load_ground_truth, replay_item_bank
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import Grade, Item, SchoolClass, Student
from yincai.science.metrics import roc_auc, within_row_auc, within_row_spearman

N_BINS = 10
WEEK_END = timedelta(days=6)


def calibration_error(truth: np.ndarray, predicted: np.ndarray, n_bins: int = N_BINS) -> float:
    """Expected calibration error: Σ_bins share × |mean predicted − observed rate|."""
    bins = np.minimum((predicted * n_bins).astype(np.int64), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.mean() * abs(predicted[inside].mean() - truth[inside].mean())
    return float(total)


def run(data_dir: Path) -> list[dict[str, Any]]:
    """One row per checkpoint, plus one on item-difficulty recovery."""
    settings = Settings(data_dir=data_dir)
    truth = load_ground_truth(settings.ground_truth_path)
    engine = make_engine(settings)
    rows: list[dict[str, Any]] = []
    try:
        with session_scope(engine) as session:
            by_number = {
                number: (student_id, level)
                for number, student_id, level in session.execute(
                    select(Student.student_number, Student.id, Grade.level)
                    .join(SchoolClass, SchoolClass.id == Student.school_class_id)
                    .join(Grade, Grade.id == SchoolClass.grade_id)
                )
            }
            student_ids = [by_number[n][0] for n in truth.student_numbers]
            grade = np.array([by_number[n][1] for n in truth.student_numbers])
            fitted = None
            seen: set[int] = set()  # evidence counts already reported: a checkpoint without new
            for checkpoint, day in enumerate(truth.checkpoint_dates):  # evidence is not repeated
                as_of = date.fromisoformat(day) + WEEK_END
                start = time.perf_counter()
                fitted = diagnosis_service.fit_mastery_model(session, as_of=as_of)
                fit_seconds = time.perf_counter() - start
                table = diagnosis_service.students_mastery(
                    session, actor=BENCHMARK, student_ids=student_ids, as_of=as_of
                )
                predict_seconds = time.perf_counter() - start - fit_seconds
                n_evidence = int(table.n_evidence.sum())
                if n_evidence in seen:
                    continue
                seen.add(n_evidence)
                columns = [truth.kp_codes.index(code) for code in table.kp_codes]
                true_p = truth.mastery[checkpoint][:, columns]
                taught = np.zeros_like(table.n_evidence, dtype=bool)
                for level in np.unique(grade):
                    in_grade = grade == level
                    taught[in_grade] = (table.n_evidence[in_grade] > 0).any(axis=0)
                is_mastered = (true_p[taught] >= 0.5).astype(np.float64)
                estimate = table.mastery[taught]
                reference = truth_reference(session, truth, checkpoint, as_of, fitted)[:, columns]
                level = np.where(taught, table.mastery, np.nan)
                student_mean = np.nanmean(level, axis=1, keepdims=True) * np.ones_like(level)
                rows.append(
                    {
                        "suite": "diagnosis",
                        "dataset": "demo-district",
                        "model": "mastery",
                        "case": f"as of {as_of.isoformat()}",
                        "metrics": {
                            "auc": round(roc_auc(is_mastered, estimate), 4),
                            "student_mean_auc": round(
                                roc_auc(is_mastered, student_mean[taught]), 4
                            ),
                            "within_student_spearman": round(
                                within_row_spearman(true_p, table.mastery, taught), 4
                            ),
                            "within_student_auc": round(
                                within_row_auc(true_p >= 0.5, table.mastery, taught), 4
                            ),
                            "reference_spearman": round(
                                within_row_spearman(true_p, reference, taught), 4
                            ),
                            "reference_auc": round(
                                within_row_auc(true_p >= 0.5, reference, taught), 4
                            ),
                            "calibration_error": round(
                                calibration_error(true_p[taught], estimate), 4
                            ),
                            "brier": round(float(np.mean((estimate - is_mastered) ** 2)), 4),
                            "n_pairs": int(taught.sum()),
                            "share_mastered": round(float(is_mastered.mean()), 4),
                            "fit_seconds": round(fit_seconds, 2),
                            "predict_seconds": round(predict_seconds, 2),
                        },
                    }
                )
            if fitted is not None:
                rows.extend(_difficulty_recovery(session, fitted, truth.seed, len(student_ids)))
    finally:
        engine.dispose()
    return rows


def _difficulty_recovery(
    session: Any, fitted: diagnosis_service.FittedMastery, seed: int, n_students: int
) -> list[dict[str, Any]]:
    """Correlation of the calibrated difficulties with the item bank's designed ones."""
    designed = {i.code: i.difficulty for i in replay_item_bank(seed, n_students)}
    answered = set(session.scalars(select(Item.code)))
    pairs = [
        (designed[code], float(fitted.model.difficulty_[k]))
        for k, code in enumerate(fitted.item_codes)
        if code in designed and code in answered
    ]
    if len(pairs) < 3:
        return []
    values = np.array(pairs)
    return [
        {
            "suite": "diagnosis",
            "dataset": "demo-district",
            "model": "mastery",
            "case": "item difficulty recovery",
            "metrics": {
                "difficulty_correlation": round(float(np.corrcoef(values.T)[0, 1]), 4),
                "n_items": len(pairs),
            },
        }
    ]
