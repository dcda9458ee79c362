"""Readers for the public benchmark formats (see ``shared/datasets/README.md``).

* knowledge tracing: ``train.csv`` / ``test.csv``, each in the three-lines-per-student format
  (0- or 1-based ids, lines with or without a trailing comma) or in a long CSV layout (pyBKT's
  ``user_id, skill_name, correct, order_id``; the ASSISTments exports, see ``yincai.attempt_logs``);
  or a folder holding one long CSV, whose students are split 80/20 with a fixed seed;
* cognitive diagnosis: ``data.txt`` (scores ÷ full score, tab-separated), ``q.txt``,
  ``problemdesc.txt``; optionally ``hierarchy.txt`` (a prerequisite edge a line, ``pre,post`` as
  0-based kp indices = columns of ``q.txt``) and ``truth.txt`` (simulated data: each examinee's
  true 0/1 mastery pattern, tab-separated, a row per examinee, a column per kp).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from yincai.attempt_logs import LongAttempt, find_long_layout, read_long_log

KT_FILES = ("train.csv", "test.csv")
CD_FILES = ("data.txt", "q.txt", "problemdesc.txt")
TEST_SHARE = 0.2  # of the students of a one-file dataset
SPLIT_SEED = 0
DKVMN_CHUNK = 200  # attempts per sequence in DKVMN's protocol (Zhang et al. 2017)


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


@dataclass(frozen=True)
class _RawSequences:
    """A file as read, before its ids become codes: three-line ids, or a long layout's names."""

    students: npt.NDArray[np.int64]
    ids: list[int]
    names: list[str]
    correct: npt.NDArray[np.float64]
    is_long: bool


def _read_three_line(path: Path) -> _RawSequences:
    """Parse one three-line file: length, ids, correctness (lines may end with a comma)."""
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
    if skills and min(skills) < 0:
        raise ValueError(f"{path}: ids must be non-negative integers")
    return _RawSequences(
        students=np.concatenate(students) if students else np.zeros(0, dtype=np.int64),
        ids=skills,
        names=[],
        correct=np.asarray(correct, dtype=np.float64),
        is_long=False,
    )


def _read_long(path: Path) -> list[LongAttempt]:
    """The attempts of a long CSV (pyBKT or ASSISTments layout); any bad row is a ValueError."""
    # ids are only compared with each other: a byte that is not UTF-8 (the 2009 ASSISTments
    # export is Latin-1) may stand as a replacement character
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
        reader = csv.reader(file)
        header = next(reader, [])
        log = read_long_log(path.name, header, enumerate(reader, start=2))
    if log.problems:
        shown = "; ".join(str(problem.message) for problem in log.problems[:3])
        raise ValueError(f"{path}: {len(log.problems)} rows cannot be read: {shown}")
    return log.attempts


def _long_sequences(attempts: list[LongAttempt]) -> _RawSequences:
    """Students numbered as they first appear; an attempt on k skills is k steps in a row (as
    DKT-style data expands them); attempts without a skill are dropped."""
    codes: dict[str, int] = {}
    students: list[int] = []
    skills: list[str] = []
    correct: list[float] = []
    for attempt in attempts:
        for skill in attempt.skills:
            students.append(codes.setdefault(attempt.user, len(codes)))
            skills.append(skill)
            correct.append(float(attempt.is_correct))
    return _RawSequences(
        students=np.asarray(students, dtype=np.int64),
        ids=[],
        names=skills,
        correct=np.asarray(correct, dtype=np.float64),
        is_long=True,
    )


def is_three_line(path: Path) -> bool:
    """Whether a file is in the three-line format (it starts with a count, not a header)."""
    with path.open(encoding="utf-8-sig", errors="replace") as file:
        for line in file:
            if line.strip():
                return line.strip().rstrip(",").strip().isdigit()
    return True


def _read_raw(path: Path) -> _RawSequences:
    return _read_three_line(path) if is_three_line(path) else _long_sequences(_read_long(path))


def _coded(*files: _RawSequences) -> tuple[list[Sequences], int]:
    """The files' ids as one set of 0-based codes, decided on all of them together.

    Three-line ids are 0-based if any id of any file is 0, else 1-based; skill names of a long
    layout are numbered in sorted order (numeric order when all are integers).
    """
    if len({raw.is_long for raw in files}) > 1:
        raise ValueError("the files of one dataset must share a format")
    if not files[0].is_long:
        ids = [np.asarray(raw.ids, dtype=np.int64) for raw in files]
        base = 0 if any(0 in part for part in ids) else 1
        codes = [part - base for part in ids]
    else:
        names = sorted(
            {name for raw in files for name in raw.names},
            key=lambda name: (0, int(name), "") if name.isdigit() else (1, 0, name),
        )
        number = {name: code for code, name in enumerate(names)}
        codes = [np.asarray([number[n] for n in raw.names], dtype=np.int64) for raw in files]
    n_skills = max((int(part.max()) + 1 for part in codes if part.size), default=0)
    return [
        Sequences(students=raw.students, skills=part, correct=raw.correct)
        for raw, part in zip(files, codes, strict=True)
    ], n_skills


def read_sequences(path: Path) -> Sequences:
    """One file (three-line or long layout) on its own: its ids decided on it alone."""
    (sequences,), _n_skills = _coded(_read_raw(path))
    return sequences


def _split_users(attempts: list[LongAttempt]) -> tuple[list[LongAttempt], list[LongAttempt]]:
    """A one-file dataset's (train, test) attempts: a seeded fifth of its students is tested."""
    users = list(dict.fromkeys(attempt.user for attempt in attempts))
    order = np.random.default_rng(SPLIT_SEED).permutation(len(users))
    tested = {users[i] for i in order[: round(TEST_SHARE * len(users))]}
    return (
        [a for a in attempts if a.user not in tested],
        [a for a in attempts if a.user in tested],
    )


def read_tracing(folder: Path) -> TracingDataset:
    """A tracing dataset: ``train.csv`` and ``test.csv``, or one long CSV split by student."""
    if all((folder / name).is_file() for name in KT_FILES):
        train_raw, test_raw = (_read_raw(folder / name) for name in KT_FILES)
    else:
        train_log, test_log = _split_users(_read_long(_single_log(folder)))
        train_raw, test_raw = _long_sequences(train_log), _long_sequences(test_log)
    (train, test), n_skills = _coded(train_raw, test_raw)
    return TracingDataset(name=folder.name, train=train, test=test, n_skills=n_skills)


def read_training(folder: Path) -> tuple[Sequences, int]:
    """Only the training students of a tracing dataset, and their number of skills: all that
    model selection may see. The test file is never opened: ids are decided on the training
    students alone, so their codes can differ from ``read_tracing``'s (no choice made within the
    training students depends on how their skills are numbered)."""
    if all((folder / name).is_file() for name in KT_FILES):
        (train,), n_skills = _coded(_read_raw(folder / KT_FILES[0]))
    else:
        train_log, _test_log = _split_users(_read_long(_single_log(folder)))
        (train,), n_skills = _coded(_long_sequences(train_log))
    return train, n_skills


def chunked(sequences: Sequences, size: int = DKVMN_CHUNK) -> Sequences:
    """DKVMN's protocol: each student's history cut into pieces of ``size`` attempts, each piece
    a student of its own (numbered in order). A student's attempts must lie together, as every
    reader here gives them."""
    if not sequences.students.size:
        return sequences
    starts = np.r_[True, sequences.students[1:] != sequences.students[:-1]]
    first = np.flatnonzero(starts)
    position = np.arange(sequences.students.size) - np.repeat(
        first, np.diff(np.r_[first, starts.size])
    )
    piece = starts | ((position % size == 0) & (position > 0))
    return Sequences(
        students=np.cumsum(piece) - 1, skills=sequences.skills, correct=sequences.correct
    )


def _single_log(folder: Path) -> Path:
    """The one long-layout CSV of a folder without train.csv/test.csv."""
    found = _long_files(folder)
    if len(found) != 1:
        raise ValueError(f"{folder}: expected one long-layout CSV, found {len(found)}")
    return found[0]


def _long_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as file:
            header = next(csv.reader(file), [])
        if find_long_layout(header) is not None:
            found.append(path)
    return found


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
    """Every dataset folder under root, as ("tracing" | "diagnosis", folder), sorted by name.

    A folder with ``train.csv`` and ``test.csv``, or with exactly one CSV in a long layout, is a
    tracing dataset; one with ``data.txt``, ``q.txt`` and ``problemdesc.txt`` a diagnosis dataset.
    """
    found: list[tuple[str, Path]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if all((folder / f).is_file() for f in KT_FILES):
            found.append(("tracing", folder))
        elif all((folder / f).is_file() for f in CD_FILES):
            found.append(("diagnosis", folder))
        elif len(_long_files(folder)) == 1:
            found.append(("tracing", folder))
    return found
