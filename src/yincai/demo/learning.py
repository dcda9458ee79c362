"""How hidden mastery changes: where it starts, how teaching raises it, how it is forgotten.

Mastery of each knowledge point (KP) is a logit per student; general ability is in SD units.
Teaching a KP moves an average student from about -2.5 to about +0.5 logits (P ≈ 0.08 → 0.62);
a student one SD more able gains 0.9 logits more, and weak prerequisites shrink the gain.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from yincai.demo.responses import NOT_TAUGHT

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

LONG_AGO = -1000  # taught week of KPs from earlier semesters
# Starting state: retained earlier KPs (a little less per year since taught) ...
PRIOR_BASE, PRIOR_ABILITY, PRIOR_APTITUDE, PRIOR_YEAR_DECAY = 0.6, 1.2, 1.0, 0.3
# ... and KPs not yet taught (a little prior knowledge, more for able students).
UNTAUGHT_BASE, UNTAUGHT_ABILITY, UNTAUGHT_APTITUDE = -2.5, 0.4, 0.5
GAIN_BASE, GAIN_ABILITY, GAIN_APTITUDE, GAIN_NOISE = 3.0, 0.9, 1.0, 0.4
MIN_GAIN = 0.2  # teaching never makes a student worse
PREREQ_WEIGHT, PREREQ_CENTER = 2.0, 0.6  # prerequisites at P=0.2 cost 0.8 logits of gain
FORGET_RATE = 0.02  # share of the excess over the floor lost per week
FLOOR_BASE, FLOOR_ABILITY = -1.0, 0.8  # long-term retention rises with ability


def taught_week_of(
    grade: int, kp_grade: IntArray, is_taught_before: BoolArray, teach_week: IntArray
) -> IntArray:
    """Week each KP is taught to ``grade``, shape (n_kps,).

    ``LONG_AGO`` for KPs of lower grades or of an earlier semester of this grade, ``NOT_TAUGHT``
    for KPs of higher grades or of a later semester, else the teach week.
    """
    is_before = (kp_grade < grade) | ((kp_grade == grade) & is_taught_before)
    is_now = (kp_grade == grade) & ~is_before & (teach_week >= 0)
    return np.where(is_before, LONG_AGO, np.where(is_now, teach_week, NOT_TAUGHT))


def initial_logit(
    taught_week: dict[int, IntArray],
    kp_grade: IntArray,
    students_of_grade: dict[int, IntArray],
    ability: FloatArray,
    aptitude: Float32Array,
) -> Float32Array:
    """Mastery logits at the start of the semester, shape (n_students, n_kps).

    Parameters
    ----------
    taught_week : dict of grade to IntArray, shape (n_kps,)
    kp_grade : IntArray, shape (n_kps,)
    students_of_grade : dict of grade to IntArray
        Student indices of each grade.
    ability : FloatArray, shape (n_students,)
    aptitude : Float32Array, shape (n_students, n_kps)
    """
    logit = np.empty_like(aptitude)
    for grade, rows in students_of_grade.items():
        is_before = taught_week[grade] == LONG_AGO
        years_ago = grade - kp_grade
        base = np.where(is_before, PRIOR_BASE - PRIOR_YEAR_DECAY * years_ago, UNTAUGHT_BASE)
        ability_weight = np.where(is_before, PRIOR_ABILITY, UNTAUGHT_ABILITY)
        aptitude_weight = np.where(is_before, PRIOR_APTITUDE, UNTAUGHT_APTITUDE)
        logit[rows] = (
            base.astype(np.float32)
            + ability[rows, None].astype(np.float32) * ability_weight.astype(np.float32)
            + aptitude[rows] * aptitude_weight.astype(np.float32)
        )
    return logit


def retention_floor(ability: FloatArray) -> Float32Array:
    """Logit that forgetting decays towards, shape (n_students, 1)."""
    return (FLOOR_BASE + FLOOR_ABILITY * ability).astype(np.float32)[:, None]


def prerequisite_lists(edges: npt.NDArray[np.integer], n_kps: int) -> list[IntArray]:
    """Prerequisite KPs of each KP, from rows (kp, prerequisite kp)."""
    pairs = edges.reshape(-1, 2).astype(np.int64)
    return [pairs[pairs[:, 0] == kp, 1] for kp in range(n_kps)]


def teach(
    logit: Float32Array,
    rows: IntArray,
    kp: int,
    prerequisites: IntArray,
    ability: FloatArray,
    shift: FloatArray,
    multiplier: Float32Array,
    aptitude: Float32Array,
    rng: np.random.Generator,
) -> None:
    """Teach ``kp`` to the students ``rows``: raise their logits in place by a learning gain.

    Parameters
    ----------
    logit : Float32Array, shape (n_students, n_kps)
    rows : IntArray, shape (n_rows,)
    kp : int
    prerequisites : IntArray, shape (n_prerequisites,)
    ability : FloatArray, shape (n_students,)
    shift : FloatArray, shape (n_students,)
        Logits added to the gain: teacher effect and planted shifts.
    multiplier : Float32Array, shape (n_students,)
        Scale of the gain (engagement).
    aptitude : Float32Array, shape (n_students, n_kps)
    rng : numpy.random.Generator
    """
    gain = (
        GAIN_BASE
        + GAIN_ABILITY * ability[rows]
        + shift[rows]
        + GAIN_APTITUDE * aptitude[rows, kp]
        + rng.normal(0.0, GAIN_NOISE, rows.size)
    )
    if prerequisites.size:
        ready = expit(logit[np.ix_(rows, prerequisites)]).mean(axis=1)
        gain += PREREQ_WEIGHT * (ready - PREREQ_CENTER)
    logit[rows, kp] += (np.maximum(gain, MIN_GAIN) * multiplier[rows]).astype(np.float32)


def forget(
    logit: Float32Array, floor: Float32Array, rate: Float32Array, scratch: Float32Array
) -> None:
    """Decay ``logit`` (n_students, n_kps) in place towards ``floor`` (n_students, 1).

    ``rate`` (n_students,) is the share of the excess over the floor lost this week; ``scratch``
    is a buffer shaped like ``logit``, so that a 100,000-student district allocates nothing.
    """
    np.subtract(logit, floor, out=scratch)
    np.maximum(scratch, 0, out=scratch)
    scratch *= rate[:, None]
    logit -= scratch
