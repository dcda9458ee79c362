"""Knowledge tracing on the shared datasets: every choice made on training students, then one score.

Usage: python benchmarks/kt_experiments.py [--datasets DIR] select [--deep] [DATASET ...]
           FeatureLogistic's l2 and KTStack's members chosen by 5-fold cross-validation over the
           training students (``yincai.bench.selection``), then the test score of the chosen stack
       python benchmarks/kt_experiments.py [--datasets DIR] cv MODEL [DATASET ...]
           one candidate's cross-validated AUC on the training students

The split of duties is the point: ``select`` and ``cv`` are handed ``read_training(folder)``, the
training students alone (``datasets.read_training`` never opens a test file), and choose from
them; the test file is opened in one function, ``score``, which is called after the choice is
made and changes nothing. ``tests/bench/test_selection.py`` runs this script's selection with
every opening of a ``test.csv`` refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yincai.bench.datasets import Sequences, read_tracing, read_training
from yincai.bench.diagnosis import has_torch, is_test_like
from yincai.bench.selection import Choice, Factory, choose, cv_auc, student_folds
from yincai.science.metrics import accuracy, rmse, roc_auc

ROOT = Path("/work/shared/datasets")
DATASETS = ("assist2009", "statics2011", "synthetic-kt")


def feature_logistic(l2: float) -> Any:
    from yincai.science import tracing

    return tracing.FeatureLogistic(l2=l2)


def candidates(train: Sequences, *, deep: bool = False) -> Any:
    """The stack's candidate members for these training students, given FeatureLogistic's l2."""
    from yincai.science import tracing

    def for_l2(l2: float) -> Mapping[str, Factory]:
        found: dict[str, Factory] = {
            "FeatureLogistic": lambda: feature_logistic(l2),
            "BKT": lambda: tracing.BKT(random_state=0),
            "BKT-forget": lambda: tracing.BKT(forgetting=True, random_state=0),
            "Elo": lambda: tracing.Elo(),
            "PFA": lambda: tracing.PFA(),
        }
        if is_test_like(train):
            found["OnlineMIRT"] = lambda: tracing.OnlineMIRT(
                n_samples=16384, guessing=True, shared_guess=True, l2=1e-4, random_state=0
            )
        if deep and has_torch():
            from yincai.science.tracing.deep import DKT

            found["DKT"] = lambda: DKT(batch_size=64, random_state=0)
        return found

    return for_l2


def select(train: Sequences, *, deep: bool = False, n_folds: int = 5) -> Choice:
    """Every choice, from the training students alone."""
    return choose(
        train,
        feature_logistic=feature_logistic,
        candidates=candidates(train, deep=deep),
        n_folds=n_folds,
    )


def cross_validated(name: str, train: Sequences, n_folds: int = 5) -> float:
    """One candidate's cross-validated AUC on the training students (l2 1e-4 for the logistic)."""
    make = candidates(train, deep=True)(1e-4)[name]
    return cv_auc(make, train, student_folds(train, n_folds))


def score(folder: Path, choice: Choice, *, deep: bool = False) -> dict[str, float]:
    """The only reader of the test file: the chosen stack, fitted on every training student,
    scored once on the test students."""
    from yincai.science import tracing

    dataset = read_tracing(folder)
    train, test = dataset.train, dataset.test
    made = candidates(train, deep=deep)(choice.l2)
    model = tracing.KTStack(models=[made[name]() for name in choice.members], random_state=0)
    start = time.perf_counter()
    model.fit(train.students, train.skills, train.correct)
    fit_s = time.perf_counter() - start
    p = model.predict_proba(test.students, test.skills, test.correct)
    y = test.correct
    return {"auc": roc_auc(y, p), "accuracy": accuracy(y, p), "rmse": rmse(y, p), "fit_s": fit_s}


def main(argv: list[str]) -> None:
    deep = "--deep" in argv
    argv = [arg for arg in argv if arg != "--deep"]
    root = ROOT
    if "--datasets" in argv:
        at = argv.index("--datasets")
        root = Path(argv[at + 1])
        del argv[at : at + 2]
    if not argv:
        raise SystemExit(__doc__)
    command, rest = argv[0], argv[1:]
    if command == "cv":
        for name in rest[1:] or DATASETS:
            train, _n_skills = read_training(root / name)
            print(f"cv {rest[0]:16s} {name:13s} AUC={cross_validated(rest[0], train):.4f}")
        return
    if command != "select":
        raise SystemExit(__doc__)
    for name in rest or DATASETS:
        train, _n_skills = read_training(root / name)
        choice = select(train, deep=deep)
        l2_text = " ".join(f"{l2:g}:{auc:.4f}" for l2, auc in choice.l2_auc.items())
        path = " ".join(
            f"+{m} {a:.4f}" for m, a in zip(choice.members, choice.members_auc, strict=True)
        )
        print(f"{name}: l2 {choice.l2:g} (cv AUC {l2_text}); members {path}", flush=True)
        result = score(root / name, choice, deep=deep)
        print(f"{name}: test " + " ".join(f"{k}={v:.4f}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
