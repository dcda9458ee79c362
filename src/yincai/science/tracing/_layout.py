"""Time-major layouts of long-format attempts, so recursions run as array operations per step.

Attempts are grouped into sequences (one per student, or one per (student, skill) pair) and the
sequences are ranked longest first. Step ``t`` then holds the ``t``-th attempt of the first
``counts[t]`` sequences, stored contiguously, so a recursion over time is a loop over steps in
which every operation acts on a slice of all the sequences still running.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yincai.science.base import IntArray


@dataclass(frozen=True)
class StepLayout:
    """Attempts reordered by (step within sequence, sequence rank).

    Attributes
    ----------
    order : (n_attempts,) int
        ``order[i]`` is the original index of the attempt at time-major position ``i``.
    offsets : (n_steps + 1,) int
        Step ``t`` occupies positions ``offsets[t]:offsets[t + 1]``.
    counts : (n_steps,) int
        Sequences still running at step ``t`` (non-increasing).
    successor : (n_attempts,) int
        Time-major position of the next attempt of the same sequence, or -1 at a sequence's end.
    sequence : (n_attempts,) int
        Rank of each time-major position's sequence (longest first).
    n_sequences : int
        Number of sequences.
    """

    order: IntArray
    offsets: IntArray
    counts: IntArray
    successor: IntArray
    sequence: IntArray
    n_sequences: int


def step_layout(keys: IntArray) -> StepLayout:
    """Lay out attempts whose sequence is given by ``keys`` (n_attempts,), kept in time order."""
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    lengths = np.diff(np.r_[starts, keys.size])
    group = np.repeat(np.arange(starts.size), lengths)
    position = np.arange(keys.size) - starts[group]
    # Rank sequences longest first; ties keep key order so the layout is deterministic.
    rank_of_group = np.empty(starts.size, dtype=np.int64)
    rank_of_group[np.argsort(-lengths, kind="stable")] = np.arange(starts.size)
    rank = rank_of_group[group]
    counts = np.bincount(position, minlength=int(lengths.max()))
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    # Step t holds the first counts[t] ranks, so an attempt's place needs no sort.
    place = offsets[position] + rank
    order = np.empty(keys.size, dtype=np.int64)
    order[place] = by_key
    seq_rank = np.empty(keys.size, dtype=np.int64)
    seq_rank[place] = rank
    successor = np.full(keys.size, -1, dtype=np.int64)
    continues = np.flatnonzero(np.r_[sorted_keys[1:] == sorted_keys[:-1], False])
    successor[place[continues]] = place[continues + 1]
    return StepLayout(
        order=order.astype(np.int64),
        offsets=offsets,
        counts=counts.astype(np.int64),
        successor=successor,
        sequence=seq_rank.astype(np.int64),
        n_sequences=int(starts.size),
    )


def previous_in_sequence(keys: IntArray) -> IntArray:
    """Index of the previous attempt with the same key, or -1 for a key's first attempt."""
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    previous = np.full(keys.size, -1, dtype=np.int64)
    same = sorted_keys[1:] == sorted_keys[:-1]
    previous[by_key[1:][same]] = by_key[:-1][same]
    return previous


def count_before(keys: IntArray, values: IntArray | None = None) -> IntArray:
    """How many earlier attempts share each attempt's key (and, if given, satisfy ``values``).

    ``values`` (n_attempts,) 0/1 counts only the earlier attempts where it is 1.
    """
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    weights = np.ones(keys.size, dtype=np.int64) if values is None else values[by_key]
    running = np.cumsum(weights) - weights
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    lengths = np.diff(np.r_[starts, keys.size])
    running -= np.repeat(running[starts], lengths)
    result = np.empty(keys.size, dtype=np.int64)
    result[by_key] = running
    return result
