from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from tests.bench.test_datasets import write_forms
from yincai.bench import diagnosis
from yincai.bench.datasets import Sequences, TracingDataset
from yincai.science import tracing

METRIC_KEYS = {"auc", "accuracy", "rmse", "fit_seconds", "peak_mb"}


def _sequences(n_students: int, seed: int) -> Sequences:
    students, skills, correct = tracing.simulate_bkt(
        n_students=n_students,
        n_attempts=12,
        prior=np.array([0.3, 0.6]),
        learn=np.array([0.2, 0.1]),
        slip=np.array([0.1, 0.1]),
        guess=np.array([0.2, 0.25]),
        random_state=seed,
    )
    return Sequences(
        students=students.astype(np.int64), skills=skills.astype(np.int64), correct=correct
    )


def test_stack_has_the_deep_members_exactly_where_torch_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diagnosis, "has_torch", lambda: False)
    models = diagnosis.tracing_models(deep=True)
    assert "DKT" not in models and "AttentionKT" not in models
    members = [type(m).__name__ for m in models["KTStack"]().models]
    assert members == ["FeatureLogistic", "BKT", "Elo", "PFA"]
    if importlib.util.find_spec("torch") is not None:
        monkeypatch.setattr(diagnosis, "has_torch", lambda: True)
        assert {"DKT", "AttentionKT"} <= set(diagnosis.tracing_models(deep=True))
        assert "DKT" not in diagnosis.tracing_models()
        members = [type(m).__name__ for m in diagnosis.tracing_models()["KTStack"]().models]
        assert members[-2:] == ["DKT", "AttentionKT"]


def test_tracing_rows_report_every_metric() -> None:
    dataset = TracingDataset(
        name="simulated", train=_sequences(80, 0), test=_sequences(40, 1), n_skills=2
    )
    rows = diagnosis.run_tracing(dataset, {"Elo": tracing.Elo, "PFA": tracing.PFA})
    assert [row["model"] for row in rows] == ["Elo", "PFA"]
    for row in rows:
        assert set(row["metrics"]) == METRIC_KEYS
        assert 0.5 < row["metrics"]["auc"] <= 1.0
        assert row["metrics"]["fit_seconds"] >= 0.0 and row["metrics"]["peak_mb"] >= 0.0


class _Refuses:
    """A model that cannot fit anything."""

    def fit(self, students: object, skills: object, correct: object) -> _Refuses:
        raise ValueError("this model refuses the data")

    def predict_proba(self, students: object, skills: object, correct: object) -> np.ndarray:
        raise AssertionError("never fitted")


def test_a_model_that_raises_gets_a_row_with_its_error_and_the_others_still_run() -> None:
    dataset = TracingDataset(
        name="simulated", train=_sequences(60, 0), test=_sequences(30, 1), n_skills=2
    )
    rows = diagnosis.run_tracing(dataset, {"Refuses": _Refuses, "Elo": tracing.Elo})
    assert [row["model"] for row in rows] == ["Refuses", "Elo"]
    assert rows[0]["error"] == "ValueError: this model refuses the data"
    assert rows[0]["metrics"] == {}
    assert "error" not in rows[1] and rows[1]["metrics"]["auc"] > 0.5


def test_every_form_of_a_dataset_gives_the_same_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = write_forms(tmp_path)
    every = diagnosis.tracing_models
    quick = {"BKT", "PFA", "Elo"}  # the logistic models and their stack take seconds here
    monkeypatch.setattr(
        diagnosis,
        "tracing_models",
        lambda **options: {k: v for k, v in every(**options).items() if k in quick},
    )
    rows = diagnosis.run(tmp_path, protocols=(diagnosis.FULL_HISTORIES,))
    scores = {
        name: {row["model"]: row["metrics"]["auc"] for row in rows if row["dataset"] == name}
        for name in names
    }
    assert set(scores["one-based"]) == quick
    assert all(0.5 < auc < 1 for auc in scores["one-based"].values())
    assert scores["zero-based"] == scores["one-based"]
    assert scores["pybkt"] == scores["one-based"]


def test_a_dataset_that_cannot_be_read_is_a_row_and_both_protocols_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_forms(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "train.csv").write_text("3\n1,2\n1,0\n", encoding="utf-8")
    (broken / "test.csv").write_text("1\n1\n1\n", encoding="utf-8")
    monkeypatch.setattr(
        diagnosis, "tracing_models", lambda **_: {"Elo": tracing.Elo, "Refuses": _Refuses}
    )
    rows = diagnosis.run(tmp_path)
    (failed,) = [row for row in rows if row["dataset"] == "broken"]
    assert failed["model"] == "" and "length, ids and answers disagree" in failed["error"]
    cases = [
        (row["dataset"], row["case"], row["model"]) for row in rows if row["dataset"] == "pybkt"
    ]
    assert cases == [
        ("pybkt", "full histories", "Elo"),
        ("pybkt", "full histories", "Refuses"),
        ("pybkt", "chunks of 200", "Elo"),
        ("pybkt", "chunks of 200", "Refuses"),
    ]
