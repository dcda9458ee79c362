"""How simulated students answer items, and a week of homework.

An item's ability input is a conjunctive mix of its knowledge points' mastery logits: half the
weighted mean, half the weakest KP, because one missing KP is enough to fail a maths item. The score
follows a 3PL-like curve for objective items (0 or full) and a binomial over the score points, with
extra per-answer noise so partial marks are common, for short-answer and essay items.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expit

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

CONJUNCTIVE_WEIGHT = 0.5  # share of the weakest KP in an item's ability input
OBJECTIVE_GUESSING = 0.2  # default lower asymptote of 0/full items (choice ≈ 0.25, fill-in ≈ 0)
PARTIAL_NOISE = 0.7  # logits of per-answer noise that spreads partial credit over the scale
HOMEWORK_EASE = 0.3  # logits: homework is untimed and open-book
RECENT_WEEKS = 2  # homework mostly practises KPs taught in the last two weeks
PRACTICE_GAIN, PRACTICE_CORRECT_BONUS = 0.08, 0.05  # logits per attempt, times (1 - P(mastered))
NOT_TAUGHT = 10**6
DAY_WEIGHTS = np.array([0.2, 0.2, 0.2, 0.2, 0.08, 0.06, 0.06])  # Monday first; weekends less
EVENING_START_S = 18 * 3600
EVENING_SPREAD_S = 200 * 60  # start by 21:20 so that six items end before 22:00
ITEM_SECONDS = (60, 360)
ITEM_SKIP = 0.03  # an item left out of homework that is handed in


@dataclass(frozen=True)
class HomeworkLog:
    """Homework attempts in long format, in week order; skipped items are absent; and the
    assignments themselves (one per class and week, its items in order).

    Attributes
    ----------
    set_class, set_week, set_item : Int32Array, shape (n_set,)
        One row per item of an assignment: the class (index), week and item set, in order.
    student, item, week : Int32Array, shape (n_attempts,)
    day_offset_seconds : Int32Array, shape (n_attempts,)
        Seconds since Monday 00:00 of ``week``; all in the evening, 18:00-22:00.
    score : Float32Array, shape (n_attempts,)
        0..full score (0 or full for objective items).
    correct : BoolArray, shape (n_attempts,)
        ``score == full score``.
    """

    student: Int32Array
    item: Int32Array
    week: Int32Array
    day_offset_seconds: Int32Array
    score: Float32Array
    correct: BoolArray
    set_class: Int32Array
    set_week: Int32Array
    set_item: Int32Array

    @classmethod
    def empty(cls) -> HomeworkLog:
        """A log without attempts."""
        no_ints = np.zeros(0, dtype=np.int32)
        return cls(
            no_ints,
            no_ints,
            no_ints,
            no_ints,
            np.zeros(0, np.float32),
            np.zeros(0, bool),
            no_ints,
            no_ints,
            no_ints,
        )

    @classmethod
    def concatenate(cls, parts: list[HomeworkLog]) -> HomeworkLog:
        """One log of all ``parts``, in their order."""
        if not parts:
            return cls.empty()
        return cls(
            student=np.concatenate([part.student for part in parts]),
            item=np.concatenate([part.item for part in parts]),
            week=np.concatenate([part.week for part in parts]),
            day_offset_seconds=np.concatenate([part.day_offset_seconds for part in parts]),
            score=np.concatenate([part.score for part in parts]),
            correct=np.concatenate([part.correct for part in parts]),
            set_class=np.concatenate([part.set_class for part in parts]),
            set_week=np.concatenate([part.set_week for part in parts]),
            set_item=np.concatenate([part.set_item for part in parts]),
        )


@dataclass(frozen=True)
class ItemTable:
    """Item parameters with each item's KPs as a short padded list, for fast gathers.

    Attributes
    ----------
    kps : IntArray, shape (n_items, width)
        KP indices, heaviest first; padding entries have weight 0.
    weights : FloatArray, shape (n_items, width)
    dense_weights : FloatArray, shape (n_items, n_kps)
    difficulty, discrimination, guessing : FloatArray, shape (n_items,)
    full_score : IntArray, shape (n_items,)
    is_partial_credit : BoolArray, shape (n_items,)
    grade : IntArray, shape (n_items,)
    """

    kps: IntArray
    weights: FloatArray
    dense_weights: FloatArray
    difficulty: FloatArray
    discrimination: FloatArray
    guessing: FloatArray
    full_score: IntArray
    is_partial_credit: BoolArray
    grade: IntArray

    @classmethod
    def from_arrays(
        cls,
        kp_weights: FloatArray,
        difficulty: FloatArray,
        discrimination: FloatArray,
        full_score: FloatArray,
        is_partial_credit: BoolArray,
        grade: IntArray,
        guessing: FloatArray | None,
    ) -> ItemTable:
        """Build the table from an item pool's arrays (already validated)."""
        dense = np.asarray(kp_weights, dtype=np.float64)
        width = max(int((dense > 0).sum(axis=1).max(initial=1)), 1)
        kps = np.argsort(-dense, axis=1, kind="stable")[:, :width]
        partial = np.asarray(is_partial_credit, dtype=bool)
        if guessing is None:
            guessing = np.where(partial, 0.0, OBJECTIVE_GUESSING)
        return cls(
            kps=kps.astype(np.int64),
            weights=np.take_along_axis(dense, kps, axis=1),
            dense_weights=dense,
            difficulty=np.asarray(difficulty, dtype=np.float64),
            discrimination=np.asarray(discrimination, dtype=np.float64),
            guessing=np.asarray(guessing, dtype=np.float64),
            full_score=np.rint(full_score).astype(np.int64),
            is_partial_credit=partial,
            grade=np.asarray(grade, dtype=np.int64),
        )

    def latest_taught(self, taught_week: IntArray) -> IntArray:
        """Week by which all of each item's KPs are taught, shape (n_items,)."""
        weeks = np.where(self.weights > 0, taught_week[self.kps], np.iinfo(np.int64).min)
        latest: IntArray = weeks.max(axis=1)
        return latest

    def ability_input(self, logit: Float32Array, rows: IntArray, items: IntArray) -> FloatArray:
        """Conjunctive mix of KP logits, shape (n_rows, m), for ``items`` (n_rows or 1, m)."""
        values = logit[rows[:, None, None], self.kps[items]].astype(np.float64)
        weights = self.weights[items]
        mean = (values * weights).sum(axis=-1)
        weakest = np.where(weights > 0, values, np.inf).min(axis=-1)
        mixed: FloatArray = (1 - CONJUNCTIVE_WEIGHT) * mean + CONJUNCTIVE_WEIGHT * weakest
        return mixed


def draw_scores(
    ability_input: FloatArray, items: IntArray, table: ItemTable, rng: np.random.Generator
) -> Float32Array:
    """Scores, shape (n, m), for ``ability_input`` (n, m) on ``items`` (n or 1, m)."""
    shape = ability_input.shape
    z = table.discrimination[items] * (ability_input - table.difficulty[items])
    full = np.broadcast_to(table.full_score[items], shape)
    partial = np.broadcast_to(table.is_partial_credit[items], shape)
    guess = table.guessing[items]
    is_right = rng.random(shape) < guess + (1 - guess) * expit(z)
    step = expit(z + PARTIAL_NOISE * rng.standard_normal(shape))
    points = rng.binomial(np.where(partial, full, 0), step)
    return np.where(partial, points, full * is_right).astype(np.float32)


def do_homework(
    logit: Float32Array,
    *,
    rows: IntArray,
    class_of_student: IntArray,
    grade: int,
    taught_week: IntArray,
    week: int,
    n_items: int,
    skip: FloatArray,
    table: ItemTable,
    rng: np.random.Generator,
) -> HomeworkLog:
    """One week's homework of one grade: assign, answer, log, and practise (``logit`` in place).

    Parameters
    ----------
    logit : Float32Array, shape (n_students, n_kps)
        Mastery logits; practised KPs rise.
    rows : IntArray, shape (n_rows,)
        Students of ``grade``.
    class_of_student : IntArray, shape (n_students,)
    grade : int
    taught_week : IntArray, shape (n_kps,)
        Week each KP is taught to this grade (negative: earlier; ``NOT_TAUGHT``: later).
    week : int
    n_items : int
        Items per class.
    skip : FloatArray, shape (n_students,)
        Probability of not handing the homework in at all (缺交); of work handed in, each item
        but the first is left out with probability ``ITEM_SKIP``.
    table : ItemTable
    rng : numpy.random.Generator

    Returns
    -------
    HomeworkLog
    """
    latest = table.latest_taught(taught_week)
    eligible = np.flatnonzero((table.grade == grade) & (latest <= week))
    if eligible.size == 0 or n_items == 0 or rows.size == 0:
        return HomeworkLog.empty()
    classes, position = np.unique(class_of_student[rows], return_inverse=True)
    recency = (latest[eligible] >= week - RECENT_WEEKS).astype(float) + (latest[eligible] == week)
    keys = rng.random((classes.size, eligible.size)) + recency
    chosen = eligible[np.argsort(-keys, axis=1)[:, : min(n_items, eligible.size)]]
    assigned = chosen[position]
    draw = rng.random(assigned.shape)
    is_handed_in = draw[:, 0] >= skip[rows]
    is_done = is_handed_in[:, None] & (draw >= ITEM_SKIP)
    is_done[:, 0] = is_handed_in
    ability = table.ability_input(logit, rows, assigned) + HOMEWORK_EASE
    score = draw_scores(ability, assigned, table, rng)
    correct = score == table.full_score[assigned]

    practised = np.unique(table.kps[chosen][table.weights[chosen] > 0])
    step = is_done * (PRACTICE_GAIN + PRACTICE_CORRECT_BONUS * correct)
    gain = np.einsum("nj,nju->nu", step, table.dense_weights[:, practised][assigned])
    block = logit[np.ix_(rows, practised)]
    block += (gain * expit(-block)).astype(np.float32)  # diminishing returns near mastery
    logit[np.ix_(rows, practised)] = block

    day = rng.choice(DAY_WEIGHTS.size, size=rows.size, p=DAY_WEIGHTS)
    start = EVENING_START_S + rng.integers(0, EVENING_SPREAD_S, rows.size)
    seconds = rng.integers(ITEM_SECONDS[0], ITEM_SECONDS[1] + 1, assigned.shape)
    offset = (day * 86400 + start)[:, None] + np.cumsum(seconds, axis=1) - seconds
    r, j = np.nonzero(is_done)
    return HomeworkLog(
        student=rows[r].astype(np.int32),
        item=assigned[r, j].astype(np.int32),
        week=np.full(r.size, week, dtype=np.int32),
        day_offset_seconds=offset[r, j].astype(np.int32),
        score=score[r, j],
        correct=correct[r, j],
        set_class=np.repeat(classes, chosen.shape[1]).astype(np.int32),
        set_week=np.full(chosen.size, week, dtype=np.int32),
        set_item=chosen.ravel().astype(np.int32),
    )
