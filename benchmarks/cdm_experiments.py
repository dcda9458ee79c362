"""Benchmark of the cdm models on the standard 80/20 cell split (frcsub, math1).

Usage: python benchmarks/cdm_experiments.py ../shared/datasets [--seeds 0 1 2]
"""

from __future__ import annotations

import os

# BLAS threads spin against each other on a small shared machine and make these small matrix
# products tens of times slower; one thread per process is also what a fair timing needs
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from yincai.bench.datasets import cell_split, read_diagnosis
from yincai.science.cdm import DINA, GDINA, QMIRT
from yincai.science.metrics import accuracy, rmse, roc_auc

DATASETS = ("frcsub", "math1")


def evaluate(root: Path, seed: int, models: list[str]) -> None:
    for name in DATASETS:
        data = read_diagnosis(root / name)
        train, test = cell_split(*data.scores.shape, seed=seed)
        responses = np.where(train, data.scores, np.nan)
        truth = data.scores[test]
        candidates: dict[str, DINA | GDINA | QMIRT] = {
            "DINA": DINA(random_state=0),
            "GDINA": GDINA(random_state=0),
            "QMIRT": QMIRT(),
        }
        for model in (candidates[key] for key in models):
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.fit(responses, data.q_matrix)
            seconds = time.perf_counter() - start
            predicted = model.predict_proba(responses)[test]
            print(
                f"{name:7s} seed {seed} {type(model).__name__:6s} "
                f"auc {roc_auc(truth, predicted):.4f} acc {accuracy(truth, predicted):.4f} "
                f"rmse {rmse(truth, predicted):.4f} fit {seconds:5.2f}s "
                f"iter {model.n_iter_}{' (warned)' if caught else ''}",
                flush=True,
            )


def inner_validation(root: Path, priors: list[float]) -> None:
    """Score QMIRT loading priors on a second 80/20 split of the training cells only."""
    for name in DATASETS:
        data = read_diagnosis(root / name)
        train, _ = cell_split(*data.scores.shape, seed=0)
        inner_test = cell_split(*data.scores.shape, seed=1)[1] & train
        responses = np.where(train & ~inner_test, data.scores, np.nan)
        truth = data.scores[inner_test]
        for prior in priors:
            predicted = QMIRT(loading_prior=prior).fit(responses, data.q_matrix)
            held_out = predicted.predict_proba(responses)[inner_test]
            print(
                f"{name:7s} inner loading_prior {prior:g} auc {roc_auc(truth, held_out):.4f} "
                f"rmse {rmse(truth, held_out):.4f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("datasets", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--models", nargs="+", default=["DINA", "GDINA", "QMIRT"])
    parser.add_argument("--inner", type=float, nargs="*", help="loading priors to validate")
    args = parser.parse_args()
    if args.inner:
        inner_validation(args.datasets, args.inner)
        return
    for seed in args.seeds:
        evaluate(args.datasets, seed, args.models)


if __name__ == "__main__":
    main()
