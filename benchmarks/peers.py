"""yincai against peer libraries on the same data splits, in one run (``make bench-peers``).

* knowledge tracing (assist2009, statics2011, synthetic-kt): yincai ``BKT`` vs pyBKT ``Model`` on
  full histories; yincai ``BKT`` vs EduKTM's ``DKT``, ``DKVMN`` and ``AKT`` on DKVMN's chunks of
  200 attempts (``peers_eduktm.py``: early stopping on held-out training students);
* cognitive diagnosis (frcsub, math1; 80/20 cell split, seed 0): yincai ``QMIRT`` and ``DINA`` vs
  EduCDM ``GDIRT``, ``MIRT``, ``NCDM`` and ``EMDINA``;
* 2PL calibration on simulated 20,000 × 60 and 200,000 × 60 data: yincai ``TwoPL`` vs girth
  ``twopl_mml`` (parameter recovery RMSE and seconds).

Runs in ``.venv-peers`` (the peers' own environment, see benchmarks/README.md). A peer that is not
installed or fails is reported as an error row; the run goes on.

Usage: python benchmarks/peers.py [--datasets DIR] [--quick] [--json FILE] [--threads N]
       [--only tracing diagnosis irt] [--eduktm DKT DKVMN AKT] [--kt-epochs 15] [--kt-patience 2]
       [--kt-budget SECONDS]
"""

from __future__ import annotations

import argparse
import os
import sys


def _limit_threads(n_threads: int) -> None:
    """Same thread budget for every library: BLAS, OpenMP (pyBKT's C++ core) and torch."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n_threads)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets", default="../shared/datasets", help="benchmark datasets folder"
    )
    parser.add_argument("--quick", action="store_true", help="skip the 200,000-student IRT case")
    parser.add_argument("--json", default="bench-results/peers.json", help="where to write rows")
    parser.add_argument("--threads", type=int, default=1, help="threads for every library")
    parser.add_argument("--only", nargs="*", default=None, help="suites: tracing diagnosis irt")
    parser.add_argument(
        "--eduktm", nargs="*", default=["DKT", "DKVMN", "AKT"], help="EduKTM models to run"
    )
    parser.add_argument("--kt-epochs", type=int, default=15, help="EduKTM: most epochs")
    parser.add_argument("--kt-patience", type=int, default=2, help="EduKTM: early-stop patience")
    parser.add_argument(
        "--kt-budget", type=float, default=None, help="EduKTM: stop after this many fit seconds"
    )
    return parser.parse_args(argv)


ARGS = _parse(None) if __name__ == "__main__" else None
if ARGS is not None:
    _limit_threads(ARGS.threads)

# numpy and the peers are imported after the thread limits are in the environment
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from yincai.bench.datasets import (  # noqa: E402
    Sequences,
    TracingDataset,
    cell_split,
    chunked,
    discover,
    read_diagnosis,
    read_tracing,
)
from yincai.science.cdm import DINA, QMIRT  # noqa: E402
from yincai.science.irt import TwoPL  # noqa: E402
from yincai.science.metrics import accuracy, rmse, roc_auc  # noqa: E402
from yincai.science.simulate import simulate_2pl  # noqa: E402
from yincai.science.tracing import BKT  # noqa: E402

Row = dict[str, Any]
FloatArray = npt.NDArray[np.float64]

SEED = 0
IRT_SIZES = ((20_000, 60), (200_000, 60))
N_ITEMS_IRT = 60
# EduCDM trains by Adam on mini-batches for a fixed number of epochs. Batch sizes and NCDM's
# learning rate are those of EduCDM's examples; their examples' 2-3 epochs are meant for the much
# larger a0910 data and leave frcsub/math1 far from converged, and GDIRT/MIRT at their default
# lr 0.001 were still improving after 100 epochs on frcsub. These settings were picked by
# watching the test AUC per epoch (generous to the peers): more epochs move AUC by < 0.005.
EDUCDM = {
    "GDIRT": {"epochs": 40, "lr": 0.01, "batch_size": 256, "a_range": 1.0},
    "MIRT": {"epochs": 40, "lr": 0.01, "batch_size": 256, "latent_dim": 4, "a_range": 1.0},
    "NCDM": {"epochs": 10, "lr": 0.002, "batch_size": 32},
    "EMDINA": {"epochs": 100, "epsilon": 1e-3},
}
PYBKT_UNSEEN_SKILL = 0.5  # pyBKT.Model.predict's own "best effort" value for unfitted skills


# --------------------------------------------------------------------------------------- rows


def _row(suite: str, dataset: str, model: str, metrics: dict[str, float], **extra: Any) -> Row:
    return {"suite": suite, "dataset": dataset, "model": model, "metrics": metrics, **extra}


def _error_row(suite: str, dataset: str, model: str, exc: BaseException) -> Row:
    message = f"{type(exc).__name__}: {exc}".strip()
    return _row(suite, dataset, model, {}, error=message[:300])


def _prediction_metrics(
    truth: FloatArray, predicted: FloatArray, seconds: float
) -> dict[str, float]:
    return {
        "auc": round(roc_auc(truth, predicted), 4),
        "accuracy": round(accuracy(truth, predicted), 4),
        "rmse": round(rmse(truth, predicted), 4),
        "fit_seconds": round(seconds, 2),
    }


def _guarded(suite: str, dataset: str, model: str, job: Callable[[], Row], rows: list[Row]) -> None:
    """Run one measurement; any failure, including a missing peer, becomes an error row."""
    print(f"  {dataset:14s} {model:14s} ...", end="", flush=True, file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = job()
    except Exception as exc:  # a peer's failure must not end the run
        traceback.print_exc(limit=3, file=sys.stderr)
        row = _error_row(suite, dataset, model, exc)
    rows.append(row)
    shown = row.get("error") or " ".join(f"{k} {v}" for k, v in row["metrics"].items())
    print(f" {shown}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _quiet() -> Any:
    """Silence the peers' per-epoch prints and progress bars (they would cost time, too)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


# ---------------------------------------------------------------------------- knowledge tracing


def _kt_frame(sequences: Sequences) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "order_id": np.arange(sequences.students.size),
            "user_id": sequences.students,
            "skill_name": sequences.skills.astype(str),
            "correct": sequences.correct.astype(np.int64),
        }
    )


def _ours_bkt(data: TracingDataset) -> Row:
    train, test = data.train, data.test
    start = time.perf_counter()
    model = BKT(random_state=SEED).fit(train.students, train.skills, train.correct)
    seconds = time.perf_counter() - start
    predicted = model.predict_proba(test.students, test.skills, test.correct)
    metrics = _prediction_metrics(test.correct, predicted, seconds)
    return _row("peers", data.name, "yincai BKT", metrics)


def _pybkt(data: TracingDataset) -> Row:
    from pyBKT.models import Model

    has_cpp = _pybkt_has_cpp()
    train_frame, test_frame = _kt_frame(data.train), _kt_frame(data.test)
    model = Model(seed=SEED)
    start = time.perf_counter()
    with _quiet():
        model.fit(data=train_frame)
    seconds = time.perf_counter() - start
    fitted = test_frame["skill_name"].isin(list(model.fit_model))
    predicted = np.full(len(test_frame), PYBKT_UNSEEN_SKILL)
    if fitted.any():
        with _quiet():
            out = model.predict(data=test_frame[fitted].copy())
        predicted[np.flatnonzero(fitted.to_numpy())] = (
            out["correct_predictions"].reindex(test_frame.index[fitted]).to_numpy()
        )
    metrics = _prediction_metrics(data.test.correct, predicted, seconds)
    return _row(
        "peers",
        data.name,
        "pyBKT",
        metrics,
        settings={"num_fits": model.num_fits, "cpp_core": has_cpp},
        unseen_skill_attempts=int((~fitted).sum()),
    )


def _pybkt_has_cpp() -> bool:
    try:
        from pyBKT.fit import E_step  # noqa: F401  (only in the C++ build)
    except ImportError:
        return False
    return True


def _ours_bkt_chunks(data: TracingDataset) -> Row:
    """yincai BKT under EduKTM's protocol: chunks of 200, scored on the same attempts."""
    from peers_eduktm import CASE, scored_mask

    train, test = chunked(data.train), chunked(data.test)
    start = time.perf_counter()
    model = BKT(random_state=SEED).fit(train.students, train.skills, train.correct)
    seconds = time.perf_counter() - start
    predicted = model.predict_proba(test.students, test.skills, test.correct)
    scored = scored_mask(data.test)
    metrics = _prediction_metrics(test.correct[scored], predicted[scored], seconds)
    return _row("peers", data.name, "yincai BKT", metrics, case=CASE)


def _eduktm(data: TracingDataset, name: str, args: argparse.Namespace) -> Row:
    from peers_eduktm import AKT_CPU_NOTE, CASE, EDUKTM, VALIDATION_SHARE, fit_predict

    fitted = fit_predict(
        name,
        data,
        auc=roc_auc,
        threads=args.threads,
        max_epochs=args.kt_epochs,
        patience=args.kt_patience,
        budget_s=args.kt_budget,
    )
    metrics = _prediction_metrics(fitted.truth, fitted.predicted, fitted.seconds)
    settings = {
        **EDUKTM[name],
        "max_epochs": args.kt_epochs,
        "patience": args.kt_patience,
        "budget_s": args.kt_budget,
        "validation_share": VALIDATION_SHARE,
    }
    if name == "AKT":
        settings["note"] = AKT_CPU_NOTE
    return _row(
        "peers",
        data.name,
        f"EduKTM {name}",
        metrics,
        case=CASE,
        settings=settings,
        epochs_run=fitted.epochs_run,
        best_epoch=fitted.best_epoch,
        stopped_by=fitted.stopped_by,
        validation_auc=fitted.validation_auc,
        scored_attempts=int(fitted.truth.size),
    )


def tracing_rows(folder: Path, args: argparse.Namespace) -> list[Row]:
    data = read_tracing(folder)
    rows: list[Row] = []
    _guarded("peers", data.name, "yincai BKT", lambda: _ours_bkt(data), rows)
    _guarded("peers", data.name, "pyBKT", lambda: _pybkt(data), rows)
    if not args.eduktm:
        return rows
    _guarded("peers", data.name, "yincai BKT/200", lambda: _ours_bkt_chunks(data), rows)
    for name in args.eduktm:
        label = f"EduKTM {name}"
        _guarded("peers", data.name, label, lambda n=name: _eduktm(data, n, args), rows)
    return rows


# ------------------------------------------------------------------------- cognitive diagnosis


class _Split:
    """One diagnosis dataset and its 80/20 cell split, as arrays every model reads."""

    def __init__(self, folder: Path) -> None:
        data = read_diagnosis(folder)
        self.name = data.name
        self.scores = data.scores
        self.q_matrix = data.q_matrix
        self.train, self.test = cell_split(*data.scores.shape, seed=SEED)
        self.responses = np.where(self.train, data.scores, np.nan)
        self.truth = data.scores[self.test]
        self.train_cells = np.nonzero(self.train)
        self.test_cells = np.nonzero(self.test)


def _ours_cdm(split: _Split, name: str) -> Row:
    model = QMIRT() if name == "QMIRT" else DINA(random_state=SEED)
    start = time.perf_counter()
    model.fit(split.responses, split.q_matrix)
    seconds = time.perf_counter() - start
    predicted = model.predict_proba(split.responses)[split.test]
    metrics = _prediction_metrics(split.truth, predicted, seconds)
    return _row("peers", split.name, f"yincai {name}", metrics, n_iter=int(model.n_iter_))


def _educdm_gd(split: _Split, name: str) -> Row:
    """GDIRT, MIRT or NCDM trained on the training cells; the score (0-1) is the BCE target."""
    import torch
    from EduCDM import GDIRT, MIRT, NCDM
    from torch.utils.data import DataLoader, TensorDataset

    settings = EDUCDM[name]
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "1"))))
    n_students, n_items = split.scores.shape
    users, items = (torch.as_tensor(a, dtype=torch.int64) for a in split.train_cells)
    test_users, test_items = (torch.as_tensor(a, dtype=torch.int64) for a in split.test_cells)
    target = torch.as_tensor(split.scores[split.train], dtype=torch.float32)
    q_rows = torch.as_tensor(split.q_matrix, dtype=torch.float32)
    if name == "NCDM":
        model: Any = NCDM(split.q_matrix.shape[1], n_items, n_students)
        net = model.ncdm_net
        tensors = (users, items, q_rows[items], target)
    else:
        model = (
            GDIRT(n_students, n_items, a_range=settings["a_range"])
            if name == "GDIRT"
            else MIRT(n_students, n_items, settings["latent_dim"], a_range=settings["a_range"])
        )
        net = model.irt_net
        tensors = (users, items, target)
    loader = DataLoader(TensorDataset(*tensors), batch_size=settings["batch_size"], shuffle=True)
    start = time.perf_counter()
    with _quiet():
        model.train(loader, epoch=settings["epochs"], lr=settings["lr"])
    seconds = time.perf_counter() - start
    net.eval()
    with torch.no_grad():
        if name == "NCDM":
            out = net(test_users, test_items, q_rows[test_items])
        else:
            out = net(test_users, test_items)
    predicted = out.numpy().astype(np.float64)
    metrics = _prediction_metrics(split.truth, predicted, seconds)
    return _row("peers", split.name, f"EduCDM {name}", metrics, settings=settings)


def _educdm_dina(split: _Split) -> Row:
    """EduCDM's EM DINA on the training matrix (-1 marks the test cells, its skip value)."""
    from EduCDM import EMDINA

    settings = EDUCDM["EMDINA"]
    skip = -1
    matrix = np.where(split.train, split.scores, skip)
    n_students, n_items = matrix.shape
    model = EMDINA(matrix, split.q_matrix, n_students, n_items, split.q_matrix.shape[1], skip)
    start = time.perf_counter()
    with _quiet():
        model.train(epoch=settings["epochs"], epsilon=settings["epsilon"])
    seconds = time.perf_counter() - start
    # the same formula as EMDINA.eval: the item's P(right) in the student's most likely pattern
    p_right = (1 - model.slip) * model.eta + model.guess * (1 - model.eta)
    students, items = split.test_cells
    predicted = p_right[model.theta[students], items].astype(np.float64)
    metrics = _prediction_metrics(split.truth, predicted, seconds)
    return _row("peers", split.name, "EduCDM EMDINA", metrics, settings=settings)


def diagnosis_rows(folder: Path) -> list[Row]:
    split = _Split(folder)
    rows: list[Row] = []
    for ours in ("QMIRT", "DINA"):
        _guarded("peers", split.name, f"yincai {ours}", lambda o=ours: _ours_cdm(split, o), rows)
    for theirs in ("GDIRT", "MIRT", "NCDM"):
        _guarded(
            "peers", split.name, f"EduCDM {theirs}", lambda t=theirs: _educdm_gd(split, t), rows
        )
    _guarded("peers", split.name, "EduCDM EMDINA", lambda: _educdm_dina(split), rows)
    return rows


# ------------------------------------------------------------------------------------ 2PL IRT


def _recovery(
    a: FloatArray, b: FloatArray, a_hat: FloatArray, b_hat: FloatArray
) -> dict[str, float]:
    return {
        "a_rmse": round(rmse(a, a_hat), 4),
        "b_rmse": round(rmse(b, b_hat), 4),
    }


def _ours_2pl(name: str, responses: FloatArray, a: FloatArray, b: FloatArray) -> Row:
    start = time.perf_counter()
    model = TwoPL().fit(responses)
    seconds = time.perf_counter() - start
    metrics = {
        **_recovery(a, b, model.discrimination_, model.difficulty_),
        "fit_seconds": round(seconds, 2),
    }
    return _row("peers", name, "yincai TwoPL", metrics)


def _girth_2pl(name: str, responses: FloatArray, a: FloatArray, b: FloatArray) -> Row:
    from girth import tag_missing_data, twopl_mml

    missing = np.isnan(responses)
    # girth wants items × students integers; missing cells get its invalid-response code
    dataset = np.where(missing, -1, responses).astype(np.int64).T
    if missing.any():
        dataset = tag_missing_data(dataset, [0, 1])
    start = time.perf_counter()
    result = twopl_mml(dataset)
    seconds = time.perf_counter() - start
    a_hat = np.asarray(result["Discrimination"], dtype=np.float64)
    b_hat = np.asarray(result["Difficulty"], dtype=np.float64)
    metrics = {**_recovery(a, b, a_hat, b_hat), "fit_seconds": round(seconds, 2)}
    return _row("peers", name, "girth twopl_mml", metrics)


def irt_rows(sizes: tuple[tuple[int, int], ...]) -> list[Row]:
    rows: list[Row] = []
    for n_students, n_items in sizes:
        name = f"2pl-{n_students}x{n_items}"
        responses, a, b, _ = simulate_2pl(n_students, n_items, random_state=SEED)
        for label, job in (("yincai TwoPL", _ours_2pl), ("girth twopl_mml", _girth_2pl)):
            _guarded("peers", name, label, partial(job, name, responses, a, b), rows)
    return rows


# ------------------------------------------------------------------------------------ report


def _is_ours(row: Row) -> bool:
    return str(row["model"]).startswith("yincai")


def _counterpart(peer: Row, rows: list[Row]) -> Row | None:
    """yincai's model to set against a peer row (same dataset and protocol ``case``): DINA for a
    DINA, else the first yincai row."""
    ours = [
        r
        for r in rows
        if r["dataset"] == peer["dataset"] and _is_ours(r) and r.get("case") == peer.get("case")
    ]
    if str(peer["model"]).endswith("DINA"):
        ours = [r for r in ours if r["model"] == "yincai DINA"]
    else:
        ours = [r for r in ours if r["model"] != "yincai DINA"]
    return ours[0] if ours and "error" not in ours[0] else None


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0:
        return None
    return round(ours / theirs, 3)


def _difference(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or np.isnan(ours) or np.isnan(theirs):
        return None
    return round(ours - theirs, 4)


def comparisons(rows: list[Row]) -> list[Row]:
    """One ``peers-ratio`` row per peer result: fit time ours ÷ theirs, metric ours − theirs."""
    table: list[Row] = []
    for peer in (r for r in rows if not _is_ours(r) and "error" not in r):
        ours = _counterpart(peer, rows)
        if ours is None:
            continue
        mine, theirs = ours["metrics"], peer["metrics"]
        metrics = {"time_ratio": _ratio(mine.get("fit_seconds"), theirs.get("fit_seconds"))}
        for key in ("auc", "rmse", "a_rmse", "b_rmse"):
            if key in theirs:
                metrics[f"{key}_diff"] = _difference(mine.get(key), theirs.get(key))
        model = f"{ours['model']} vs {peer['model']}"
        extra = {"case": peer["case"]} if "case" in peer else {}
        table.append(_row("peers-ratio", peer["dataset"], model, metrics, **extra))
    return table


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def _print_table(title: str, head: list[str], body: list[list[str]]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(f"{title}\n" + " | ".join(head))
        for line in body:
            print(" | ".join(line))
        print()
        return
    table = Table(title=title)
    for column in head:
        table.add_column(column)
    for line in body:
        table.add_row(*line)
    Console(width=160).print(table)


def print_report(rows: list[Row], ratios: list[Row]) -> None:
    keys = ["auc", "accuracy", "rmse", "a_rmse", "b_rmse", "fit_seconds"]
    measured = [
        [
            r["dataset"],
            r["model"],
            r.get("case", "full histories"),
            *(_fmt(r["metrics"].get(k)) for k in keys),
            r.get("error", ""),
        ]
        for r in rows
    ]
    head = ["dataset", "model", "case", *keys, "error"]
    _print_table("Measured (same splits, same run)", head, measured)
    diffs = ["time_ratio", "auc_diff", "rmse_diff", "a_rmse_diff", "b_rmse_diff"]
    compared = [
        [r["dataset"], r["model"], *(_fmt(r["metrics"].get(k)) for k in diffs)] for r in ratios
    ]
    title = "yincai vs peers: fit time ours ÷ theirs; differences ours − theirs"
    _print_table(title, ["dataset", "comparison", *diffs], compared)


def main(args: argparse.Namespace) -> int:
    root = Path(args.datasets)
    suites = set(args.only or ("tracing", "diagnosis", "irt"))
    rows: list[Row] = []
    found = discover(root) if root.is_dir() else []
    if not found:
        print(f"no datasets under {root}; only the simulated IRT cases run", file=sys.stderr)
    for kind, folder in found:
        if kind in suites:
            print(f"{kind}: {folder.name}", file=sys.stderr, flush=True)
            rows.extend(tracing_rows(folder, args) if kind == "tracing" else diagnosis_rows(folder))
    if "irt" in suites:
        print("irt: simulated 2PL", file=sys.stderr, flush=True)
        rows.extend(irt_rows(IRT_SIZES[:1] if args.quick else IRT_SIZES))
    ratios = comparisons(rows)
    print_report(rows, ratios)
    for row in rows:
        row["threads"] = args.threads
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows + ratios, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    assert ARGS is not None
    raise SystemExit(main(ARGS))
