"""Choosing the knowledge-tracing settings by cross-validation over training students only.

Every function here takes the training attempts (a ``Sequences``, as ``datasets.read_training``
returns them) and nothing else: no folder, no path, so none of them can read a test file. The
students are dealt into folds; a model is fitted on the other folds' students and predicts each
attempt of a fold's students from that student's earlier attempts (as the test is scored), and
the pooled out-of-fold predictions are scored by AUC.

* ``select_l2``: FeatureLogistic's penalty, the best cross-validated AUC over a grid;
* ``select_members``: KTStack's members, added greedily while the cross-validated AUC of a
  logistic blend of their out-of-fold logits (the blend KTStack fits) rises.

``benchmarks/kt_experiments.py`` runs them on the shared datasets and then, once, scores the
chosen stack on the test students.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.special import logit

from yincai.bench.datasets import Sequences
from yincai.science.metrics import roc_auc
from yincai.science.tracing.ensemble import LOGIT_CLIP
from yincai.science.tracing.logistic import fit_logistic

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Factory = Callable[[], Any]

N_FOLDS = 5
FOLD_SEED = 0
L2_GRID = (1e-5, 1e-4, 1e-3, 3e-3)
BLEND_L2 = 1e-4  # KTStack's default blend penalty
BLEND_MAX_ITER = 1000
MIN_GAIN = 1e-4  # a member joins the stack only if the AUC rises by more than this


def student_folds(train: Sequences, n_folds: int = N_FOLDS, seed: int = FOLD_SEED) -> IntArray:
    """The fold (0 … n_folds-1) of each attempt: its student's, students dealt at random."""
    present = np.unique(train.students)
    if present.size < n_folds:
        raise ValueError(f"train: {present.size} students are too few for {n_folds} folds")
    fold_of = np.zeros(int(present.max()) + 1, dtype=np.int64)
    fold_of[np.random.default_rng(seed).permutation(present)] = np.arange(present.size) % n_folds
    return fold_of[train.students]


def out_of_fold(make: Factory, train: Sequences, folds: IntArray) -> FloatArray:
    """Each attempt predicted by a model fitted on the students of the other folds."""
    predicted = np.empty(train.correct.size)
    for fold in np.unique(folds):
        held = folds == fold
        model = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence notes on a fold change no choice
            model.fit(train.students[~held], train.skills[~held], train.correct[~held])
        predicted[held] = model.predict_proba(
            train.students[held], train.skills[held], train.correct[held]
        )
    return predicted


def cv_auc(make: Factory, train: Sequences, folds: IntArray) -> float:
    """The AUC of a model's pooled out-of-fold predictions."""
    return roc_auc(train.correct, out_of_fold(make, train, folds))


def select_l2(
    make: Callable[[float], Any],
    train: Sequences,
    folds: IntArray,
    grid: Sequence[float] = L2_GRID,
) -> tuple[float, dict[float, float]]:
    """The penalty of ``make(l2)`` with the best cross-validated AUC, and every AUC tried."""
    scores = {l2: cv_auc(partial(make, l2), train, folds) for l2 in grid}
    return max(scores, key=lambda l2: scores[l2]), scores


def blend_auc(predictions: Sequence[FloatArray], train: Sequences, folds: IntArray) -> float:
    """Cross-validated AUC of a logistic blend of out-of-fold predictions: the blend is fitted
    on the other folds' students and scores each fold's."""
    logits = np.column_stack([logit(np.clip(p, LOGIT_CLIP, 1 - LOGIT_CLIP)) for p in predictions])
    blended = np.empty(train.correct.size)
    for fold in np.unique(folds):
        held = folds == fold
        weights, intercept, _ = fit_logistic(
            sp.csr_matrix(logits[~held]),
            train.correct[~held],
            l2=BLEND_L2,
            max_iter=BLEND_MAX_ITER,
            name="blend",
        )
        blended[held] = logits[held] @ weights + intercept
    return roc_auc(train.correct, blended)


def select_members(
    candidates: Mapping[str, Factory], train: Sequences, folds: IntArray
) -> tuple[list[str], list[float]]:
    """Forward selection of stack members: the candidates' names in the order they joined, and
    the cross-validated blend AUC after each joined."""
    predictions = {name: out_of_fold(make, train, folds) for name, make in candidates.items()}
    return forward_select(predictions, train, folds)


def forward_select(
    predictions: Mapping[str, FloatArray], train: Sequences, folds: IntArray
) -> tuple[list[str], list[float]]:
    """``select_members`` on out-of-fold predictions already made, by candidate name."""
    chosen: list[str] = []
    path: list[float] = []
    while len(chosen) < len(predictions):
        trials = {
            name: blend_auc([predictions[n] for n in [*chosen, name]], train, folds)
            for name in predictions
            if name not in chosen
        }
        best = max(trials, key=lambda name: trials[name])
        if path and trials[best] <= path[-1] + MIN_GAIN:
            break
        chosen.append(best)
        path.append(trials[best])
    return chosen, path


@dataclass(frozen=True)
class Choice:
    """What cross-validation on one dataset's training students chose, with the evidence."""

    l2: float
    l2_auc: dict[float, float]
    members: list[str]
    members_auc: list[float]


def choose(
    train: Sequences,
    *,
    feature_logistic: Callable[[float], Any],
    candidates: Callable[[float], Mapping[str, Factory]],
    n_folds: int = N_FOLDS,
    grid: Sequence[float] = L2_GRID,
) -> Choice:
    """FeatureLogistic's l2, then the stack's members (the candidates built with that l2); a
    one-value ``grid`` fixes the l2 without cross-validating it."""
    folds = student_folds(train, n_folds)
    l2_auc: dict[float, float] = {}
    if len(grid) == 1:
        l2 = grid[0]
    else:
        l2, l2_auc = select_l2(feature_logistic, train, folds, grid)
    members, members_auc = select_members(candidates(l2), train, folds)
    return Choice(l2=l2, l2_auc=l2_auc, members=members, members_auc=members_auc)
