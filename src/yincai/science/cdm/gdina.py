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
    """Saturated G-DINA (identity link) by EM over the attribute patterns (``LatentClassModel``).

    Parameters
    ----------
    max_iter, tol, e_step, max_classes, n_sweeps, posterior_sweeps :
        As in DINA.
    random_state : int or None
        Seeds the small jitter of the starting item parameters, and the sampler.

    Attributes
    ----------
    item_success_ : list of ndarray, one of shape (2**k_j,) per item
        P(right | reduced pattern) of item j, indexed by the code of ``reduced_groups``.
    groups_ : ndarray, shape (n_items, n_classes)
        Reduced-pattern code of each class for each item; exact E-step only.
    success_ : ndarray, shape (n_items, n_classes)
        P(right | pattern), spread from ``item_success_``; exact E-step only.
    class_prior_, patterns_, kp_prior_, e_step_, n_iter_ :
        As in DINA.
    """

    def _initial_items(self, n_needed: IntArray, rng: np.random.Generator) -> FloatArray:
        self._n_needed = n_needed
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
        result: FloatArray = np.clip(self._start + jitter, 0.05, 0.95)
        return result

    def _maximise_items(self, right: FloatArray, count: FloatArray) -> FloatArray:
        result: FloatArray = (right + PSEUDO_ANSWERS * self._start) / (count + PSEUDO_ANSWERS)
        if getattr(self, "_is_sampling", False):
            result = self._monotone(result)
        return result

    def _monotone(self, flat: FloatArray) -> FloatArray:
        """Raise each reduced pattern's P(right) to at least that of every pattern below it."""
        result = flat.copy()
        sizes = 2**self._n_needed
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        for k in np.unique(self._n_needed).tolist():
            starts = offsets[self._n_needed == k]
            codes = np.arange(2**k)
            for bit in range(k):
                lower = codes[(codes >> bit) & 1 == 0]
                low = (starts[:, None] + lower).ravel()
                high = low + (1 << bit)
                result[high] = np.maximum(result[high], result[low])
        return result

    def _maximise_warm(self, right: FloatArray, count: FloatArray) -> FloatArray:
        """DINA's shape (one P(right) for all but the full reduced pattern) while sampling starts.

        With many kps the sampled E-step starts far from the answer, and the saturated model's
        free parameters can lock onto a poor mode; DINA's two parameters an item cannot.
        """
        sizes = 2**self._n_needed
        item = np.repeat(np.arange(sizes.size), sizes)
        top = np.zeros(right.size, dtype=bool)
        top[np.cumsum(sizes) - 1] = True
        pooled_right = np.bincount(item, np.where(top, 0.0, right), sizes.size)
        pooled_count = np.bincount(item, np.where(top, 0.0, count), sizes.size)
        start = self._start
        pooled_start = np.bincount(item, np.where(top, 0.0, start), sizes.size) / np.maximum(
            sizes - 1, 1
        )
        others = (pooled_right + PSEUDO_ANSWERS * pooled_start) / (pooled_count + PSEUDO_ANSWERS)
        result: FloatArray = np.where(
            top, (right + PSEUDO_ANSWERS * start) / (count + PSEUDO_ANSWERS), others[item]
        )
        return result

    @property
    def groups_(self) -> IntArray:
        """Reduced-pattern code of each class for each item, (n_items, n_classes); exact only."""
        return reduced_groups(self.q_matrix_, self.patterns_)


__all__ = ["GDINA", "reduced_groups"]
