from __future__ import annotations

import importlib.util

import numpy as np
import pytest

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


def test_stack_has_dkt_as_a_member_exactly_where_torch_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diagnosis, "has_torch", lambda: False)
    models = diagnosis.tracing_models(deep=True)
    assert "DKT" not in models
    members = [type(m).__name__ for m in models["KTStack"]().models]
    assert members == ["FeatureLogistic", "BKT", "Elo", "PFA"]
    if importlib.util.find_spec("torch") is not None:
        monkeypatch.setattr(diagnosis, "has_torch", lambda: True)
        assert "DKT" in diagnosis.tracing_models(deep=True)
        assert "DKT" not in diagnosis.tracing_models()
        assert type(diagnosis.tracing_models()["KTStack"]().models[-1]).__name__ == "DKT"


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
