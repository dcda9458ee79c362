"""Fairness of the mastery estimates and of the early warnings across groups of students, against
the demo district's hidden ground truth (``yincai bench fairness --data-dir D``).

Groups (``DIMENSIONS``): the school's setting (urban / township / rural), its stage (junior or
nine-year school), the student's gender, and their activities: ``many`` with at least
``MANY_ACTIVITIES`` (3) arts or sports growth-archive records (the records the demo plants, read
from the database as the fairness page reads them), ``others`` below. The demo draws the
activities independently of ability given the school, so a gap there is the models' own (an
urban student has more clubs: setting and activities overlap).

* ``mastery/…``: the stored estimates of the newest ready run (what every page shows; computed
  first when the district has no current run, as ``yincai demo`` leaves it computed), maths,
  against the truth at the end of the semester, on every (student, point) pair taught to the
  student's grade (as ``bench mastery`` counts them): ``auc`` against the true state (mastered =
  true P ≥ 0.5), ``calibration_error`` (10 bins) and ``mean_error`` (level − true P) against the
  true P, and ``within_student_auc``: each student's own taught points ranked against their true
  state, averaged over the group's students. Students without a diagnosis consent are left out
  (the pages show them the prior, not an estimate).
* ``early-warnings/…``: the student warnings (declining students and chronic absentees, standard
  limits) against the planted students at risk (declining students and chronic absentees), over
  the students the truth covers: ``recall``, ``precision``, ``false_positive_rate`` and
  ``mean_error`` (share warned − share at risk).
  ``early-warnings-sensitive/…``: the same under the sensitive limits (more false alarms).
* ``decline-score/auc``: the combined decline signal behind the decline warnings, as a ranking of
  every student, against the planted declining students.

One row per (case, dimension): each group's value, ``max_gap`` (max − min over the groups that
have a value), the pair that spans it, the groups' sizes and whether the gap meets the target
(``TARGET_GAP`` = 0.02). Few students are planted (about 1.4 %), so on a small district the
warnings' per-group rates rest on a handful of students each: ``n_at_risk`` says how many.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import BENCHMARK
from yincai.cockpit.cache import analyse
from yincai.cockpit.detection import WarningKind, decline_signals
from yincai.cockpit.warnings import SENSITIVE, STANDARD
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.truth import GroundTruth, load_ground_truth
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.refresh import refresh_mastery
from yincai.domain.models import (
    District,
    Gender,
    Grade,
    GrowthRecord,
    School,
    SchoolClass,
    Setting,
    Stage,
    Student,
)
from yincai.fairness.outcomes import ACTIVITY_RECORDS, MANY_ACTIVITIES
from yincai.science import fairness
from yincai.science.fairness import TARGET_GAP
from yincai.science.metrics import within_row_auc

DIMENSIONS: dict[str, tuple[str, ...]] = {
    "setting": tuple(s.value for s in Setting),
    "stage": tuple(s.value for s in Stage),
    "gender": tuple(g.value for g in Gender),
    "activities": ("many", "others"),
}
SIZE_KEYS = ("n_pairs", "n_at_risk", "n_declining")  # the printed group sizes
STUDENT_WARNINGS = (WarningKind.DECLINING_STUDENT, WarningKind.CHRONIC_ABSENCE)

Labels = dict[str, npt.NDArray[np.str_]]  # dimension → one label per row


def run(data_dir: Path, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every fairness row: mastery, then the early warnings and the decline score (the
    district's database is ``settings``' when given, else the one in ``data_dir``)."""
    settings = Settings(data_dir=data_dir) if settings is None else settings
    truth = load_ground_truth(settings.ground_truth_path)
    engine = make_engine(settings)
    try:
        refresh_mastery(engine, subject_code=truth.subject)  # nothing to do when current
        with session_scope(engine) as session:
            students = _students(session)
            rows = _mastery_rows(session, truth, students)
            rows.extend(_warning_rows(session, truth, students))
            session.rollback()  # the audit rows of the reads are not kept
    finally:
        engine.dispose()
    return rows


def _students(session: Session) -> dict[str, tuple[int, int, dict[str, str]]]:
    """Student number → (id, grade level, {dimension: group})."""
    activities = dict(
        session.execute(
            select(GrowthRecord.student_id, func.count())
            .where(GrowthRecord.dimension.in_(ACTIVITY_RECORDS))
            .group_by(GrowthRecord.student_id)
        ).all()
    )
    out: dict[str, tuple[int, int, dict[str, str]]] = {}
    for number, student_id, gender, setting, stage, level in session.execute(
        select(
            Student.student_number,
            Student.id,
            Student.gender,
            School.setting,
            School.stage,
            Grade.level,
        )
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
    ):
        many = activities.get(student_id, 0) >= MANY_ACTIVITIES
        groups = {
            "setting": str(setting),
            "stage": str(stage),
            "gender": str(gender),
            "activities": "many" if many else "others",
        }
        out[number] = (student_id, level, groups)
    return out


def _mastery_rows(
    session: Session, truth: GroundTruth, students: Mapping[str, tuple[int, int, dict[str, str]]]
) -> list[dict[str, Any]]:
    row_of = {n: row for row, n in enumerate(truth.student_numbers)}
    numbers = [n for n in truth.student_numbers if n in students]
    rows_of_truth = [row_of[n] for n in numbers]
    table = diagnosis_service.students_mastery(
        session, actor=BENCHMARK, student_ids=[students[n][0] for n in numbers]
    )
    columns = [truth.kp_codes.index(code) for code in table.kp_codes]
    true_p = truth.mastery[-1][np.ix_(rows_of_truth, columns)].astype(np.float64)
    grade = np.array([students[n][1] for n in numbers])
    taught = np.zeros_like(table.n_evidence, dtype=bool)
    for level in np.unique(grade):
        in_grade = grade == level
        taught[in_grade] = (table.n_evidence[in_grade] > 0).any(axis=0)
    hidden = set(table.without_consent)  # shown the prior, not an estimate: left out
    taught[[students[n][0] in hidden for n in numbers]] = False
    estimate = table.mastery[taught]
    truth_p = true_p[taught]
    state = (truth_p >= 0.5).astype(np.float64)
    per_student = _labels([students[n][2] for n in numbers])
    labels = {
        dim: np.broadcast_to(values[:, None], taught.shape)[taught]
        for dim, values in per_student.items()
    }
    n_pairs = {dim: _counts(values) for dim, values in labels.items()}
    rows = []
    metrics: tuple[tuple[str, Callable[..., dict[str, float]], np.ndarray], ...] = (
        ("auc", fairness.group_auc, state),
        ("calibration_error", fairness.group_calibration_error, truth_p),
        ("mean_error", fairness.group_mean_error, truth_p),
    )
    for name, metric, target in metrics:
        for dim, order in DIMENSIONS.items():
            values = metric(target, estimate, labels[dim], order)
            rows.append(_row(f"mastery/{name}", dim, values, {"n_pairs": n_pairs[dim]}))
    for dim, order in DIMENSIONS.items():  # each student's own points ranked, as a booklet does
        within = {
            group: within_row_auc(true_p[inside] >= 0.5, table.mastery[inside], taught[inside])
            for group in order
            if (inside := per_student[dim] == group).any()
        }
        rows.append(_row("mastery/within_student_auc", dim, within, {"n_pairs": n_pairs[dim]}))
    return rows


def _warning_rows(
    session: Session, truth: GroundTruth, students: Mapping[str, tuple[int, int, dict[str, str]]]
) -> list[dict[str, Any]]:
    district_id = session.scalar(select(District.id).order_by(District.id).limit(1))
    if district_id is None:
        return []
    analysed = analyse(session, district_id)
    data = analysed.data
    covered = set(truth.student_numbers)
    keep = np.array([n in covered and n in students for n in data.student_numbers], dtype=bool)
    numbers = [n for n, k in zip(data.student_numbers, keep, strict=True) if k]
    ids = data.student_ids[keep]
    declining = set(truth.declining_students)
    at_risk_numbers = declining | set(truth.chronic_absentees)
    at_risk = np.array([n in at_risk_numbers for n in numbers], dtype=np.float64)
    is_declining = np.array([n in declining for n in numbers], dtype=np.float64)
    combined = decline_signals(data, analysed.view, STANDARD).combined[keep]
    score = np.where(np.isfinite(combined), -combined, -np.inf)  # no evidence: lowest risk
    labels = _labels([students[n][2] for n in numbers])
    rows = []
    for model, limits in (("early-warnings", STANDARD), ("early-warnings-sensitive", SENSITIVE)):
        warned_ids = {
            w.subject.student_id
            for w in analysed.warnings(limits)
            if w.kind in STUDENT_WARNINGS and w.subject.student_id is not None
        }
        warned = np.array([int(s) in warned_ids for s in ids], dtype=np.float64)
        for name, metric in (
            ("recall", fairness.recall),
            ("precision", fairness.precision),
            ("false_positive_rate", fairness.false_positive_rate),
            ("mean_error", fairness.mean_error),
        ):
            for dim, order in DIMENSIONS.items():
                values = fairness.by_group(metric, at_risk, warned, labels[dim], order)
                extra = {
                    "n_students": _counts(labels[dim]),
                    "n_at_risk": _counts(labels[dim][at_risk == 1]),
                    "n_warned": _counts(labels[dim][warned == 1]),
                }
                rows.append(_row(f"{model}/{name}", dim, values, extra))
    for dim, order in DIMENSIONS.items():
        values = fairness.group_auc(is_declining, score, labels[dim], order)
        extra = {"n_declining": _counts(labels[dim][is_declining == 1])}
        rows.append(_row("decline-score/auc", dim, values, extra))
    return rows


def _labels(groups: list[dict[str, str]]) -> Labels:
    return {dim: np.array([g[dim] for g in groups]) for dim in DIMENSIONS}


def _counts(values: npt.NDArray[np.str_]) -> dict[str, int]:
    return {label: int(n) for label, n in zip(*np.unique(values, return_counts=True), strict=True)}


def _row(
    case: str, dimension: str, values: Mapping[str, float], extra: Mapping[str, Any]
) -> dict[str, Any]:
    gap = fairness.max_gap(values)
    pair = fairness.widest_pair(values)
    return {
        "suite": "fairness",
        "dataset": "demo-district",
        "case": case,
        "kind": dimension,
        "metrics": {
            "dimension": dimension,
            **{k: (round(v, 4) if np.isfinite(v) else None) for k, v in values.items()},
            "max_gap": round(gap, 4) if np.isfinite(gap) else None,
            "widest": f"{pair[0]}–{pair[1]}" if pair and gap > 0 else None,
            "meets_target": bool(gap <= TARGET_GAP) if np.isfinite(gap) else None,
            **extra,
        },
    }


def display_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows for the printed table: the groups' values in one column, then the gap."""
    out = []
    for row in rows:
        metrics = row["metrics"]
        groups = DIMENSIONS[metrics["dimension"]]
        sizes = next((metrics[k] for k in SIZE_KEYS if k in metrics), None)
        out.append(
            {
                "suite": row["suite"],
                "case": row["case"],
                "kind": row["kind"],
                "metrics": {
                    "by_group": {g: metrics[g] for g in groups if g in metrics},
                    "max_gap": metrics["max_gap"],
                    "widest": metrics["widest"],
                    "meets_target": metrics["meets_target"],
                    "n": sizes,
                },
            }
        )
    return out
