"""Scratch measurements of the knowledge-tracing models on the shared benchmark datasets.

Usage: python benchmarks/kt_experiments.py MODEL [DATASET ...]
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from yincai.bench.datasets import read_tracing
from yincai.science.metrics import accuracy, rmse, roc_auc

ROOT = Path("/work/shared/datasets")
PARAMS: dict[str, Any] = {}
DATASETS = ("assist2009", "statics2011", "synthetic-kt")


def _dkt() -> Any:
    import torch

    from yincai.science.tracing.deep import DKT

    torch.set_num_threads(2)
    return DKT(random_state=0, **PARAMS)


def _stack_members() -> list[Any]:
    from yincai.science import tracing

    return [
        tracing.FeatureLogistic(l2=PARAMS.get("l2", 1e-4)),
        tracing.BKT(random_state=0),
        tracing.Elo(),
        tracing.PFA(),
    ]


def make(name: str) -> Any:
    from yincai.science import tracing

    factories = {
        "bkt": lambda: tracing.BKT(random_state=0),
        "bkt-forget": lambda: tracing.BKT(forgetting=True, random_state=0),
        "pfa": lambda: tracing.PFA(),
        "elo": lambda: tracing.Elo(),
        "flr": lambda: tracing.FeatureLogistic(**PARAMS),
        "dkt": lambda: _dkt(),
        "mirt": lambda: tracing.OnlineMIRT(
            random_state=0, **{"l2": 1e-4, "n_samples": 8192, "guessing": True, **PARAMS}
        ),
        "stack": lambda: tracing.KTStack(models=_stack_members(), random_state=0),
        "stack-l2": lambda: tracing.KTStack(
            models=[tracing.FeatureLogistic(l2=1e-5), *_stack_members()], random_state=0
        ),
        "stack-mirt": lambda: tracing.KTStack(
            models=[
                *_stack_members(),
                tracing.OnlineMIRT(l2=1e-4, n_samples=4096, guessing=True, random_state=0),
            ],
            random_state=0,
        ),
    }
    return factories[name]()


def run(name: str, dataset: str) -> None:
    data = read_tracing(ROOT / dataset)
    model = make(name)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(data.train.students, data.train.skills, data.train.correct)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    p = model.predict_proba(data.test.students, data.test.skills, data.test.correct)
    np.save(f"/tmp/kt_{name}_{dataset}.npy", p)
    pred_s = time.perf_counter() - start
    y = data.test.correct
    extra = f" n_iter={getattr(model, 'n_iter_', getattr(model, 'n_epochs_', '-'))} {PARAMS}" + (
        " WARN" if caught else ""
    )
    print(
        f"{name:12s} {dataset:13s} AUC={roc_auc(y, p):.4f} ACC={accuracy(y, p):.4f} "
        f"RMSE={rmse(y, p):.4f} fit={fit_s:.2f}s predict={pred_s:.2f}s{extra}",
        flush=True,
    )


if __name__ == "__main__":
    np.seterr(all="raise")
    for arg in [a for a in sys.argv if "=" in a]:
        k, v = arg.split("=")
        PARAMS[k] = float(v) if "." in v or "e" in v else int(v)
        sys.argv.remove(arg)


def select_l2(dataset: str, grid: tuple[float, ...] = (1e-5, 1e-4, 1e-3, 3e-3)) -> None:
    """Choose FeatureLogistic's l2 on 20% of the training students, then refit and test."""
    from yincai.science.tracing import FeatureLogistic

    data = read_tracing(ROOT / dataset)
    s = data.train
    rng = np.random.default_rng(0)
    val_students = rng.permutation(s.n_students)[: s.n_students // 5]
    is_val = np.isin(s.students, val_students)
    scores = {}
    for l2 in [g for g in grid if dataset != "assist2009" or g > 1e-5]:  # 1e-5 hits max_iter
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = FeatureLogistic(l2=l2).fit(
                s.students[~is_val], s.skills[~is_val], s.correct[~is_val]
            )
        p = m.predict_proba(s.students[is_val], s.skills[is_val], s.correct[is_val])
        scores[l2] = roc_auc(s.correct[is_val], p)
        print(f"  {dataset} l2={l2:g} val AUC={scores[l2]:.4f}", flush=True)
    PARAMS["l2"] = max(scores, key=lambda k: scores[k])
    run("flr", dataset)


if __name__ == "__main__":
    for ds in sys.argv[2:] or DATASETS:
        if sys.argv[1] == "flr-cv":
            select_l2(ds)
        else:
            run(sys.argv[1], ds)
