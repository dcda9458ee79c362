"""Knowledge tracing on the shared datasets: every choice made on training students, then one score.

Usage: python benchmarks/kt_experiments.py [--datasets DIR] [--folds N] [--l2 X] select [--deep]
           [DATASET ...]
           FeatureLogistic's l2 and KTStack's members chosen by 5-fold cross-validation over the
           training students (``yincai.bench.selection``), then the test score of the chosen stack
       python benchmarks/kt_experiments.py [--datasets DIR] [--folds N] [--l2 X] compare
           [DATASET ...]
           every deep candidate's cross-validated AUC (OnlineMIRT left out: its cost), the forward
           selection, and whether AttentionKT raises the blend of the current stack; then the test
           score of that stack, with AttentionKT if the cross-validation says it adds
       python benchmarks/kt_experiments.py [--datasets DIR] cv MODEL [DATASET ...]
           one candidate's cross-validated AUC on the training students

The split of duties is the point: ``select`` and ``cv`` are handed ``read_training(folder)``, the
training students alone (``datasets.read_training`` never opens a test file), and choose from
them; the test file is opened in one function, ``score`` (``score_stack`` for ``compare``), which
is called after the choice is made and changes nothing. ``tests/bench/test_selection.py`` runs
this script's selection with every opening of a ``test.csv`` refused.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yincai.bench.datasets import Sequences, read_tracing, read_training
from yincai.bench.diagnosis import attention_kt, has_torch, is_test_like
from yincai.bench.selection import (
    MIN_GAIN,
    Choice,
    Factory,
    blend_auc,
    choose,
    cv_auc,
    forward_select,
    out_of_fold,
    student_folds,
)
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
            found["AttentionKT"] = attention_kt
        return found

    return for_l2


def select(
    train: Sequences, *, deep: bool = False, n_folds: int = 5, l2: float | None = None
) -> Choice:
    """Every choice, from the training students alone (FeatureLogistic's l2 fixed if given)."""
    return choose(
        train,
        feature_logistic=feature_logistic,
        candidates=candidates(train, deep=deep),
        n_folds=n_folds,
        **({"grid": (l2,)} if l2 is not None else {}),
    )


STACK_NOW = ("FeatureLogistic", "BKT", "Elo", "PFA", "DKT")  # diagnosis.tracing_models' stack


def compare(
    train: Sequences, *, n_folds: int, l2: float, skip: tuple[str, ...] = ()
) -> tuple[list[str], list[float], dict[str, float]]:
    """On the training students alone: every deep candidate's cross-validated AUC (minus
    ``skip``), the forward selection of members, and the blend AUC of the current stack without
    and with AttentionKT."""
    folds = student_folds(train, n_folds)
    made = {k: v for k, v in candidates(train, deep=True)(l2).items() if k not in skip}
    predictions = {}
    for name, make in made.items():
        start = time.perf_counter()
        predictions[name] = out_of_fold(make, train, folds)
        seconds = time.perf_counter() - start
        auc = roc_auc(train.correct, predictions[name])
        print(f"  cv {name:16s} AUC {auc:.4f} ({seconds:.0f} s for {n_folds} folds)", flush=True)
    members, path = forward_select(predictions, train, folds)
    now = [name for name in STACK_NOW if name in predictions]
    blends = {
        "stack now": blend_auc([predictions[n] for n in now], train, folds),
        "stack now + AttentionKT": blend_auc(
            [predictions[n] for n in [*now, "AttentionKT"]], train, folds
        ),
    }
    return members, path, blends


def score_stack(folder: Path, members: list[str], *, l2: float) -> dict[str, float]:
    """The only reader of the test file here: a KTStack of ``members`` fitted on every training
    student and scored once on the test students; with each member's own test AUC."""
    from yincai.science import tracing

    dataset = read_tracing(folder)
    train, test = dataset.train, dataset.test
    made = candidates(train, deep=True)(l2)
    model = tracing.KTStack(models=[made[name]() for name in members], random_state=0)
    start = time.perf_counter()
    model.fit(train.students, train.skills, train.correct)
    found = {"fit_s": time.perf_counter() - start}
    y = test.correct
    found["auc"] = roc_auc(y, model.predict_proba(test.students, test.skills, test.correct))
    for name, member in zip(members, model.models_, strict=True):
        p = member.predict_proba(test.students, test.skills, test.correct)
        found[f"auc {name}"] = roc_auc(y, p)
    return found


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
    n_folds, l2 = 5, None
    if "--folds" in argv:
        at = argv.index("--folds")
        n_folds = int(argv[at + 1])
        del argv[at : at + 2]
    if "--l2" in argv:
        at = argv.index("--l2")
        l2 = float(argv[at + 1])
        del argv[at : at + 2]
    if not argv:
        raise SystemExit(__doc__)
    command, rest = argv[0], argv[1:]
    if command == "compare":
        for name in rest or DATASETS:
            train, _n_skills = read_training(root / name)
            print(f"{name}: {n_folds}-fold cross-validation over the training students", flush=True)
            chosen_l2 = 1e-4 if l2 is None else l2
            members, joined, blends = compare(
                train, n_folds=n_folds, l2=chosen_l2, skip=("OnlineMIRT",)
            )
            text = " ".join(f"+{m} {a:.4f}" for m, a in zip(members, joined, strict=True))
            print(f"{name}: members {text}", flush=True)
            print(f"{name}: " + "; ".join(f"{k} {v:.4f}" for k, v in blends.items()), flush=True)
            adds = blends["stack now + AttentionKT"] > blends["stack now"] + MIN_GAIN
            scored = [*STACK_NOW, "AttentionKT"] if adds else [*STACK_NOW]
            result = score_stack(root / name, scored, l2=chosen_l2)
            print(f"{name}: test " + " ".join(f"{k}={v:.4f}" for k, v in result.items()))
        return
    if command == "cv":
        for name in rest[1:] or DATASETS:
            train, _n_skills = read_training(root / name)
            print(f"cv {rest[0]:16s} {name:13s} AUC={cross_validated(rest[0], train):.4f}")
        return
    if command != "select":
        raise SystemExit(__doc__)
    for name in rest or DATASETS:
        train, _n_skills = read_training(root / name)
        choice = select(train, deep=deep, n_folds=n_folds, l2=l2)
        l2_text = " ".join(f"{l2:g}:{auc:.4f}" for l2, auc in choice.l2_auc.items())
        path = " ".join(
            f"+{m} {a:.4f}" for m, a in zip(choice.members, choice.members_auc, strict=True)
        )
        print(f"{name}: l2 {choice.l2:g} (cv AUC {l2_text}); members {path}", flush=True)
        result = score(root / name, choice, deep=deep)
        print(f"{name}: test " + " ".join(f"{k}={v:.4f}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
