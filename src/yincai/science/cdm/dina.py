"""DINA: a student answers right unless they slip, if they master every kp the item needs.

P(right | pattern) = 1 − slip_j when the pattern holds all kps of item j, else guess_j
(Junker & Sijtsma 2001; de la Torre 2009 for the EM). ``simulate_dina`` draws data from the model.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from yincai.science.base import FloatArray, IntArray, check_random_state
from yincai.science.cdm.latent_class import LatentClassModel
from yincai.science.validation import check_q_matrix

INITIAL_SLIP = 0.2  # the usual EM start (de la Torre 2009); masters start above non-masters
INITIAL_GUESS = 0.2
INITIAL_JITTER = 0.05  # seeded, so restarts from other seeds can be compared
PSEUDO_ANSWERS = 1.0  # a Beta prior worth one answer at the initial values: no 0 or 1 estimates


def ideal_response(q_matrix: IntArray, patterns: IntArray) -> IntArray:
    """1 where the pattern masters every kp the item needs, shape (n_items, n_classes)."""
    needed = q_matrix.sum(axis=1)
    result: IntArray = (q_matrix @ patterns.T == needed[:, None]).astype(np.int64)
    return result


class DINA(LatentClassModel):
    """DINA cognitive diagnosis by EM over the attribute patterns (see ``LatentClassModel``).

    Parameters
    ----------
    max_iter : int
        Most EM iterations of the exact E-step; a ConvergenceWarning tells when they run out.
    tol : float
        Stop when the relative change of the log-likelihood falls below this.
    e_step : "auto", "exact" or "sampled"
        "auto" lists the permissible patterns when there are at most ``max_classes`` of them
        (all ``2**n_kps`` without a hierarchy) and students × patterns stay within
        ``MAX_POSTERIOR_CELLS``, and samples them otherwise.
    max_classes : int
        Most patterns the exact E-step lists.
    n_sweeps : int
        Gibbs sweeps (one M-step each) of the sampled E-step; the last half are averaged.
    posterior_sweeps : int
        Gibbs sweeps behind each sampled prediction; the first quarter are burn-in.
    random_state : int or None
        Seeds the small jitter of the starting slip and guess values, and the sampler.

    Attributes
    ----------
    slip_ : ndarray, shape (n_items,)
        P(wrong | the student masters every kp of the item).
    guess_ : ndarray, shape (n_items,)
        P(right | the student lacks at least one kp of the item).
    class_prior_ : ndarray, shape (n_classes,)
        Share of students in each pattern of ``patterns_`` (n_classes, n_kps); exact E-step only.
    success_ : ndarray, shape (n_items, n_classes)
        P(right | pattern), built from slip and guess; exact E-step only.
    kp_prior_ : ndarray, shape (n_kps,)
        P(kp mastered | its prerequisites mastered); sampled E-step only.
    e_step_ : str
        "exact" or "sampled", what ``fit`` used.
    n_iter_ : int
        EM iterations (or sweeps) run.
    """

    def _initial_items(self, n_needed: IntArray, rng: np.random.Generator) -> FloatArray:
        sizes = 2**n_needed
        self._item_of_group = np.repeat(np.arange(n_needed.size), sizes)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self._ideal = np.zeros(int(sizes.sum()))
        self._ideal[starts + sizes - 1] = 1.0  # the one reduced pattern with every kp mastered
        jitter = np.asarray(
            rng.uniform(-INITIAL_JITTER, INITIAL_JITTER, size=(2, n_needed.size)), dtype=np.float64
        )
        return self._success(INITIAL_SLIP + jitter[0], INITIAL_GUESS + jitter[1])

    def _success(self, slip: FloatArray, guess: FloatArray) -> FloatArray:
        item = self._item_of_group
        result: FloatArray = self._ideal * (1.0 - slip)[item] + (1.0 - self._ideal) * guess[item]
        return result

    def _maximise_items(self, right: FloatArray, count: FloatArray) -> FloatArray:
        ideal, item = self._ideal, self._item_of_group
        n_items = int(item[-1]) + 1
        right_masters = np.bincount(item, right * ideal, n_items) + PSEUDO_ANSWERS * (
            1.0 - INITIAL_SLIP
        )
        count_masters = np.bincount(item, count * ideal, n_items) + PSEUDO_ANSWERS
        right_others = np.bincount(item, right * (1.0 - ideal), n_items) + (
            PSEUDO_ANSWERS * INITIAL_GUESS
        )
        count_others = np.bincount(item, count * (1.0 - ideal), n_items) + PSEUDO_ANSWERS
        self.slip_ = 1.0 - right_masters / count_masters
        self.guess_ = right_others / count_others
        return self._success(self.slip_, self.guess_)


def simulate_dina(
    q_matrix: npt.ArrayLike,
    *,
    n_students: int,
    slip: npt.ArrayLike | float = 0.1,
    guess: npt.ArrayLike | float = 0.2,
    mastery_rate: float = 0.5,
    random_state: int | np.random.Generator | None = None,
) -> tuple[FloatArray, IntArray]:
    """Draw DINA answers for students whose kps are mastered independently.

    Parameters
    ----------
    q_matrix : array-like, shape (n_items, n_kps)
    n_students : int
    slip, guess : float or array-like, shape (n_items,)
    mastery_rate : float
        P(a student masters a kp), the same for every kp.
    random_state : int, Generator or None

    Returns
    -------
    responses : ndarray, shape (n_students, n_items)
        0/1 answers.
    mastery : ndarray, shape (n_students, n_kps)
        The true 0/1 patterns.
    """
    q = np.asarray(q_matrix)
    q = check_q_matrix(q, q.shape[0] if q.ndim == 2 else 0)
    if n_students < 1 or not 0.0 <= mastery_rate <= 1.0:
        raise ValueError("n_students must be ≥ 1 and mastery_rate within [0, 1]")
    rng = check_random_state(random_state)
    n_items = q.shape[0]
    slip_array = np.broadcast_to(np.asarray(slip, dtype=np.float64), (n_items,))
    guess_array = np.broadcast_to(np.asarray(guess, dtype=np.float64), (n_items,))
    mastery = (rng.random((n_students, q.shape[1])) < mastery_rate).astype(np.int64)
    ideal = ideal_response(q, mastery).T
    p_right = np.where(ideal == 1, 1.0 - slip_array, guess_array)
    responses = (rng.random(p_right.shape) < p_right).astype(np.float64)
    return responses, mastery


__all__ = ["DINA", "ideal_response", "simulate_dina"]
