"""Readers for the public benchmark formats (see ``shared/datasets/README.md``).

* knowledge tracing: ``train.csv`` / ``test.csv`` in the three-lines-per-student format;
* cognitive diagnosis: ``data.txt`` (scores ÷ full score, tab-separated), ``q.txt``,
  ``problemdesc.txt``; optionally ``hierarchy.txt`` (a prerequisite edge a line, ``pre,post`` as
  0-based kp indices = columns of ``q.txt``) and ``truth.txt`` (simulated data: each examinee's
  true 0/1 mastery pattern, tab-separated, a row per examinee, a column per kp).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

KT_FILES = ("train.csv", "test.csv")
CD_FILES = ("data.txt", "q.txt", "problemdesc.txt")


@dataclass(frozen=True)
class Sequences:
    """Attempts in long format, in time order within each student.

    ``students`` are 0-based codes, ``skills`` the dataset's ids made 0-based, ``correct`` 0/1.
    """

    students: npt.NDArray[np.int64]
    skills: npt.NDArray[np.int64]
    correct: npt.NDArray[np.float64]

    @property
    def n_students(self) -> int:
        return int(self.students.max()) + 1 if self.students.size else 0


@dataclass(frozen=True)
class TracingDataset:
    name: str
    train: Sequences
    test: Sequences
    n_skills: int


@dataclass(frozen=True)
class DiagnosisDataset:
    """One exam: ``scores`` (n_examinees, n_items) in [0, 1]; ``q_matrix`` (n_items, n_kps)."""

    name: str
    scores: npt.NDArray[np.float64]
    q_matrix: npt.NDArray[np.int64]
    full_scores: npt.NDArray[np.float64]
    is_objective: npt.NDArray[np.bool_]


def _ints(line: str, path: Path, line_no: int) -> list[int]:
    try:
        return [int(float(x)) for x in line.strip().strip(",").split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError(f"{path}:{line_no}: expected comma-separated integers ({exc})") from exc


def read_sequences(path: Path) -> Sequences:
    """Parse one three-line file: length, ids (1-based), correctness."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(lines) % 3:
        raise ValueError(f"{path}: {len(lines)} non-empty lines is not a multiple of 3")
    students: list[npt.NDArray[np.int64]] = []
    skills: list[int] = []
    correct: list[int] = []
    for index in range(0, len(lines), 3):
        length = _ints(lines[index], path, index + 1)
        ids = _ints(lines[index + 1], path, index + 2)
        outcome = _ints(lines[index + 2], path, index + 3)
        if len(length) != 1 or len(ids) != len(outcome) or length[0] != len(ids):
            raise ValueError(f"{path}:{index + 1}: length, ids and answers disagree")
        students.append(np.full(len(ids), index // 3, dtype=np.int64))
        skills.extend(ids)
        correct.extend(outcome)
    skill_array = np.asarray(skills, dtype=np.int64) - 1
    if skill_array.size and skill_array.min() < 0:
        raise ValueError(f"{path}: ids must be 1-based positive integers")
    return Sequences(
        students=np.concatenate(students) if students else np.zeros(0, dtype=np.int64),
        skills=skill_array,
        correct=np.asarray(correct, dtype=np.float64),
    )


def read_tracing(folder: Path) -> TracingDataset:
    train = read_sequences(folder / "train.csv")
    test = read_sequences(folder / "test.csv")
    n_skills = int(max(train.skills.max(initial=-1), test.skills.max(initial=-1))) + 1
    return TracingDataset(name=folder.name, train=train, test=test, n_skills=n_skills)


def read_diagnosis(folder: Path) -> DiagnosisDataset:
    scores = np.loadtxt(folder / "data.txt", delimiter="\t", dtype=np.float64, ndmin=2)
    q_matrix = np.loadtxt(folder / "q.txt", delimiter="\t", dtype=np.int64, ndmin=2)
    full_scores: list[float] = []
    is_objective: list[bool] = []
    for line in (folder / "problemdesc.txt").read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 3:
            is_objective.append(fields[1].strip().lower().startswith("obj"))
            full_scores.append(float(fields[2]))
    if q_matrix.shape[0] != scores.shape[1] or len(full_scores) != scores.shape[1]:
        raise ValueError(
            f"{folder}: data.txt has {scores.shape[1]} problems, q.txt {q_matrix.shape[0]} rows, "
            f"problemdesc.txt {len(full_scores)} problems"
        )
    return DiagnosisDataset(
        name=folder.name,
        scores=scores,
        q_matrix=q_matrix,
        full_scores=np.asarray(full_scores),
        is_objective=np.asarray(is_objective),
    )


def read_hierarchy(folder: Path) -> npt.NDArray[np.int64] | None:
    """``hierarchy.txt`` as (n_edges, 2) (pre, post) kp indices, or None without the file."""
    path = folder / "hierarchy.txt"
    if not path.is_file():
        return None
    edges = [
        _ints(line, path, line_no)
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if any(len(edge) != 2 for edge in edges):
        raise ValueError(f"{path}: every line must be one edge, pre,post")
    return np.asarray(edges, dtype=np.int64).reshape(-1, 2)


def read_truth(folder: Path) -> npt.NDArray[np.int64] | None:
    """``truth.txt``, the true mastery patterns (n_examinees, n_kps), or None without the file."""
    path = folder / "truth.txt"
    if not path.is_file():
        return None
    return np.loadtxt(path, delimiter="\t", dtype=np.int64, ndmin=2)


def cell_split(
    n_rows: int, n_cols: int, *, test_share: float = 0.2, seed: int = 0
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The standard 80/20 random split of (examinee, problem) cells: (train_mask, test_mask)."""
    rng = np.random.default_rng(seed)
    test = rng.random((n_rows, n_cols)) < test_share
    return ~test, test


def discover(root: Path) -> list[tuple[str, Path]]:
    """Every dataset folder under root, as ("tracing" | "diagnosis", folder), sorted by name."""
    found: list[tuple[str, Path]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if all((folder / f).is_file() for f in KT_FILES):
            found.append(("tracing", folder))
        elif all((folder / f).is_file() for f in CD_FILES):
            found.append(("diagnosis", folder))
    return found
