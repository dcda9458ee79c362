"""Scratch measurements of the knowledge-tracing models on the shared benchmark datasets.

Usage: python benchmarks/kt_experiments.py MODEL [DATASET ...]       fit on train, score on test
       python benchmarks/kt_experiments.py val-MODEL [DATASET ...]   fit on 80% of the training
           students, score the other 20% (the split KTStack uses), keep the predictions
       python benchmarks/kt_experiments.py blend DATASET MODEL MODEL ...   2-fold (by student)
           cross-validated AUC of a logistic blend of kept held-out predictions

Every choice in ``yincai.bench.diagnosis.tracing_models`` was made with the ``val-`` and
``blend`` commands, which never read a test file.
"""

from __future__ import annotations

import itertools
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from yincai.bench.datasets import read_tracing
from yincai.science.metrics import accuracy, rmse, roc_auc

ROOT = Path("/work/shared/datasets")
PARAMS: dict[str, Any] = {}
DATASETS = ("assist2009", "statics2011", "synthetic-kt")


def _dkt() -> Any:
    import torch

    from yincai.science.tracing.deep import DKT

    torch.set_num_threads(2)
    return DKT(random_state=0, **{"batch_size": 64, **PARAMS})


def _stack_dkt_members() -> list[Any]:
    return [*_stack_members(), _dkt()]


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
            random_state=0,
            **{"l2": 1e-4, "n_samples": 16384, "guessing": True, "shared_guess": True, **PARAMS},
        ),
        "stack": lambda: tracing.KTStack(models=_stack_members(), random_state=0),
        "stack-l2": lambda: tracing.KTStack(
            models=[tracing.FeatureLogistic(l2=1e-5), *_stack_members()], random_state=0
        ),
        "stack-dkt": lambda: tracing.KTStack(models=_stack_dkt_members(), random_state=0),
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


def held_out(dataset: str) -> tuple[Any, npt.NDArray[np.bool_]]:
    """Training attempts and a mask of the 20% held-out students, drawn as KTStack draws them."""
    train = read_tracing(ROOT / dataset).train
    present = np.unique(train.students)
    held = np.random.default_rng(0).permutation(present)[: round(0.2 * present.size)]
    return train, np.isin(train.students, held)


def validate(name: str, dataset: str) -> None:
    """Fit on the other training students, predict the held-out ones, keep the predictions."""
    train, is_held = held_out(dataset)
    model = make(name)
    start = time.perf_counter()
    model.fit(train.students[~is_held], train.skills[~is_held], train.correct[~is_held])
    fit_s = time.perf_counter() - start
    held = (train.students[is_held], train.skills[is_held], train.correct[is_held])
    p = model.predict_proba(*held)
    tag = "_".join([name, *(f"{k}={v}" for k, v in sorted(PARAMS.items()))])
    np.save(f"/tmp/kt_val_{tag}_{dataset}.npy", p)
    print(f"val {tag:30s} {dataset:13s} AUC={roc_auc(held[2], p):.4f} fit={fit_s:.1f}s", flush=True)


def blend(dataset: str, tags: list[str]) -> None:
    """Cross-validated AUC of logistic blends of every subset of the kept held-out predictions."""
    from scipy.special import logit

    from yincai.science.tracing.logistic import fit_logistic

    train, is_held = held_out(dataset)
    y, students = train.correct[is_held], train.students[is_held]
    fold = (np.random.default_rng(1).permutation(int(students.max()) + 1) % 2)[students]
    columns = {
        t: logit(np.clip(np.load(f"/tmp/kt_val_{t}_{dataset}.npy"), 1e-6, 1 - 1e-6)) for t in tags
    }
    for size in range(1, len(tags) + 1):
        for subset in itertools.combinations(tags, size):
            logits = np.column_stack([columns[t] for t in subset])
            z = np.empty(y.size)
            for f in (0, 1):
                w, b, _ = fit_logistic(
                    sp.csr_matrix(logits[fold != f]),
                    y[fold != f],
                    l2=1e-4,
                    max_iter=1000,
                    name="blend",
                )
                z[fold == f] = logits[fold == f] @ w + b
            print(f"{roc_auc(y, z):.4f} {' + '.join(subset)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "blend":
        blend(sys.argv[2], sys.argv[3:])
        sys.exit()
    for ds in sys.argv[2:] or DATASETS:
        if sys.argv[1] == "flr-cv":
            select_l2(ds)
        elif sys.argv[1].startswith("val-"):
            validate(sys.argv[1].removeprefix("val-"), ds)
        else:
            run(sys.argv[1], ds)
