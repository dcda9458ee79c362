"""A Gibbs sampler over mastery patterns, for when the permissible patterns are too many to list.

Each item's kernel uses only its own kps: a student's *reduced code* on item j is the binary
number formed by the item's ``k_j`` kps (``reduced_groups``), and the item's P(right) is a table
over its ``2**k_j`` codes, all items' tables laid end to end in one flat array. Resampling kp k of
every student at once needs only the items on k, so a sweep over all kps costs
students × (Σ_j k_j), whatever the number of kps.

The prior is a Bayesian network on the hierarchy: P(kp k mastered | all its prerequisites
mastered) = ``rho[k]``, 0 otherwise; with no hierarchy the kps are independent Bernoulli. The
sampler only moves between permissible patterns (a kp is set only with all its prerequisites,
cleared only when none of the kps that need it is set); single flips connect them all, since a
permissible pattern can always lose a kp nothing set depends on.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from yincai.science.base import FloatArray, IntArray
from yincai.science.cdm.hierarchy import children_of, close_downwards, parents_of

PRIOR_PSEUDO_COUNT = 1.0  # Beta(1, 1) on each rho: a kp no one reaches keeps a sliver of mass
PROBABILITY_FLOOR = 1e-4  # as in the enumerated E-step: keeps log P finite
Int8Array = np.ndarray[tuple[int, ...], np.dtype[np.int8]]
Int32Array = np.ndarray[tuple[int, ...], np.dtype[np.int32]]
BoolArray = np.ndarray[tuple[int, ...], np.dtype[np.bool_]]
Float32Array = np.ndarray[tuple[int, ...], np.dtype[np.float32]]


def reduced_weights(q_matrix: IntArray) -> IntArray:
    """Weight ``2**r`` on the r-th kp an item needs, 0 elsewhere, shape (n_items, n_kps)."""
    rank = np.cumsum(q_matrix, axis=1) - 1
    result: IntArray = np.where(q_matrix == 1, 2 ** np.maximum(rank, 0), 0).astype(np.int64)
    return result


def reduced_offsets(q_matrix: IntArray) -> IntArray:
    """Start of each item's table in the flat array of reduced-pattern parameters."""
    sizes = 2 ** q_matrix.sum(axis=1)
    result: IntArray = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return result


class PatternSampler:
    """Gibbs sweeps over the mastery patterns of a set of students, for fixed item tables.

    ``scores`` (n_students, n_items) in [0, 1], NaN missing; ``q_matrix`` (n_items, n_kps);
    ``hierarchy`` (n_edges, 2) checked edges. The state is ``mastery`` (n_students, n_kps) bool
    and ``index`` (n_items, n_students): each student's flat table index on each item, item-major
    so that the items of one kp are contiguous rows.
    """

    def __init__(self, scores: FloatArray, q_matrix: IntArray, hierarchy: IntArray) -> None:
        n_kps = q_matrix.shape[1]
        observed = ~np.isnan(scores)
        self.is_binary = bool(((scores == 0) | (scores == 1) | ~observed).all())
        if self.is_binary:
            # one byte a cell: 0 wrong, 1 right, 2 not answered; table lookups by 3·index + answer
            answer = np.where(observed, scores, 2.0).T.astype(np.int8)
            self.answer: Int8Array = np.ascontiguousarray(answer)
        else:
            # float32 halves the memory; the sums stay well within its precision
            self.right: Float32Array = np.where(observed, scores, 0.0).T.astype(np.float32)
            self.wrong: Float32Array = np.where(observed, 1.0 - scores, 0.0).T.astype(np.float32)
        self.weights = reduced_weights(q_matrix)
        self.offsets = reduced_offsets(q_matrix)
        self.n_groups = int(self.offsets[-1] + 2 ** q_matrix[-1].sum())
        self.items = [np.flatnonzero(q_matrix[:, kp]) for kp in range(n_kps)]
        self.bits = [
            self.weights[items, kp].astype(np.int32) for kp, items in enumerate(self.items)
        ]
        # flat indices of every (item on kp, code without kp): where flipping kp starts from
        self.lower: list[IntArray] = []
        self.flat_bits: list[IntArray] = []
        for kp, items in enumerate(self.items):
            blocks = [
                self.offsets[j] + np.flatnonzero((np.arange(2 ** q_matrix[j].sum()) & bit) == 0)
                for j, bit in zip(items.tolist(), self.bits[kp].tolist(), strict=True)
            ]
            self.lower.append(np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64))
            self.flat_bits.append(
                np.repeat(self.bits[kp], [block.size for block in blocks]).astype(np.int64)
            )
        self.parents = parents_of(hierarchy, n_kps)
        self.children = children_of(hierarchy, n_kps)
        self.hierarchy = hierarchy
        self.n_students, self.n_kps = scores.shape[0], n_kps

    def _item_sums(self, items: IntArray) -> tuple[FloatArray, FloatArray]:
        """Right answers and answered items of each student on the given items."""
        if self.is_binary:
            answers = self.answer[items]
            return (answers == 1).sum(axis=0, dtype=np.float64), (answers < 2).sum(
                axis=0, dtype=np.float64
            )
        right = self.right[items].sum(axis=0, dtype=np.float64)
        return right, right + self.wrong[items].sum(axis=0, dtype=np.float64)

    def initial_state(self) -> tuple[BoolArray, Int32Array]:
        """Start where a student scores half or more on a kp's items, closed under prerequisites."""
        mastery = np.zeros((self.n_students, self.n_kps), dtype=np.int64)
        for kp, items in enumerate(self.items):
            got, tried = self._item_sums(items)
            mastery[:, kp] = got >= 0.5 * np.maximum(tried, 1e-9)
        state = close_downwards(mastery, self.hierarchy).astype(bool)
        return state, self.index_of(state)

    def index_of(self, mastery: BoolArray) -> Int32Array:
        """Flat table index of each student on each item, shape (n_items, n_students)."""
        index = np.empty((self.weights.shape[0], self.n_students), dtype=np.int32)
        for item, weights in enumerate(self.weights):
            kps = np.flatnonzero(weights)
            index[item] = mastery[:, kps].astype(np.int32) @ weights[kps].astype(np.int32)
            index[item] += self.offsets[item]
        return index

    def _log_tables(self, success: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = np.clip(success, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
        return np.log(p), np.log1p(-p)

    def sweep(
        self,
        mastery: BoolArray,
        index: Int32Array,
        success: FloatArray,
        rho: FloatArray,
        rng: np.random.Generator,
    ) -> None:
        """Resample every kp of every student once, in place, given item tables and prior."""
        log_right, log_wrong = self._log_tables(success)
        rho = np.clip(rho, PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR)
        prior_logit = np.log(rho) - np.log1p(-rho)
        log_not = np.log1p(-rho)
        for kp in range(self.n_kps):
            items, bit = self.items[kp], self.bits[kp]
            lower, upper = self.lower[kp], self.lower[kp] + self.flat_bits[kp]
            has = mastery[:, kp]
            base = index[items] - bit[:, None] * has.astype(np.int32)
            if self.is_binary:
                # gain in log P(answer) from setting kp, per (flat index, answer)
                gain = np.zeros((self.n_groups, 3), dtype=np.float32)
                gain[lower, 0] = log_wrong[upper] - log_wrong[lower]
                gain[lower, 1] = log_right[upper] - log_right[lower]
                base *= 3
                base += self.answer[items]
                logit = gain.ravel()[base].sum(axis=0, dtype=np.float64)
            else:
                gain_right = np.zeros(self.n_groups, dtype=np.float32)
                gain_wrong = np.zeros(self.n_groups, dtype=np.float32)
                gain_right[lower] = log_right[upper] - log_right[lower]
                gain_wrong[lower] = log_wrong[upper] - log_wrong[lower]
                logit = (self.right[items] * gain_right[base]).sum(axis=0, dtype=np.float64)
                logit += (self.wrong[items] * gain_wrong[base]).sum(axis=0, dtype=np.float64)
            logit += prior_logit[kp]
            for child in self.children[kp].tolist():
                others = self.parents[child][self.parents[child] != kp]
                # setting kp lets the child be mastered: its factor goes from 1 to (1 − rho)
                logit += np.where(mastery[:, others].all(axis=1), log_not[child], 0.0)
            can_set = mastery[:, self.parents[kp]].all(axis=1)
            must_keep = mastery[:, self.children[kp]].any(axis=1)
            new = ((rng.random(self.n_students) < expit(logit)) & can_set) | must_keep
            changed = np.flatnonzero(new != has)
            if changed.size:
                step = np.where(new[None, changed], bit[:, None], -bit[:, None]).astype(np.int32)
                index[np.ix_(items, changed)] += step
                mastery[:, kp] = new

    def item_counts(self, index: Int32Array) -> tuple[FloatArray, FloatArray]:
        """Right answers and answered counts per flat reduced pattern, for the M-step."""
        if self.is_binary:
            key = index * np.int32(3)
            key += self.answer
            counts = np.bincount(key.ravel(), minlength=3 * self.n_groups).reshape(-1, 3)
            return counts[:, 1].astype(np.float64), (counts[:, 0] + counts[:, 1]).astype(np.float64)
        flat = index.ravel()
        right: FloatArray = np.bincount(flat, self.right.ravel(), self.n_groups).astype(np.float64)
        # a partial score y adds y right and 1 − y wrong: answered = right + wrong
        wrong: FloatArray = np.bincount(flat, self.wrong.ravel(), self.n_groups).astype(np.float64)
        return right, right + wrong

    def prior_counts(self, mastery: BoolArray) -> tuple[FloatArray, FloatArray]:
        """Per kp: students who master it, and students whose prerequisites all hold."""
        mastered = mastery.sum(axis=0).astype(np.float64)
        eligible = np.array(
            [mastery[:, self.parents[kp]].all(axis=1).sum() for kp in range(self.n_kps)],
            dtype=np.float64,
        )
        return mastered, eligible


def prior_from_counts(mastered: FloatArray, eligible: FloatArray) -> FloatArray:
    """The M-step of the hierarchy prior: rho = share of eligible students who master the kp."""
    result: FloatArray = (mastered + PRIOR_PSEUDO_COUNT) / (eligible + 2.0 * PRIOR_PSEUDO_COUNT)
    return result


__all__ = ["PatternSampler", "prior_from_counts", "reduced_offsets", "reduced_weights"]
