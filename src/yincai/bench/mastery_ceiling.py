"""How well *any* diagnosis could rank a demo student's own points from the same responses.

A reference, not a model: it reads the responses the platform reads, but knows what no real
diagnosis can — every item's designed parameters, the simulation's own scoring rule (the
conjunctive mix of an item's points, the homework ease, the per-answer noise of partial credit),
the true level of the item's *other* points, and, as its prior, each grade's true average of each
point shifted by the student's own true average. Its within-student Spearman and AUC are an upper
reference for the figures ``bench mastery`` reports: the gap between the two is what better
modelling could still win; a target above the reference asks for information the data lacks.

Responses are told apart by time: the demo's exams are dated at midnight, its homework is done in
the evening (``demo.responses``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.special import expit
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.demo.itembank.bank import ItemSpec
from yincai.demo.responses import CONJUNCTIVE_WEIGHT, HOMEWORK_EASE, PARTIAL_NOISE
from yincai.demo.semester import GUESSING, PARTIAL_CREDIT_TYPES
from yincai.demo.truth import GroundTruth, replay_item_bank
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import Grade, SchoolClass, Student

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

GRID = np.linspace(-7.0, 7.0, 57)
NOISE_NODES = 9  # Gauss-Hermite nodes over the per-answer noise of partial credit
SECONDS_PER_DAY = 86_400
TINY = 1e-300


@dataclass(frozen=True)
class DemoResponses:
    """Responses of truth rows, in long format: ``item`` indexes ``items`` (None: no bank item)."""

    row: IntArray
    item: IntArray
    score: FloatArray  # score ÷ full score
    day: FloatArray  # days since 1970, with the time of day as a fraction


def truth_reference(
    session: Session,
    truth: GroundTruth,
    checkpoint: int,
    as_of: date,
    fitted: diagnosis_service.FittedMastery,
) -> FloatArray:
    """The reference's logits of every truth row at ``checkpoint`` from the responses up to
    ``as_of``, shape (n_rows, n_truth_kps): NaN for points the model does not know."""
    by_number = {
        number: (student_id, level)
        for number, student_id, level in session.execute(
            select(Student.student_number, Student.id, Grade.level)
            .join(SchoolClass, SchoolClass.id == Student.school_class_id)
            .join(Grade, Grade.id == SchoolClass.grade_id)
        )
    }
    row_of = {by_number[n][0]: r for r, n in enumerate(truth.student_numbers)}
    grade = np.array([by_number[n][1] for n in truth.student_numbers])
    responses = diagnosis_service.all_responses(session, fitted, subject_code=fitted.subject_code)
    end_day = (as_of - date(1970, 1, 1)).days + 1
    rows = np.array([row_of.get(int(s), -1) for s in responses.student_id], dtype=np.int64)
    keep = (rows >= 0) & (responses.day < end_day)
    rows, item = rows[keep], responses.item[keep]
    tagged = fitted.model.q_weights_ > 0
    taught = np.zeros((len(truth.student_numbers), fitted.n_kps), dtype=bool)
    for level in np.unique(grade):  # points some student of the grade has evidence on
        taught[grade == level] = tagged[item[grade[rows] == level]].any(axis=0)
    columns = [truth.kp_codes.index(code) for code in fitted.kp_codes]
    p = np.clip(truth.mastery[checkpoint][:, columns].astype(np.float64), 1e-6, 1 - 1e-6)
    bank = {spec.code: spec for spec in replay_item_bank(truth.seed, len(truth.student_numbers))}
    items = [bank.get(code) for code in fitted.item_codes]
    items += [None] * (tagged.shape[0] - len(items))  # the model's pseudo-items
    logits = reference_logits(
        np.log(p / (1 - p)),
        taught,
        grade,
        DemoResponses(rows, item, responses.score[keep], responses.day[keep]),
        items,
        {code: k for k, code in enumerate(fitted.kp_codes)},
    )
    out = np.full((len(truth.student_numbers), len(truth.kp_codes)), np.nan)
    out[:, columns] = logits
    return out


def reference_logits(
    true_logit: FloatArray,
    taught: BoolArray,
    grade: IntArray,
    responses: DemoResponses,
    items: Sequence[ItemSpec | None],
    kp_column: dict[str, int],
) -> FloatArray:
    """Posterior mean logit of every (row, point) under the true model, shape like ``true_logit``.

    ``true_logit`` (n_rows, n_kps) is the truth at the checkpoint, ``taught`` the cells scored,
    ``kp_column`` maps a point code to its column.
    """
    n_kps = true_logit.shape[1]
    prior_mean, prior_sd = _prior(true_logit, taught, grade)
    known = np.array([spec is not None for spec in items])
    keep = known[responses.item]
    is_exam = np.isclose(np.mod(responses.day[keep] * SECONDS_PER_DAY, SECONDS_PER_DAY), 0.0)
    rows, item, score = responses.row[keep], responses.item[keep], responses.score[keep]
    ease = np.where(is_exam, 0.0, HOMEWORK_EASE)
    pair_logs, pair_keys = [], []
    tags = [_tags(spec, kp_column) if spec is not None else ((), ()) for spec in items]
    n_tags = np.array([len(t[0]) for t in tags])[item]
    for size in np.unique(n_tags):
        at = np.flatnonzero(n_tags == size)
        columns = np.array([tags[i][0] for i in item[at]], dtype=np.int64).reshape(at.size, size)
        weights = np.array([tags[i][1] for i in item[at]]).reshape(at.size, size)
        values = true_logit[rows[at, None], columns]
        for t in range(size):
            others = [o for o in range(size) if o != t]
            mixed = (1 - CONJUNCTIVE_WEIGHT) * (
                weights[:, t : t + 1] * GRID[None, :]
                + (weights[:, others] * values[:, others]).sum(axis=1, keepdims=True)
            )
            weakest = values[:, others].min(axis=1, keepdims=True) if others else np.inf
            mixed += CONJUNCTIVE_WEIGHT * np.minimum(GRID[None, :], weakest)
            pair_logs.append(_log_likelihood(mixed + ease[at, None], item[at], score[at], items))
            pair_keys.append(rows[at] * n_kps + columns[:, t])
    posterior = prior_mean.copy()
    if not pair_keys:
        return posterior
    keys, inverse = np.unique(np.concatenate(pair_keys), return_inverse=True)
    log_likelihood = np.zeros((keys.size, GRID.size))
    np.add.at(log_likelihood, inverse, np.concatenate(pair_logs))
    r, k = keys // n_kps, keys % n_kps
    log_post = log_likelihood - 0.5 * ((GRID[None, :] - prior_mean[r, k, None]) / prior_sd) ** 2
    weight = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    posterior[r, k] = (weight @ GRID) / weight.sum(axis=1)
    return posterior


def _prior(true_logit: FloatArray, taught: BoolArray, grade: IntArray) -> tuple[FloatArray, float]:
    """Each grade's true mean of each point, moved by the student's own true average; the SD of
    what is left within students."""
    grade_mean = np.zeros_like(true_logit)
    for level in np.unique(grade):
        in_grade = grade == level
        grade_mean[in_grade] = true_logit[in_grade].mean(axis=0)
    cells = np.where(taught, true_logit, np.nan)
    shift = np.nanmean(cells, axis=1) - np.nanmean(np.where(taught, grade_mean, np.nan), axis=1)
    mean = grade_mean + np.nan_to_num(shift)[:, None]
    residual = np.where(taught, true_logit - mean, np.nan)
    return mean, float(np.sqrt(np.nanmean(residual**2)))


def _tags(spec: ItemSpec, kp_column: dict[str, int]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    pairs = [(kp_column[code], w) for code, w in spec.kp_weights if code in kp_column and w > 0]
    total = sum(w for _, w in pairs)
    return tuple(c for c, _ in pairs), tuple(w / total for _, w in pairs)


def _log_likelihood(
    ability: FloatArray, item: IntArray, score: FloatArray, items: Sequence[ItemSpec | None]
) -> FloatArray:
    """log P(score | ability on the grid), (n, n_grid), by the simulation's scoring rule."""
    specs = [items[i] for i in item]
    a = np.array([s.discrimination for s in specs if s is not None])[:, None]
    b = np.array([s.difficulty for s in specs if s is not None])[:, None]
    full = np.array([s.full_score for s in specs if s is not None])
    partial = np.array([s.item_type in PARTIAL_CREDIT_TYPES for s in specs if s is not None])
    guess = np.array([GUESSING.get(s.item_type, 0.0) for s in specs if s is not None])[:, None]
    eta = a * (ability - b)
    out: FloatArray = np.empty_like(eta)
    whole = ~partial
    right = guess[whole] + (1 - guess[whole]) * expit(eta[whole])
    out[whole] = np.where(score[whole, None] > 0.5, np.log(right), np.log1p(-right))
    if partial.any():
        nodes, node_weights = np.polynomial.hermite_e.hermegauss(NOISE_NODES)
        node_weights = node_weights / node_weights.sum()
        n = full[partial][:, None]
        k = np.rint(score[partial] * full[partial])[:, None]
        likelihood = np.zeros((int(partial.sum()), eta.shape[1]))
        for node, node_weight in zip(nodes, node_weights, strict=True):
            step = np.clip(expit(eta[partial] + PARTIAL_NOISE * node), 1e-9, 1 - 1e-9)
            likelihood += node_weight * np.exp(k * np.log(step) + (n - k) * np.log1p(-step))
        out[partial] = np.log(likelihood + TINY)
    return out
