"""Benchmark of the cdm models on the standard 80/20 cell split (frcsub, math1).

Usage: python benchmarks/cdm_experiments.py ../shared/datasets [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from yincai.bench.datasets import cell_split, read_diagnosis
from yincai.science.cdm import DINA, GDINA, QMIRT
from yincai.science.metrics import accuracy, rmse, roc_auc

DATASETS = ("frcsub", "math1")


def evaluate(root: Path, seed: int) -> None:
    for name in DATASETS:
        data = read_diagnosis(root / name)
        train, test = cell_split(*data.scores.shape, seed=seed)
        responses = np.where(train, data.scores, np.nan)
        truth = data.scores[test]
        for model in (DINA(random_state=0), GDINA(random_state=0), QMIRT()):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("datasets", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    for seed in args.seeds:
        evaluate(args.datasets, seed)


if __name__ == "__main__":
    main()
