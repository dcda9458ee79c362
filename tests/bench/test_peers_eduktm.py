"""The data handling of benchmarks/peers_eduktm.py (EduKTM's format; no torch needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from yincai.bench.datasets import DKVMN_CHUNK, Sequences

ROOT = Path(__file__).parents[2]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "peers_eduktm", ROOT / "benchmarks" / "peers_eduktm.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _sequences(lengths: list[int], n_skills: int, seed: int = 0) -> Sequences:
    rng = np.random.default_rng(seed)
    students = np.repeat(np.arange(len(lengths)), lengths).astype(np.int64)
    return Sequences(
        students=students,
        skills=rng.integers(0, n_skills, students.size).astype(np.int64),
        correct=rng.integers(0, 2, students.size).astype(np.float64),
    )


def test_chunks_hold_the_attempts_in_eduktm_format_and_score_the_same_ones() -> None:
    peers = _module()
    n_skills = 7
    sequences = _sequences([450, 3, 1, DKVMN_CHUNK], n_skills)
    chunks = peers.to_chunks(sequences, n_skills)
    # 450 → 200 + 200 + 50; the one-attempt student is a chunk with nothing scored
    assert chunks.lengths.tolist() == [200, 200, 50, 3, 1, 200]
    real = chunks.q > 0
    assert real.sum() == sequences.students.size
    assert np.array_equal(chunks.q[real] - 1, sequences.skills)
    assert np.array_equal(chunks.correct(n_skills)[real], sequences.correct)
    assert np.array_equal(chunks.qa[real], chunks.q[real] + sequences.correct * n_skills)
    assert not chunks.qa[~real].any()
    # the attempts scored for EduKTM's models are the ones scored for yincai, in the same order
    scored = peers.scored_mask(sequences)
    assert scored.sum() == sequences.students.size - 6
    assert np.array_equal(chunks.correct(n_skills)[chunks.scored], sequences.correct[scored])


def test_validation_split_holds_out_whole_training_students() -> None:
    peers = _module()
    sequences = _sequences([5 + i for i in range(40)], 4)
    fit, held = peers.validation_split(sequences)
    assert held.n_students == 4 and fit.n_students == 36
    assert fit.students.size + held.students.size == sequences.students.size
    # each part keeps its students' attempts whole and in order: a student's sequence of
    # (skill, correct) pairs reappears unchanged
    original = {
        tuple(
            zip(
                sequences.skills[sequences.students == s],
                sequences.correct[sequences.students == s],
                strict=True,
            )
        )
        for s in range(40)
    }
    for part in (fit, held):
        assert np.all(np.diff(part.students) >= 0)
        for s in range(part.n_students):
            mask = part.students == s
            assert tuple(zip(part.skills[mask], part.correct[mask], strict=True)) in original
