"""Bayesian knowledge tracing fitted by EM (Baum–Welch), vectorised over skills, students, starts.

Each skill is an independent two-state hidden Markov model (Corbett & Anderson, 1995): a student
either has mastered the skill or not; ``prior`` is P(mastered) before the first attempt, ``learn``
P(unmastered → mastered) and ``forget`` P(mastered → unmastered) between attempts, ``slip``
P(wrong | mastered) and ``guess`` P(right | unmastered); each (student, skill) pair is a sequence.
Forward filtering and backward smoothing run as array operations over time steps for all sequences
and all random starts at once (see ``_layout``), so a fit costs a few hundred small array operations
per EM iteration however many skills and students there are.
"""

from __future__ import annotations

import warnings
from typing import Self

import numpy as np
import numpy.typing as npt

from yincai.science.base import (
    BoolArray,
    ConvergenceWarning,
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
    check_random_state,
)
from yincai.science.tracing._layout import StepLayout, step_layout
from yincai.science.validation import check_sequences

PROB_FLOOR = 1e-6  # keeps every probability strictly inside (0, 1) so logs and ratios stay finite
MAX_PACKED = 62  # answers packed into one int64 when finding repeated sequences
MAX_SLIP_GUESS = 0.5 - PROB_FLOOR  # slip, guess < 0.5: a mastered student is likelier right
PARAM_NAMES = ("prior", "learn", "forget", "slip", "guess")


def _forward(
    layout: StepLayout,
    prior: FloatArray,
    emit_right: FloatArray,
    emit_wrong: FloatArray,
    learn: FloatArray,
    forget: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Filter every sequence forward.

    Parameters
    ----------
    layout : StepLayout
        Time-major layout with ``n`` attempts and ``m`` sequences.
    prior : (r, m) float
        P(mastered) before each sequence's first attempt, for ``r`` parameter sets.
    emit_right, emit_wrong : (r, n) float
        P(observed answer | mastered) and P(observed answer | unmastered), time-major.
    learn, forget : (r, n) float
        Transition probabilities after each attempt, time-major.

    Returns
    -------
    before : (r, n) float
        P(mastered | earlier answers) at each attempt.
    after : (r, n) float
        P(mastered | answers up to and including this one).
    evidence : (r, n) float
        P(this answer | earlier answers).
    final : (r, m) float
        P(mastered) at the next opportunity after each sequence's last attempt.
    """
    before = np.empty_like(emit_right)
    after = np.empty_like(emit_right)
    evidence = np.empty_like(emit_right)
    final = np.empty_like(prior)
    state = prior
    offsets, counts = layout.offsets, layout.counts
    for t in range(counts.size):
        lo, hi = offsets[t], offsets[t + 1]
        current = state[:, : hi - lo]
        joint = current * emit_right[:, lo:hi]
        total = joint + (1.0 - current) * emit_wrong[:, lo:hi]
        filtered = joint / total
        before[:, lo:hi] = current
        after[:, lo:hi] = filtered
        evidence[:, lo:hi] = total
        state = filtered * (1.0 - forget[:, lo:hi]) + (1.0 - filtered) * learn[:, lo:hi]
        running_next = counts[t + 1] if t + 1 < counts.size else 0
        final[:, running_next : hi - lo] = state[:, running_next:]
    return before, after, evidence, final


def _smooth(
    layout: StepLayout, before: FloatArray, after: FloatArray, forget: FloatArray
) -> FloatArray:
    """P(mastered | whole sequence) at each attempt, (r, n), by the two-state backward pass.

    ``before`` and ``after`` come from ``_forward``; ``forget`` (r, n) is time-major.
    """
    smoothed = after.copy()
    offsets, counts = layout.offsets, layout.counts
    for t in range(counts.size - 2, -1, -1):
        running_next = counts[t + 1]
        now = slice(offsets[t], offsets[t] + running_next)
        nxt = slice(offsets[t + 1], offsets[t + 1] + running_next)
        predicted = np.clip(before[:, nxt], PROB_FLOOR, 1.0 - PROB_FLOOR)
        ratio_right = smoothed[:, nxt] / predicted
        ratio_wrong = (1.0 - smoothed[:, nxt]) / (1.0 - predicted)
        stay = 1.0 - forget[:, now]
        smoothed[:, now] = after[:, now] * (stay * ratio_right + (1.0 - stay) * ratio_wrong)
    return smoothed


def _forward_gathered(
    layout: StepLayout, right_tm: FloatArray, gathered: dict[str, FloatArray]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``_forward`` from (r, n) time-major per-attempt parameters and (n,) 0/1 answers."""
    sign = 1.0 - 2.0 * right_tm
    emit_right = right_tm + sign * gathered["slip"]
    emit_wrong = (1.0 - right_tm) - sign * gathered["guess"]
    prior = gathered["prior"][:, : layout.offsets[1]]
    return _forward(layout, prior, emit_right, emit_wrong, gathered["learn"], gathered["forget"])


def _distinct_sequences(
    keys: IntArray, skills: IntArray, correct: FloatArray
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Keep one copy of each distinct (skill, answers) sequence, weighted by how often it occurs.

    Sequences longer than ``MAX_PACKED`` answers are kept as they are. Returns the kept attempts'
    keys, skills, answers and weights, each (n_kept,), in their original relative order.
    """
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    lengths = np.diff(np.r_[starts, keys.size])
    group = np.repeat(np.arange(starts.size), lengths)
    position = np.arange(keys.size) - starts[group]
    answers = correct[by_key].astype(np.int64)
    bits = np.where(position < MAX_PACKED, answers << np.minimum(position, MAX_PACKED - 1), 0)
    # A leading 1 bit marks the length, so 0, 00 and 000 stay distinct.
    code = np.add.reduceat(bits, starts) | (np.int64(1) << np.minimum(lengths, MAX_PACKED))
    code = np.where(lengths > MAX_PACKED, -1 - np.arange(starts.size), code)
    signature = np.c_[skills[by_key][starts], code]
    _, kept, multiplicity = np.unique(signature, axis=0, return_index=True, return_counts=True)
    weight = np.zeros(starts.size)
    weight[kept] = multiplicity
    keep = np.sort(by_key[weight[group] > 0])
    weight_of_attempt = np.empty(keys.size)
    weight_of_attempt[by_key] = weight[group]
    return keys[keep], skills[keep], correct[keep], weight_of_attempt[keep]


class BKT(Estimator):
    """Bayesian knowledge tracing, one two-state HMM per skill, fitted by EM.

    Learns ``prior_``, ``learn_``, ``forget_``, ``slip_``, ``guess_`` (n_skills,), the
    attempt-weighted means ``fallback_`` (dict of the five) used for skills unseen in ``fit``,
    ``log_likelihood_`` and ``n_iter_``.

    Parameters
    ----------
    forgetting : bool
        Learn a per-skill ``forget`` probability; when False it is fixed at 0.
    n_starts : int
        Random initialisations run side by side; each skill keeps its most likely one.
    max_iter : int
        EM iterations at most; ConvergenceWarning if reached before ``tol``.
    tol : float
        Stop when no start's log-likelihood per attempt improves by more than ``tol``.
    random_state : int, numpy Generator or None
        Seeds the initial parameters.
    """

    def __init__(
        self,
        *,
        forgetting: bool = False,
        n_starts: int = 2,
        max_iter: int = 200,
        tol: float = 1e-4,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.forgetting = forgetting
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit every skill's parameters.

        Parameters
        ----------
        students, skills : (n_attempts,) int
            Non-negative codes; attempts are in time order within each student.
        correct : (n_attempts,) 0/1
        """
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        if self.n_starts < 1 or self.max_iter < 1:
            raise ValueError("n_starts and max_iter must be at least 1")
        rng = check_random_state(self.random_state)
        n_skills = int(skill_codes.max()) + 1
        keys, skill_codes, outcome, weight = _distinct_sequences(
            student_codes * n_skills + skill_codes, skill_codes, outcome
        )
        layout = step_layout(keys)
        skill_tm = skill_codes[layout.order]
        right_tm = outcome[layout.order]
        weight_tm = weight[layout.order]
        first = slice(0, layout.offsets[1])
        has_next = layout.successor >= 0
        successor = layout.successor[has_next]
        runs = self.n_starts
        params = {
            "prior": rng.uniform(0.1, 0.9, (runs, n_skills)),
            "learn": rng.uniform(0.02, 0.3, (runs, n_skills)),
            "forget": rng.uniform(0.0, 0.1, (runs, n_skills)) * self.forgetting,
            "slip": rng.uniform(0.02, 0.3, (runs, n_skills)),
            "guess": rng.uniform(0.02, 0.3, (runs, n_skills)),
        }
        flat = (np.arange(runs)[:, None] * n_skills + skill_tm).ravel()

        def per_skill(values: FloatArray, where: slice | BoolArray = slice(None)) -> FloatArray:
            index = flat.reshape(runs, -1)[:, where].ravel()
            sums = np.bincount(
                index, weights=(values * weight_tm[where]).ravel(), minlength=runs * n_skills
            )
            return np.asarray(sums.reshape(runs, n_skills), dtype=np.float64)

        ones = np.ones((runs, skill_tm.size))
        n_attempts = per_skill(ones)
        n_sequences = per_skill(ones[:, first], first)
        n_transitions = per_skill(ones[:, has_next], has_next)
        previous = np.full(runs, -np.inf)
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - n_iter_ is reported
            gathered = {
                name: np.take(value, flat).reshape(runs, -1) for name, value in params.items()
            }
            before, after, evidence, _ = _forward_gathered(layout, right_tm, gathered)
            total = np.log(evidence) @ weight_tm
            smoothed = _smooth(layout, before, after, gathered["forget"])
            pred_next = np.clip(before[:, successor], PROB_FLOOR, 1.0 - PROB_FLOOR)
            after_next = after[:, has_next]
            smoothed_next = smoothed[:, successor]
            gain = (1.0 - after_next) * gathered["learn"][:, has_next]
            gain *= smoothed_next / pred_next
            loss = after_next * gathered["forget"][:, has_next]
            loss *= (1.0 - smoothed_next) / (1.0 - pred_next)
            mastered = per_skill(smoothed)
            leaving = per_skill(smoothed[:, has_next], has_next)
            params = self._m_step(
                params,
                prior=per_skill(smoothed[:, first], first) / np.maximum(n_sequences, 1),
                learn=(per_skill(gain, has_next), n_transitions - leaving),
                forget=(per_skill(loss, has_next), leaving),
                slip=(per_skill(smoothed * (1.0 - right_tm)), mastered),
                guess=(per_skill((1.0 - smoothed) * right_tm), n_attempts - mastered),
            )
            converged = np.all(np.abs(total - previous) <= self.tol * weight_tm.sum())
            previous = total
            if converged:
                break
        else:
            warnings.warn(
                f"BKT EM stopped at max_iter={self.max_iter} before reaching tol={self.tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        gathered = {name: np.take(value, flat).reshape(runs, -1) for name, value in params.items()}
        log_lik = per_skill(np.log(_forward_gathered(layout, right_tm, gathered)[2]))
        best = np.argmax(log_lik, axis=0)
        columns = np.arange(n_skills)
        for name in PARAM_NAMES:
            setattr(self, f"{name}_", params[name][best, columns])
        self.fallback_ = {
            name: float(np.average(params[name][best, columns], weights=n_attempts[0] + 1e-12))
            for name in PARAM_NAMES
        }
        self.log_likelihood_ = float(log_lik[best, columns].sum())
        self.n_iter_ = n_iter
        return self

    def _m_step(
        self,
        params: dict[str, FloatArray],
        *,
        prior: FloatArray,
        learn: tuple[FloatArray, FloatArray],
        forget: tuple[FloatArray, FloatArray],
        slip: tuple[FloatArray, FloatArray],
        guess: tuple[FloatArray, FloatArray],
    ) -> dict[str, FloatArray]:
        """New (r, n_skills) parameters from expected counts; a skill without data keeps its old."""
        updated = {"prior": np.clip(prior, PROB_FLOOR, 1.0 - PROB_FLOOR)}
        ratios = {"learn": learn, "slip": slip, "guess": guess}
        if self.forgetting:
            ratios["forget"] = forget
        else:
            updated["forget"] = params["forget"]
        for name, (numerator, denominator) in ratios.items():
            has_data = denominator > PROB_FLOOR
            value = np.where(
                has_data, numerator / np.where(has_data, denominator, 1.0), params[name]
            )
            upper = MAX_SLIP_GUESS if name in ("slip", "guess") else 1.0 - PROB_FLOOR
            updated[name] = np.clip(value, PROB_FLOOR, upper)
        return updated

    def _params_for(self, n_skills: int) -> dict[str, FloatArray]:
        """(1, n_skills) fitted parameters, padded with ``fallback_`` for skills unseen in fit."""
        out = {}
        for name in PARAM_NAMES:
            fitted: FloatArray = getattr(self, f"{name}_")
            values = np.full(max(n_skills, fitted.size), self.fallback_[name])
            values[: fitted.size] = fitted
            out[name] = values[None, :]
        return out

    def _run(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> tuple[
        IntArray, IntArray, FloatArray, StepLayout, FloatArray, FloatArray, dict[str, FloatArray]
    ]:
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        n_skills = int(skill_codes.max()) + 1
        params = self._params_for(n_skills)
        layout = step_layout(student_codes * params["prior"].shape[1] + skill_codes)
        gathered = {name: value[:, skill_codes[layout.order]] for name, value in params.items()}
        before, _, _, final = _forward_gathered(layout, outcome[layout.order], gathered)
        return student_codes, skill_codes, outcome, layout, before[0], final[0], params

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """P(correct) of each attempt given only the same student's earlier attempts.

        Parameters
        ----------
        students, skills, correct : (n_attempts,)
            As in ``fit``; ``correct`` of an attempt is used only for the attempts after it.

        Returns
        -------
        (n_attempts,) float
        """
        _, skill_codes, _, layout, before, _, params = self._run(students, skills, correct)
        slip, guess = params["slip"][0, skill_codes], params["guess"][0, skill_codes]
        mastered = np.empty_like(before)
        mastered[layout.order] = before
        return np.asarray(mastered * (1.0 - slip) + (1.0 - mastered) * guess, dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """P(mastered) at each student's next opportunity on each skill, after all their attempts.

        Returns
        -------
        (n_students, n_skills) float
            ``n_students`` is the largest student code + 1; ``n_skills`` covers the fitted skills
            and any larger code given. Skills a student never tried hold the skill's ``prior``.
        """
        student_codes, skill_codes, _, layout, _, final, params = self._run(
            students, skills, correct
        )
        mastery = np.tile(params["prior"][0], (int(student_codes.max()) + 1, 1))
        first = layout.order[: layout.offsets[1]]
        mastery[student_codes[first], skill_codes[first]] = final
        return mastery
