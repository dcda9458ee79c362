"""A feature-rich logistic tracing model in the spirit of "Best-LR" and DAS3H.

Every attempt is described only by the same student's earlier attempts: the skill's difficulty,
success and failure counts on the skill and overall (log-scaled, per skill and shared), recent
success rates over the last few attempts overall and on the skill, runs of successes and failures
on the skill, counts decayed by recency, the previous answer (by how the previous skill relates
to the current one), an online Elo ability, and, when there are few skills, how the counts on each
other skill bear on this one. The weights are fitted by L2 logistic regression (L-BFGS).
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.signal import lfilter
from scipy.special import expit

from yincai.science.base import Estimator, FloatArray, IntArray, check_is_fitted
from yincai.science.tracing._layout import count_before, previous_in_sequence
from yincai.science.tracing.logistic import Elo, elo_ability, fit_logistic
from yincai.science.validation import check_sequences

WINDOWS = (3, 10, 30)  # recent-attempt windows for success rates
SKILL_WINDOWS = (3, 10)  # recent-attempt windows on the same skill
SKILL_DECAYS = (0.5, 0.8)  # per-attempt decay of the success and failure counts on the skill
STUDENT_DECAY = 0.9  # per-attempt decay of the success and failure counts over all skills
CHUNK_ROWS = 20_000  # rows per block when building the cross-skill counts, to bound memory


def _window_rate(position: IntArray, wins_before: IntArray, window: int, mean: float) -> FloatArray:
    """Smoothed success rate over each attempt's last ``window`` attempts (sorted by student)."""
    back = np.maximum(np.arange(position.size) - window, 0)
    in_window = np.minimum(position, window)
    wins = wins_before - np.where(position >= window, wins_before[back], 0)
    return np.asarray((wins + mean) / (in_window + 1.0), dtype=np.float64)


def _runs(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Stable order grouping equal ``keys`` and, per sorted position, where its group starts."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    return order, np.flatnonzero(new)[np.cumsum(new) - 1]


def _decayed_before(values: FloatArray, group_start: IntArray, decay: float) -> FloatArray:
    """Sum over each group's earlier values of ``decay ** (steps back - 1)``, in sorted order."""
    total = lfilter([1.0], [1.0, -decay], values)  # total[j] = sum_i<=j decay^(j-i) values[i]
    before = np.r_[0.0, total[:-1]]
    # Remove what earlier groups carried in: decay^(j - start) * before[start].
    steps = np.arange(values.size) - group_start
    with np.errstate(under="ignore"):  # long-past starts weigh nothing
        carried = decay**steps * before[group_start]
    return np.asarray(before - carried, dtype=np.float64)


def _streak_before(values: FloatArray, group_start: IntArray) -> IntArray:
    """How many of each group's latest earlier values are 1 in a row, in sorted order."""
    index = np.arange(values.size)
    last_zero = np.maximum.accumulate(np.where(values == 0, index, -1))
    last_break = np.maximum(np.r_[-1, last_zero[:-1]], group_start - 1)
    return index - 1 - last_break


def _recency(
    students: IntArray, keys: IntArray, correct: FloatArray, mean: float
) -> list[FloatArray]:
    """Recent-history features of each attempt (rows sorted by student, ``keys`` per skill).

    On the same skill: success rates over the last few attempts, the current run of successes
    and of failures, decayed success and failure counts and how many attempts ago it was last
    tried; over all skills, decayed success and failure counts.
    """
    n = keys.size
    order, start = _runs(keys)
    right = correct[order]
    sums = np.r_[0.0, np.cumsum(right)]
    index = np.arange(n)
    columns = []
    for window in SKILL_WINDOWS:
        low = np.maximum(index - window, start)
        columns.append((sums[index] - sums[low] + mean) / (index - low + 1.0))
    columns += [np.log1p(_streak_before(v, start)) for v in (right, 1.0 - right)]
    for decay in SKILL_DECAYS:
        columns += [np.log1p(_decayed_before(v, start, decay)) for v in (right, 1.0 - right)]
    position = index - _runs(students)[1]  # students are sorted already
    since = np.r_[0, np.diff(position[order])]
    columns.append(np.where(index > start, np.log1p(np.maximum(since, 0)), 0.0))
    result = []
    for column in columns:
        unsorted = np.empty(n)
        unsorted[order] = column
        result.append(unsorted)
    student_start = _runs(students)[1]
    result += [
        np.log1p(_decayed_before(v, student_start, STUDENT_DECAY)) for v in (correct, 1.0 - correct)
    ]
    return result


def _cross_counts(
    students: IntArray, skills: IntArray, correct: FloatArray, n_skills: int
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Successes and failures so far on every skill, (n, n_skills) each; rows sorted by student.

    Attempts at skills ``>= n_skills`` are not counted.
    """
    blocks: tuple[list[sp.csr_matrix], list[sp.csr_matrix]] = ([], [])
    running = np.zeros((2, n_skills))
    at_start = np.zeros((2, int(students.max()) + 1, n_skills))
    starts = np.r_[True, students[1:] != students[:-1]]
    for lo in range(0, students.size, CHUNK_ROWS):
        hi = min(lo + CHUNK_ROWS, students.size)
        rows = np.arange(hi - lo)
        for kind, outcome in enumerate((correct[lo:hi], 1.0 - correct[lo:hi])):
            hits = np.zeros((hi - lo, n_skills))
            known = skills[lo:hi] < n_skills
            hits[rows[known], skills[lo:hi][known]] = outcome[known]
            before = running[kind] + np.cumsum(hits, axis=0) - hits
            first = starts[lo:hi]
            at_start[kind, students[lo:hi][first]] = before[first]
            before -= at_start[kind, students[lo:hi]]
            running[kind] += hits.sum(axis=0)
            blocks[kind].append(sp.csr_matrix(np.log1p(before)))
    return sp.vstack(blocks[0]).tocsr(), sp.vstack(blocks[1]).tocsr()


class FeatureLogistic(Estimator):
    """Logistic regression on engineered history features (Best-LR / DAS3H style).

    Learns ``coef_`` (n_features,), ``intercept_``, ``n_skills_``, ``pairs_`` (sorted codes
    ``previous_skill * n_skills_ + skill`` of the skill pairs seen in ``fit``), ``elo_`` (the Elo
    model giving the ability feature), ``mean_`` and ``n_iter_``.

    Parameters
    ----------
    l2 : float
        L2 penalty per row on the weights.
    max_cross_skills : int
        Learn a weight for every (skill, earlier skill) pair of counts when there are at most this
        many skills (n_skills² × 2 weights); 0 turns it off.
    max_iter : int
        L-BFGS iterations at most; ConvergenceWarning if reached.
    """

    def __init__(
        self, *, l2: float = 1e-5, max_cross_skills: int = 200, max_iter: int = 1000
    ) -> None:
        self.l2 = l2
        self.max_cross_skills = max_cross_skills
        self.max_iter = max_iter

    def _design(self, students: IntArray, skills: IntArray, correct: FloatArray) -> sp.csr_matrix:
        """(n, n_features) design in the original row order.

        Skills ``>= n_skills_`` (unseen in ``fit``) get only the skill-independent features.
        """
        n_skills = self.n_skills_
        order = np.argsort(students, kind="stable")
        student, skill, right = students[order], skills[order], correct[order]
        wins_int = right.astype(np.int64)
        position = count_before(student)
        wins = count_before(student, wins_int)
        key = student * max(n_skills, int(skill.max()) + 1) + skill
        known = skill < n_skills
        column = np.where(known, skill, 0)
        seen_k = count_before(key)
        wins_k = count_before(key, wins_int)
        previous = previous_in_sequence(student)
        has_prev = previous >= 0
        prev_right = np.where(has_prev, 2.0 * right[previous] - 1.0, 0.0)
        prev_skill = np.where(has_prev, skill[previous], -1)
        same = has_prev & (prev_skill == skill)
        last_k = previous_in_sequence(key)
        last_right_k = np.where(last_k >= 0, 2.0 * right[last_k] - 1.0, 0.0)
        ability, _ = elo_ability(
            student,
            self.elo_._difficulty_for(int(skill.max()) + 1)[skill],
            right,
            sensitivity=self.elo_.sensitivity,
            decay=self.elo_.decay,
        )
        shared = [
            np.log1p(wins),
            np.log1p(position - wins),
            np.log1p(wins_k),
            np.log1p(seen_k - wins_k),
            (seen_k == 0).astype(np.float64),
            (position == 0).astype(np.float64),
            np.where(same, prev_right, 0.0),
            np.where(same, 0.0, prev_right),
            last_right_k,
            ability,
            *(_window_rate(position, wins, w, self.mean_) for w in WINDOWS),
            *_recency(student, key, right, self.mean_),
        ]
        n = student.size
        rows = np.arange(n)
        blocks = [
            sp.csr_matrix(np.column_stack(shared)),
            sp.csr_matrix((known * 1.0, (rows, column)), shape=(n, n_skills)),
            sp.csr_matrix((known * np.log1p(wins_k), (rows, column)), shape=(n, n_skills)),
            sp.csr_matrix((known * np.log1p(seen_k - wins_k), (rows, column)), shape=(n, n_skills)),
        ]
        pairs: IntArray = np.r_[self.pairs_, -1]  # the sentinel keeps lookups in range
        code = np.where(
            has_prev & known & (prev_skill < n_skills), prev_skill * n_skills + skill, -2
        )
        slot = np.minimum(np.searchsorted(pairs, code), pairs.size - 1)
        found = pairs[slot] == code
        blocks.append(
            sp.csr_matrix((prev_right[found], (rows[found], slot[found])), shape=(n, pairs.size))
        )
        if self._uses_cross():
            for counts in _cross_counts(student, skill, right, n_skills):
                coo = counts.tocoo()
                target = known[coo.row]
                blocks.append(
                    sp.csr_matrix(
                        (
                            coo.data[target],
                            (coo.row[target], column[coo.row[target]] * n_skills + coo.col[target]),
                        ),
                        shape=(n, n_skills * n_skills),
                    )
                )
        design = sp.hstack(blocks).tocsr()
        unsorted = np.empty_like(order)
        unsorted[order] = np.arange(n)
        return design[unsorted]

    def _uses_cross(self) -> bool:
        return 0 < self.n_skills_ <= self.max_cross_skills

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student."""
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        self.n_skills_ = int(skill_codes.max()) + 1
        self.mean_ = float(outcome.mean())
        self.elo_ = Elo().fit(student_codes, skill_codes, outcome)
        order = np.argsort(student_codes, kind="stable")
        student, skill = student_codes[order], skill_codes[order]
        previous = previous_in_sequence(student)
        has_prev = previous >= 0
        self.pairs_ = np.unique(skill[previous[has_prev]] * self.n_skills_ + skill[has_prev])
        X = self._design(student_codes, skill_codes, outcome)
        weights, intercept, n_iter = fit_logistic(
            X, outcome, l2=self.l2, max_iter=self.max_iter, name="FeatureLogistic"
        )
        self.coef_ = weights
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        return self

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt from the same student's earlier attempts.

        Skills unseen in ``fit`` get no skill-specific terms (only the shared ones).
        """
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        X = self._design(student_codes, skill_codes, outcome)
        return np.asarray(expit(X @ self.coef_ + self.intercept_), dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_skills_) P(correct) on a next attempt at each skill after the history.

        Appends one hypothetical attempt per (student, skill) and reads its prediction.
        """
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        n_students = int(student_codes.max()) + 1
        mastery = np.empty((n_students, self.n_skills_))
        for skill in range(self.n_skills_):
            probe_students = np.r_[student_codes, np.arange(n_students)]
            probe_skills = np.r_[skill_codes, np.full(n_students, skill)]
            probe_correct = np.r_[outcome, np.zeros(n_students)]
            mastery[:, skill] = self.predict_proba(probe_students, probe_skills, probe_correct)[
                -n_students:
            ]
        return mastery
