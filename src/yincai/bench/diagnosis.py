"""``yincai bench diagnosis``: every model on every dataset folder found, side by side.

A folder with ``train.csv``/``test.csv`` (three-line format) is a knowledge-tracing dataset: models
fit on the training students and predict each test response from that student's earlier ones.
A folder with ``data.txt``/``q.txt``/``problemdesc.txt`` is a cognitive-diagnosis dataset: the
standard random 80/20 split of (examinee, problem) cells with seed 0; a score ≥ 0.5 counts as
correct for AUC and accuracy, RMSE is against the normalised score.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from yincai.bench.datasets import (
    DiagnosisDataset,
    TracingDataset,
    cell_split,
    discover,
    read_diagnosis,
    read_tracing,
)
from yincai.bench.measure import measure
from yincai.science.metrics import accuracy, rmse, roc_auc

FloatArray = npt.NDArray[np.float64]


class TracingModel(Protocol):
    def fit(self, students: Any, skills: Any, correct: Any) -> Any: ...
    def predict_proba(self, students: Any, skills: Any, correct: Any) -> FloatArray: ...


class DiagnosisModel(Protocol):
    def fit(self, responses: Any, q_matrix: Any) -> Any: ...
    def predict_proba(self, responses: Any) -> FloatArray: ...


def tracing_models(*, deep: bool = False) -> dict[str, Callable[[], TracingModel]]:
    """Knowledge-tracing models by name; the deep model on request, where torch is installed."""
    from yincai.science import tracing

    models: dict[str, Callable[[], TracingModel]] = {
        "BKT": lambda: tracing.BKT(random_state=0),
        "PFA": lambda: tracing.PFA(),
        "Elo": lambda: tracing.Elo(),
        "FeatureLogistic": lambda: tracing.FeatureLogistic(l2=1e-4),
        "KTStack": lambda: tracing.KTStack(
            models=[
                tracing.FeatureLogistic(l2=1e-4),
                tracing.BKT(random_state=0),
                tracing.Elo(),
                tracing.PFA(),
            ],
            random_state=0,
        ),
    }
    if deep and importlib.util.find_spec("torch") is not None:  # the extra: pip install .[torch]
        from yincai.science.tracing.deep import DKT

        models["DKT"] = lambda: DKT(random_state=0)
    return models


def diagnosis_models() -> dict[str, Callable[[], DiagnosisModel]]:
    """Cognitive-diagnosis models by name; each takes partial credit in [0, 1] as it is."""
    from yincai.science import cdm

    return {
        "DINA": lambda: cdm.DINA(random_state=0),
        "GDINA": lambda: cdm.GDINA(random_state=0),
        "QMIRT": lambda: cdm.QMIRT(),
    }


def _metrics(
    truth: FloatArray, predicted: FloatArray, seconds: float, peak_mb: float
) -> dict[str, float]:
    return {
        "auc": roc_auc(truth, predicted),
        "accuracy": accuracy(truth, predicted),
        "rmse": rmse(truth, predicted),
        "fit_seconds": seconds,
        "peak_mb": peak_mb,
    }


def run_tracing(
    dataset: TracingDataset, models: dict[str, Callable[[], TracingModel]]
) -> list[dict[str, Any]]:
    rows = []
    train, test = dataset.train, dataset.test
    for name, make in models.items():
        model = make()
        fitted = measure(lambda model=model: model.fit(train.students, train.skills, train.correct))
        predicted = np.asarray(model.predict_proba(test.students, test.skills, test.correct))
        rows.append(
            _row(
                dataset.name,
                name,
                _metrics(test.correct, predicted, fitted.seconds, fitted.peak_mb),
            )
        )
    return rows


def run_diagnosis(
    dataset: DiagnosisDataset, models: dict[str, Callable[[], DiagnosisModel]]
) -> list[dict[str, Any]]:
    rows = []
    train_mask, test_mask = cell_split(*dataset.scores.shape, seed=0)
    train = np.where(train_mask, dataset.scores, np.nan)
    truth = dataset.scores[test_mask]
    for name, make in models.items():
        model = make()
        fitted = measure(lambda model=model: model.fit(train, dataset.q_matrix))
        predicted = np.asarray(model.predict_proba(train))[test_mask]
        rows.append(
            _row(dataset.name, name, _metrics(truth, predicted, fitted.seconds, fitted.peak_mb))
        )
    return rows


def _row(dataset: str, model: str, metrics: dict[str, float]) -> dict[str, Any]:
    return {
        "suite": "diagnosis",
        "dataset": dataset,
        "model": model,
        "metrics": {k: round(float(v), 4) for k, v in metrics.items()},
    }


def run(root: Path, *, deep: bool = False) -> list[dict[str, Any]]:
    """Every model on every dataset folder under ``root`` (the deep KT model if ``deep``)."""
    rows: list[dict[str, Any]] = []
    for kind, folder in discover(root):
        if kind == "tracing":
            rows.extend(run_tracing(read_tracing(folder), tracing_models(deep=deep)))
        else:
            rows.extend(run_diagnosis(read_diagnosis(folder), diagnosis_models()))
    return rows
