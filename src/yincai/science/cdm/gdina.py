"""G-DINA: a free success probability for every combination of the kps an item needs.

Saturated identity-link G-DINA (de la Torre 2011): the ``2**n_kps`` patterns collapse, per item,
to the ``2**k_j`` reduced patterns of its own ``k_j`` kps, and each reduced pattern gets its own
P(right). DINA, DINO and the additive models are special cases, so G-DINA fits at least as well,
at the price of more item parameters (keep ``k_j`` small: 3 kps already give 8 per item).
"""

from __future__ import annotations

import numpy as np

from yincai.science.base import FloatArray, IntArray
from yincai.science.cdm.latent_class import LatentClassModel

INITIAL_FLOOR = 0.2  # start: P(right) rises from 0.2 (no kp) to 0.8 (all kps), monotone in kps
INITIAL_RANGE = 0.6
INITIAL_JITTER = 0.05
PSEUDO_ANSWERS = 1.0  # a Beta prior worth one answer at the starting value of each reduced pattern


def reduced_groups(q_matrix: IntArray, patterns: IntArray) -> IntArray:
    """Reduced-pattern code of each class for each item, shape (n_items, n_classes).

    The code of class c for item j is the binary number formed by the item's kps (lowest kp index
    first) in pattern c, from 0 (none mastered) to ``2**k_j − 1`` (all mastered).
    """
    # weight 2**r on the r-th kp the item needs, 0 on the kps it does not need
    rank = np.cumsum(q_matrix, axis=1) - 1
    weights = np.where(q_matrix == 1, 2 ** np.maximum(rank, 0), 0)
    result: IntArray = (weights @ patterns.T).astype(np.int64)
    return result


class GDINA(LatentClassModel):
    """Saturated G-DINA (identity link) by EM over all ``2**n_kps`` attribute patterns.

    Parameters
    ----------
    max_iter : int
        Most EM iterations; a ConvergenceWarning tells when they run out.
    tol : float
        Stop when the relative change of the log-likelihood falls below this.
    random_state : int or None
        Seeds the small jitter of the starting item parameters.

    Attributes
    ----------
    item_success_ : list of ndarray, one of shape (2**k_j,) per item
        P(right | reduced pattern) of item j, indexed by the code of ``reduced_groups``.
    groups_ : ndarray, shape (n_items, n_classes)
        Reduced-pattern code of each class for each item.
    success_ : ndarray, shape (n_items, n_classes)
        P(right | pattern), spread from ``item_success_``.
    class_prior_, patterns_, n_iter_ :
        As in DINA.
    """

    def _initial_success(
        self, q_matrix: IntArray, patterns: IntArray, rng: np.random.Generator
    ) -> FloatArray:
        groups = reduced_groups(q_matrix, patterns)
        n_needed = q_matrix.sum(axis=1)
        self._offsets = np.concatenate([[0], np.cumsum(2**n_needed)[:-1]]).astype(np.int64)
        self._flat_groups = (groups + self._offsets[:, None]).ravel()
        n_groups = int((2**n_needed).sum())
        # the share of needed kps mastered by each reduced pattern = its popcount / k_j
        shares = np.concatenate(
            [
                ((np.arange(2**k)[:, None] >> np.arange(k)) & 1).sum(axis=1) / k
                for k in n_needed.tolist()
            ]
        )
        jitter = rng.uniform(-INITIAL_JITTER, INITIAL_JITTER, n_groups)
        self._start = INITIAL_FLOOR + INITIAL_RANGE * shares
        self.groups_ = groups
        return self._spread(np.clip(self._start + jitter, 0.05, 0.95))

    def _spread(self, flat: FloatArray) -> FloatArray:
        self.item_success_ = np.split(flat, self._offsets[1:])
        result: FloatArray = flat[self._flat_groups].reshape(self.groups_.shape)
        return result

    def _maximise(self, right: FloatArray, count: FloatArray) -> FloatArray:
        n_groups = self._start.size
        right_sum = np.bincount(self._flat_groups, weights=right.ravel(), minlength=n_groups)
        count_sum = np.bincount(self._flat_groups, weights=count.ravel(), minlength=n_groups)
        flat = (right_sum + PSEUDO_ANSWERS * self._start) / (count_sum + PSEUDO_ANSWERS)
        return self._spread(flat)


__all__ = ["GDINA", "reduced_groups"]
