from __future__ import annotations

import builtins
import importlib.util
import io
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.bench.test_datasets import simulated, write_three_line
from yincai.bench import selection
from yincai.bench.datasets import read_tracing, read_training
from yincai.science import tracing

ROOT = Path(__file__).parents[2]


def _kt_experiments() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kt_experiments", ROOT / "benchmarks" / "kt_experiments.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def refuse_test_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on every way of opening a file refuses any ``test.csv``; attempts are listed."""
    attempts: list[str] = []

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def opener(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, str | bytes | os.PathLike) and os.fsdecode(file).endswith(
                "test.csv"
            ):
                attempts.append(os.fsdecode(file))
                raise PermissionError(f"selection code may not open {os.fsdecode(file)}")
            return real(file, *args, **kwargs)

        return opener

    monkeypatch.setattr(builtins, "open", guarded(builtins.open))
    monkeypatch.setattr(io, "open", guarded(io.open))
    monkeypatch.setattr(os, "open", guarded(os.open))
    return attempts


def _dataset(root: Path) -> Path:
    folder = root / "kt"
    folder.mkdir()
    write_three_line(folder / "train.csv", simulated(40, 0), base=1)
    write_three_line(folder / "test.csv", simulated(20, 1), base=1)
    return folder


def test_selection_never_opens_the_test_file_and_only_the_final_score_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _dataset(tmp_path)
    test_files_refused = refuse_test_files(monkeypatch)
    kt = _kt_experiments()
    quick = {  # the logistic models take seconds here
        "BKT": lambda: tracing.BKT(random_state=0),
        "BKT-forget": lambda: tracing.BKT(forgetting=True, random_state=0),
        "Elo": tracing.Elo,
    }
    monkeypatch.setattr(kt, "feature_logistic", lambda l2: tracing.Elo())
    monkeypatch.setattr(kt, "candidates", lambda train, deep=False: lambda l2: quick)
    train, n_skills = read_training(folder)
    assert (train.n_students, n_skills) == (40, 3)
    assert test_files_refused == []
    with pytest.raises(PermissionError):  # the guard holds: the scoring reader is refused
        read_tracing(folder)
    with pytest.raises(PermissionError):
        kt.main(["--datasets", str(tmp_path), "select", "kt"])
    printed = capsys.readouterr().out  # the whole choice, made before the test file was asked for
    assert printed.startswith("kt: l2 ") and "members +BKT" in printed
    assert [Path(path).name for path in test_files_refused] == ["test.csv", "test.csv"]


def test_students_not_attempts_are_dealt_into_folds() -> None:
    train = simulated(30, 0)
    folds = selection.student_folds(train, 3)
    for student in range(30):
        assert np.unique(folds[train.students == student]).size == 1
    assert np.bincount(folds[np.r_[True, np.diff(train.students) != 0]]).tolist() == [10, 10, 10]


class _Sighted:
    """Sees the answer it predicts, through a fog as thick as ``1 - clarity``."""

    def __init__(self, clarity: float) -> None:
        self.clarity = clarity

    def fit(self, students: Any, skills: Any, correct: Any) -> _Sighted:
        return self

    def predict_proba(self, students: Any, skills: Any, correct: Any) -> np.ndarray:
        fog = np.random.default_rng(len(correct)).random(len(correct))
        return np.clip(self.clarity * np.asarray(correct) + (1 - self.clarity) * fog, 0.01, 0.99)


def test_the_penalty_and_the_members_are_those_that_cross_validate_best() -> None:
    train = simulated(30, 0)
    folds = selection.student_folds(train, 3)
    best, scores = selection.select_l2(_Sighted, train, folds, grid=(0.1, 0.6, 0.3))
    assert best == 0.6 and scores[0.6] > scores[0.3] > scores[0.1]
    members, path = selection.select_members(
        {"coin": lambda: _Sighted(0.0), "sighted": lambda: _Sighted(0.5)}, train, folds
    )
    assert members == ["sighted"]  # the coin adds nothing to the blend
    assert len(path) == 1 and path[0] > 0.9
