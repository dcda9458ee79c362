"""``yincai bench diagnosis``: every model on every dataset folder found, side by side.

A folder with ``train.csv``/``test.csv`` (three-line format or a long CSV layout), or with one long
CSV, is a knowledge-tracing dataset (see ``datasets``): models fit on the training students and
predict each test response from that student's earlier ones, under two protocols (the row's
``case``): full histories, and DKVMN's, where every history is cut into chunks of 200 attempts.
A folder with ``data.txt``/``q.txt``/``problemdesc.txt`` is a cognitive-diagnosis dataset: the
standard random 80/20 split of (examinee, problem) cells with seed 0; a score ≥ 0.5 counts as
correct for AUC and accuracy, RMSE is against the normalised score. Such a folder may also hold
``hierarchy.txt`` (prerequisite edges ``pre,post``, 0-based kp indices, one a line), which every
model gets as ``fit(..., hierarchy=edges)``, and, for simulated data, ``truth.txt`` (each
examinee's true 0/1 pattern, tab-separated): then the rows add ``pattern_accuracy`` (share of
examinees whose whole pattern is recovered, from the training cells) and ``attribute_accuracy``
(share of examinee × kp cells).

A model that raises on a dataset yields a row with empty metrics and its ``error``; so does a
dataset that cannot be read (model ""). The run goes on either way.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from yincai.bench.datasets import (
    DKVMN_CHUNK,
    DiagnosisDataset,
    Sequences,
    TracingDataset,
    cell_split,
    chunked,
    discover,
    read_diagnosis,
    read_hierarchy,
    read_tracing,
    read_truth,
)
from yincai.bench.measure import measure
from yincai.science.metrics import accuracy, rmse, roc_auc

QUICK_FIT_S = 1.0  # fits quicker than this are timed as the best of three runs (see measure)
FULL_HISTORIES = "full histories"
DKVMN_CHUNKS = f"chunks of {DKVMN_CHUNK}"  # DKVMN's protocol (see datasets.chunked)
PROTOCOLS = (FULL_HISTORIES, DKVMN_CHUNKS)

FloatArray = npt.NDArray[np.float64]


class TracingModel(Protocol):
    def fit(self, students: Any, skills: Any, correct: Any) -> Any: ...
    def predict_proba(self, students: Any, skills: Any, correct: Any) -> FloatArray: ...


class DiagnosisModel(Protocol):
    def fit(self, responses: Any, q_matrix: Any, hierarchy: Any = None) -> Any: ...
    def predict_proba(self, responses: Any) -> FloatArray: ...
    def predict_mastery(self, responses: Any) -> FloatArray: ...


def has_torch() -> bool:
    """Whether the optional deep model can run here (the extra: pip install .[torch])."""
    return importlib.util.find_spec("torch") is not None


def _dkt() -> TracingModel:
    from yincai.science.tracing.deep import DKT

    return DKT(batch_size=64, random_state=0)


def attention_kt() -> TracingModel:
    """The attention tracer (``AttentionKT``) with its default, small CPU settings."""
    from yincai.science.tracing.attention import AttentionKT

    return AttentionKT(random_state=0)


def is_test_like(train: Sequences) -> bool:
    """Whether no student attempts any item twice: answers to a test rather than practice.

    There a student's ability can be taken as fixed while they answer, the premise of OnlineMIRT.
    """
    pairs = np.unique(np.column_stack([train.students, train.skills]), axis=0)
    return bool(pairs.shape[0] == train.students.size)


def tracing_models(
    *, deep: bool = False, train: Sequences | None = None
) -> dict[str, Callable[[], TracingModel]]:
    """Knowledge-tracing models by name, for the training attempts ``train`` if given.

    ``KTStack`` blends the feature logistic model, BKT, Elo and PFA, and also DKT and AttentionKT
    wherever torch is installed; ``deep`` lists DKT and AttentionKT on their own as well.
    ``OnlineMIRT`` is listed where ``train`` is test-like (``is_test_like``); on practice data its
    static ability does not fit, and its cost grows with students × items. Settings and members
    were chosen on students held out of the training files, never on test files;
    ``benchmarks/kt_experiments.py select`` (and ``compare``, for AttentionKT) makes every such
    choice by cross-validation over the training students alone (``selection``), the way to
    revisit them.
    """
    from yincai.science import tracing

    def stack() -> TracingModel:
        members = [
            tracing.FeatureLogistic(l2=1e-4),
            tracing.BKT(random_state=0),
            tracing.Elo(),
            tracing.PFA(),
        ]
        deep_members = [_dkt(), attention_kt()] if has_torch() else []
        return tracing.KTStack(models=[*members, *deep_members], random_state=0)

    models: dict[str, Callable[[], TracingModel]] = {
        "BKT": lambda: tracing.BKT(random_state=0),
        "PFA": lambda: tracing.PFA(),
        "Elo": lambda: tracing.Elo(),
        "FeatureLogistic": lambda: tracing.FeatureLogistic(l2=1e-4),
        "KTStack": stack,
    }
    if train is not None and is_test_like(train):
        models["OnlineMIRT"] = lambda: tracing.OnlineMIRT(
            n_samples=16384, guessing=True, shared_guess=True, l2=1e-4, random_state=0
        )
    if deep and has_torch():
        models["DKT"] = _dkt
        models["AttentionKT"] = attention_kt
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
    dataset: TracingDataset,
    models: dict[str, Callable[[], TracingModel]],
    *,
    case: str = FULL_HISTORIES,
) -> list[dict[str, Any]]:
    """Each model fit on the training students and scored on the test students' attempts; a
    model that fails gets a row with its error, and the others still run."""
    rows = []
    train, test = dataset.train, dataset.test
    for name, make in models.items():
        try:
            model = make()
            fitted = measure(
                partial(model.fit, train.students, train.skills, train.correct),
                repeat_under=QUICK_FIT_S,
            )
            predicted = np.asarray(model.predict_proba(test.students, test.skills, test.correct))
            metrics = _metrics(test.correct, predicted, fitted.seconds, fitted.peak_mb)
        except Exception as error:  # the harness reports it and goes on
            rows.append(_error_row(dataset.name, name, error, case=case))
            continue
        rows.append(_row(dataset.name, name, metrics, case=case))
    return rows


def pattern_metrics(model: DiagnosisModel, responses: FloatArray, truth: Any) -> dict[str, float]:
    """Recovery of the true mastery patterns: whole patterns and single kps.

    The estimate is the model's ``predict_class`` (the most probable pattern) where it has one,
    else posterior mastery ≥ 0.5.
    """
    predict_class = getattr(model, "predict_class", None)
    if predict_class is not None:
        estimate = np.asarray(predict_class(responses))
    else:
        estimate = (np.asarray(model.predict_mastery(responses)) >= 0.5).astype(np.int64)
    hits = estimate == np.asarray(truth)
    return {
        "pattern_accuracy": float(hits.all(axis=1).mean()),
        "attribute_accuracy": float(hits.mean()),
    }


def run_diagnosis(
    dataset: DiagnosisDataset,
    models: dict[str, Callable[[], DiagnosisModel]],
    *,
    hierarchy: Any = None,
    truth: Any = None,
) -> list[dict[str, Any]]:
    """Each model fit on 80% of the cells and scored on the rest, with the ``hierarchy``'s
    (pre, post) edges and the true patterns if known; a failure is its row's error."""
    rows = []
    train_mask, test_mask = cell_split(*dataset.scores.shape, seed=0)
    train = np.where(train_mask, dataset.scores, np.nan)
    held_out = dataset.scores[test_mask]
    for name, make in models.items():
        try:
            model = make()
            fit = partial(model.fit, train, dataset.q_matrix, hierarchy=hierarchy)
            fitted = measure(fit, repeat_under=QUICK_FIT_S)
            predicted = np.asarray(model.predict_proba(train))[test_mask]
            metrics = _metrics(held_out, predicted, fitted.seconds, fitted.peak_mb)
            if truth is not None:
                metrics |= pattern_metrics(model, train, truth)
        except Exception as error:  # the harness reports it and goes on
            rows.append(_error_row(dataset.name, name, error))
            continue
        rows.append(_row(dataset.name, name, metrics))
    return rows


def _row(
    dataset: str, model: str, metrics: dict[str, float], *, case: str | None = None
) -> dict[str, Any]:
    row: dict[str, Any] = {"suite": "diagnosis", "dataset": dataset}
    if case is not None:
        row["case"] = case
    row["model"] = model
    row["metrics"] = {k: round(float(v), 4) for k, v in metrics.items()}
    return row


def _error_row(
    dataset: str, model: str, error: Exception, *, case: str | None = None
) -> dict[str, Any]:
    """The row of a model (or a dataset: model "") that could not be measured, and why."""
    return {**_row(dataset, model, {}, case=case), "error": f"{type(error).__name__}: {error}"}


def run(
    root: Path, *, deep: bool = False, protocols: tuple[str, ...] = PROTOCOLS
) -> list[dict[str, Any]]:
    """Every model on every dataset folder under ``root`` (the deep KT model if ``deep``);
    tracing datasets under each of ``protocols`` (``FULL_HISTORIES``, ``DKVMN_CHUNKS``).

    A dataset that cannot be read yields one row with its error, and the run goes on.
    """
    rows: list[dict[str, Any]] = []
    for kind, folder in discover(root):
        try:
            dataset: TracingDataset | DiagnosisDataset = (
                read_tracing(folder) if kind == "tracing" else read_diagnosis(folder)
            )
            hierarchy = read_hierarchy(folder) if kind != "tracing" else None
            truth = read_truth(folder) if kind != "tracing" else None
        except Exception as error:  # the harness reports it and goes on
            rows.append(_error_row(folder.name, "", error))
            continue
        if isinstance(dataset, DiagnosisDataset):
            rows.extend(
                run_diagnosis(dataset, diagnosis_models(), hierarchy=hierarchy, truth=truth)
            )
            continue
        for protocol in protocols:
            cut = dataset if protocol == FULL_HISTORIES else _chunked(dataset)
            models = tracing_models(deep=deep, train=cut.train)
            rows.extend(run_tracing(cut, models, case=protocol))
    return rows


def _chunked(dataset: TracingDataset) -> TracingDataset:
    return replace(dataset, train=chunked(dataset.train), test=chunked(dataset.test))
