"""Simulated knowledge-tracing data with known parameters, for tests and examples."""

from __future__ import annotations

import numpy as np

from yincai.science.base import FloatArray, IntArray, check_random_state


def simulate_bkt(
    *,
    n_students: int,
    n_attempts: int,
    prior: FloatArray,
    learn: FloatArray,
    slip: FloatArray,
    guess: FloatArray,
    forget: FloatArray | None = None,
    random_state: int | np.random.Generator | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Draw attempts from per-skill BKT models, skills chosen uniformly at random per attempt.

    Parameters
    ----------
    n_students, n_attempts : int
        Students, and attempts per student.
    prior, learn, slip, guess, forget : (n_skills,) float
        True parameters; ``forget`` defaults to zeros.
    random_state : int, numpy Generator or None

    Returns
    -------
    students, skills : (n_students * n_attempts,) int
        Long format, in time order within each student.
    correct : (n_students * n_attempts,) float, 0/1
    """
    rng = check_random_state(random_state)
    prior = np.asarray(prior, dtype=np.float64)
    n_skills = prior.size
    forget_ = np.zeros(n_skills) if forget is None else np.asarray(forget, dtype=np.float64)
    mastered = rng.random((n_students, n_skills)) < prior
    skills = rng.integers(0, n_skills, (n_students, n_attempts))
    correct = np.empty((n_students, n_attempts))
    rows = np.arange(n_students)
    for t in range(n_attempts):
        skill = skills[:, t]
        state = mastered[rows, skill]
        p_right = np.where(state, 1.0 - slip[skill], guess[skill])
        correct[:, t] = rng.random(n_students) < p_right
        move = rng.random(n_students)
        mastered[rows, skill] = np.where(state, move >= forget_[skill], move < learn[skill])
    students = np.repeat(np.arange(n_students), n_attempts)
    return students.astype(np.int64), skills.ravel().astype(np.int64), correct.ravel()
