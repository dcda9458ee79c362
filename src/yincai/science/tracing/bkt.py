"""Bayesian knowledge tracing fitted by EM (Baum–Welch), vectorised over skills, students, starts.

Each skill is an independent two-state hidden Markov model (Corbett & Anderson, 1995): a student
either has mastered the skill or not; ``prior`` is P(mastered) before the first attempt, ``learn``
P(unmastered → mastered) and ``forget`` P(mastered → unmastered) between attempts, ``slip``
P(wrong | mastered) and ``guess`` P(right | unmastered); each (student, skill) pair is a sequence.
Identical (skill, answers) sequences are fitted once, weighted by their count. Forward filtering
and backward smoothing run in single precision as array operations over time steps for all
sequences at once (see ``_layout``), so an E-step costs a few hundred small array operations however
many skills and students there are; per-skill sums are sparse matrix-vector products. EM is sped up
by SQUAREM extrapolation (Varadhan & Roland, 2008), per skill, so a fit needs about 10 E-steps.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from yincai.science.base import (
    ConvergenceWarning,
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
    check_random_state,
)
from yincai.science.tracing._layout import StepLayout, step_layout
from yincai.science.validation import check_sequences

Float32Array = npt.NDArray[np.float32]  # the fit runs in single precision, for speed

PROB_FLOOR = 1e-6  # keeps every probability strictly inside (0, 1) so logs and ratios stay finite
MAX_PACKED = 62  # answers packed into one int64 when finding repeated sequences
MAX_SLIP_GUESS = 0.5 - PROB_FLOOR  # slip, guess < 0.5: a mastered student is likelier right
PARAM_NAMES = ("prior", "learn", "forget", "slip", "guess")
# The first start: values typical of fitted skills, so EM needs few iterations from it.
TYPICAL_START = {"prior": 0.5, "learn": 0.1, "forget": 0.02, "slip": 0.1, "guess": 0.2}


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
    skill_of = skills[by_key][starts]
    width = int(lengths.max()) + 1
    if width + int(skill_of.max()).bit_length() <= MAX_PACKED:  # one sortable int64 signature
        by_signature = np.argsort((skill_of << width) | code, kind="stable")
    else:
        by_signature = np.lexsort((code, skill_of))
    sorted_skill, sorted_code = skill_of[by_signature], code[by_signature]
    new_signature = np.r_[
        True, (sorted_skill[1:] != sorted_skill[:-1]) | (sorted_code[1:] != sorted_code[:-1])
    ]
    heads = np.flatnonzero(new_signature)
    weight = np.zeros(starts.size)
    weight[by_signature[heads]] = np.diff(np.r_[heads, starts.size])
    kept_mask = np.empty(keys.size, dtype=bool)
    kept_mask[by_key] = weight[group] > 0
    keep = np.flatnonzero(kept_mask)
    weight_of_attempt = np.empty(keys.size)
    weight_of_attempt[by_key] = weight[group]
    return keys[keep], skills[keep], correct[keep], weight_of_attempt[keep]


def _summing_matrix(rows: IntArray, weights: FloatArray, n_rows: int) -> sp.csc_matrix:
    """(n_rows, n) matrix with ``weights[i]`` at (``rows[i]``, i): ``matrix @ v`` sums v by row."""
    columns = np.arange(rows.size + 1)
    return sp.csc_matrix((weights, rows, columns), shape=(n_rows, rows.size))


@dataclass(frozen=True)
class _EMData:
    """A fit's attempts, time-major (see ``_layout``), with what every EM iteration reuses."""

    offsets: list[int]
    counts: list[int]
    skill: IntArray  # (n,) skill of each attempt
    right: Float32Array  # (n,) 0/1 answers
    sign: Float32Array  # (n,) 1 - 2 * right
    weight: FloatArray  # (n,) how many identical sequences each attempt stands for
    has_next: IntArray  # positions followed by another attempt of the same sequence
    successor: IntArray  # the position following each of ``has_next``
    by_skill: sp.csc_matrix  # (n_skills, n) attempt weights, sums a per-attempt value per skill
    by_skill_first: sp.csc_matrix  # the same over the first step's positions
    by_skill_next: sp.csc_matrix  # the same over ``has_next``
    n_attempts: FloatArray  # (n_skills,) weighted counts
    n_sequences: FloatArray
    n_transitions: FloatArray
    n_right: FloatArray
    total_weight: float

    @classmethod
    def build(
        cls,
        layout: StepLayout,
        skills: IntArray,
        correct: FloatArray,
        weight: FloatArray,
        n_skills: int,
    ) -> _EMData:
        skill = skills[layout.order]
        right = correct[layout.order].astype(np.float32)
        weight_tm = weight[layout.order]
        by_skill = _summing_matrix(skill, weight_tm.astype(np.float32), n_skills)
        has_next = np.flatnonzero(layout.successor >= 0)
        n_first = int(layout.offsets[1])
        by_skill_first = _summing_matrix(skill[:n_first], by_skill.data[:n_first], n_skills)
        by_skill_next = _summing_matrix(skill[has_next], by_skill.data[has_next], n_skills)

        def count(matrix: sp.csr_matrix, values: FloatArray | None = None) -> FloatArray:
            x = np.ones(matrix.shape[1]) if values is None else values
            return np.asarray(matrix @ x, dtype=np.float64)

        return cls(
            offsets=[int(o) for o in layout.offsets],
            counts=[int(c) for c in layout.counts] + [0],
            skill=skill,
            right=right,
            sign=(1.0 - 2.0 * right).astype(np.float32),
            weight=weight_tm,
            has_next=has_next,
            successor=layout.successor[has_next],
            by_skill=by_skill,
            by_skill_first=by_skill_first,
            by_skill_next=by_skill_next,
            n_attempts=count(by_skill),
            n_sequences=count(by_skill_first),
            n_transitions=count(by_skill_next),
            n_right=count(by_skill, right.astype(np.float64)),
            total_weight=float(weight_tm.sum()),
        )


def _logit(p: FloatArray) -> FloatArray:
    return np.asarray(np.log(p) - np.log1p(-p), dtype=np.float64)


def _expit(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _initial_params(
    data: _EMData, runs: int, forgetting: bool, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """(runs, n_skills) starting parameters: a fixed typical start, then random ones."""
    n_skills = data.n_attempts.size
    params = {
        "prior": rng.uniform(0.1, 0.9, (runs, n_skills)),
        "learn": rng.uniform(0.02, 0.3, (runs, n_skills)),
        "forget": rng.uniform(0.0, 0.1, (runs, n_skills)) * forgetting,
        "slip": rng.uniform(0.02, 0.3, (runs, n_skills)),
        "guess": rng.uniform(0.02, 0.3, (runs, n_skills)),
    }
    for name, value in TYPICAL_START.items():
        params[name][0] = value * (forgetting or name != "forget")
    return {name: value.astype(np.float32) for name, value in params.items()}


def _filter(
    data: _EMData, params: dict[str, FloatArray]
) -> tuple[FloatArray, FloatArray, FloatArray, dict[str, FloatArray]]:
    """Forward pass of one start (params (n_skills,) each): ``before``, ``after``, ``evidence``.

    The three are (n,) as in ``_forward``; also returns the parameters gathered per attempt.
    """
    tm = {name: value[data.skill] for name, value in params.items()}
    emit_right = data.right + data.sign * tm["slip"]
    emit_wrong = (1.0 - data.right) - data.sign * tm["guess"]
    spread = emit_right - emit_wrong
    learn = tm["learn"]
    # before[next] = (scale * before + shift) / (spread * before + emit_wrong): filtering then
    # the transition, as one Moebius map per attempt.
    scale = (1.0 - tm["forget"] - learn) * emit_right + learn * spread
    shift = learn * emit_wrong
    before = np.empty_like(emit_right)
    denominator = np.empty_like(emit_right)
    offsets, counts = data.offsets, data.counts
    before[: offsets[1]] = tm["prior"][: offsets[1]]
    for t in range(len(offsets) - 2):
        lo, hi, k = offsets[t], offsets[t + 1], counts[t + 1]
        current, following = before[lo : lo + k], before[hi : hi + k]
        np.multiply(current, spread[lo : lo + k], out=denominator[lo : lo + k])
        denominator[lo : lo + k] += emit_wrong[lo : lo + k]
        np.multiply(current, scale[lo : lo + k], out=following)
        following += shift[lo : lo + k]
        following /= denominator[lo : lo + k]
    np.clip(before, PROB_FLOOR, 1.0 - PROB_FLOOR, out=before)
    # Two positive terms, not before * spread + emit_wrong, which can cancel to 0.
    after = before * emit_right
    evidence = after + (1.0 - before) * emit_wrong
    after /= evidence
    return before, after, evidence, tm


def _e_step_one(
    data: _EMData, params: dict[str, FloatArray], forgetting: bool
) -> tuple[dict[str, FloatArray], FloatArray]:
    """Expected counts per skill (each (n_skills,)) and each skill's log-likelihood, one start."""
    before, after, evidence, tm = _filter(data, params)
    log_lik = data.by_skill @ np.log(evidence.astype(np.float64))
    now, nxt = data.has_next, data.successor
    predicted = np.clip(before[nxt], PROB_FLOOR, 1.0 - PROB_FLOOR)
    after_now = after[now]
    # smoothed[now] = carry * smoothed[next] + base: the two-state backward recursion.
    carry = np.zeros_like(after)
    carry[now] = after_now / predicted
    base = None
    if forgetting:
        stay = 1.0 - tm["forget"][now]
        to_unmastered = after_now * (1.0 - stay) / (1.0 - predicted)
        carry[now] = carry[now] * stay - to_unmastered
        base = np.zeros_like(after)
        base[now] = to_unmastered
    smoothed = after.copy()
    offsets, counts = data.offsets, data.counts
    for t in range(len(offsets) - 3, -1, -1):
        k = counts[t + 1]
        lo, hi = offsets[t], offsets[t + 1]
        np.multiply(smoothed[hi : hi + k], carry[lo : lo + k], out=smoothed[lo : lo + k])
        if base is not None:
            smoothed[lo : lo + k] += base[lo : lo + k]
    smoothed_next = smoothed[nxt]
    gain = (1.0 - after_now) * tm["learn"][now] * smoothed_next / predicted
    stats = {
        "prior": data.by_skill_first @ smoothed[: offsets[1]],
        "gain": data.by_skill_next @ gain,
        "leaving": data.by_skill_next @ smoothed[now],
        "mastered": data.by_skill @ smoothed,
        "mastered_right": data.by_skill @ (smoothed * data.right),
    }
    if forgetting:
        loss = after_now * tm["forget"][now] * (1.0 - smoothed_next) / (1.0 - predicted)
        stats["loss"] = data.by_skill_next @ loss
    return stats, log_lik


def _e_step(
    data: _EMData, params: dict[str, FloatArray], forgetting: bool
) -> tuple[dict[str, FloatArray], FloatArray]:
    """``_e_step_one`` for every start: counts and log-likelihoods, (r, n_skills) each."""
    runs = [
        _e_step_one(data, {name: value[j] for name, value in params.items()}, forgetting)
        for j in range(params["prior"].shape[0])
    ]
    stats = {
        name: np.stack([run[0][name] for run in runs]).astype(np.float64) for name in runs[0][0]
    }
    return stats, np.stack([run[1] for run in runs])


def _log_likelihood(data: _EMData, params: dict[str, FloatArray]) -> FloatArray:
    """(r, n_skills) log-likelihood of each skill's attempts under each start's parameters."""
    rows = []
    for j in range(params["prior"].shape[0]):
        evidence = _filter(data, {name: value[j] for name, value in params.items()})[2]
        rows.append(data.by_skill @ np.log(evidence.astype(np.float64)))
    return np.stack(rows)


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
        Initialisations, each skill keeping its most likely one: the first starts from typical
        values (``TYPICAL_START``), the others from random ones.
    max_iter : int
        SQUAREM cycles (three EM steps each) at most; ConvergenceWarning if reached before ``tol``.
    tol : float
        Stop when no start's log-likelihood gains more than ``tol`` per attempt per EM step.
    random_state : int, numpy Generator or None
        Seeds the initial parameters.
    """

    prior_: FloatArray
    learn_: FloatArray
    forget_: FloatArray
    slip_: FloatArray
    guess_: FloatArray

    def __init__(
        self,
        *,
        forgetting: bool = False,
        n_starts: int = 1,
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
        data = _EMData.build(step_layout(keys), skill_codes, outcome, weight, n_skills)
        params = _initial_params(data, self.n_starts, self.forgetting, rng)
        learned = [name for name in PARAM_NAMES if self.forgetting or name != "forget"]

        def em(values: dict[str, FloatArray]) -> tuple[dict[str, FloatArray], FloatArray]:
            with np.errstate(under="ignore"):  # tiny float32 probabilities may flush to 0
                stats, skill_log_lik = _e_step(data, values, self.forgetting)
            return self._m_step(values, data, stats), skill_log_lik

        # SQUAREM (Varadhan & Roland, 2008), per skill in logit space: two EM steps, a jump
        # along them, one EM step from there; a skill whose jump lost likelihood keeps the two.
        previous = np.full(self.n_starts, -np.inf)
        n_iter = 0
        log_lik: FloatArray | None = None
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 - n_iter_ is reported
            once, log_lik = em(params)
            total = log_lik.sum(axis=1)
            # A cycle is three EM steps: tol bounds the mean gain per step per attempt.
            if np.all(np.abs(total - previous) <= 3 * self.tol * data.total_weight):
                break
            previous = total
            twice, once_log_lik = em(once)
            x0, x1, x2 = (
                {name: _logit(values[name]) for name in learned} for values in (params, once, twice)
            )
            step = {name: x1[name] - x0[name] for name in learned}
            curve = {name: x2[name] - x1[name] - step[name] for name in learned}
            step_norm = np.sqrt(sum(step[name] ** 2 for name in learned))
            curve_norm = np.sqrt(sum(curve[name] ** 2 for name in learned))
            alpha = np.minimum(-step_norm / np.maximum(curve_norm, 1e-12), -1.0)
            jumped = dict(twice)
            for name in learned:
                upper = MAX_SLIP_GUESS if name in ("slip", "guess") else 1.0 - PROB_FLOOR
                value = x0[name] - 2.0 * alpha * step[name] + alpha**2 * curve[name]
                jumped[name] = np.clip(_expit(value), PROB_FLOOR, upper).astype(np.float32)
            landed, jumped_log_lik = em(jumped)
            better = jumped_log_lik >= once_log_lik
            params = {name: np.where(better, landed[name], twice[name]) for name in PARAM_NAMES}
            log_lik = None
        else:
            warnings.warn(
                f"BKT EM stopped at max_iter={self.max_iter} before reaching tol={self.tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        if log_lik is None:
            with np.errstate(under="ignore"):
                log_lik = _log_likelihood(data, params)
        best = np.argmax(log_lik, axis=0)
        columns = np.arange(n_skills)
        for name in PARAM_NAMES:
            setattr(self, f"{name}_", params[name][best, columns].astype(np.float64))
        self.fallback_ = {
            name: float(np.average(params[name][best, columns], weights=data.n_attempts + 1e-12))
            for name in PARAM_NAMES
        }
        self.log_likelihood_ = float(log_lik[best, columns].sum())
        self.n_iter_ = n_iter
        return self

    def _m_step(
        self, params: dict[str, FloatArray], data: _EMData, stats: dict[str, FloatArray]
    ) -> dict[str, FloatArray]:
        """New (r, n_skills) parameters from expected counts; a skill without data keeps its old."""
        mastered, leaving = stats["mastered"], stats["leaving"]
        prior = stats["prior"] / np.maximum(data.n_sequences, 1.0)
        updated = {"prior": np.clip(prior, PROB_FLOOR, 1.0 - PROB_FLOOR)}
        ratios = {
            "learn": (stats["gain"], data.n_transitions - leaving),
            "slip": (mastered - stats["mastered_right"], mastered),
            "guess": (
                data.n_right - stats["mastered_right"],
                data.n_attempts - mastered,
            ),
        }
        if self.forgetting:
            ratios["forget"] = (stats["loss"], leaving)
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
