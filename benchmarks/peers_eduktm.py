"""EduKTM's deep knowledge-tracing models (DKT, DKVMN, AKT) as peers of ``peers.py``.

EduKTM 0.0.10 ships networks and one-epoch training code but no early stopping and no way to get
the predictions back, so this module feeds the networks itself, in EduKTM's own input format
(DKVMN's preprocessing: each history cut into chunks of ≤ 200 attempts, question ids 1-based with
0 as padding, ``qa = q + correct × n_questions``), and trains them with EduKTM's code where it is
reusable: DKVMN's ``train_epoch``, AKT's ``train_one_epoch``. DKT's epoch loop is EduKTM's loss
(per-student mean BCE, summed over the batch) without its per-student Python loop.

Protocol, the same for every model: 10% of the *training* students (seed 0) are held out for
validation; a model trains on the rest for at most ``max_epochs`` epochs, stopping when the
validation AUC has not improved for ``patience`` epochs (or the optional time budget is spent),
and the epoch with the best validation AUC is kept. The test file is only predicted, once.
Scored: every test attempt except the first of each chunk, predicted from the chunk's earlier
attempts (DKT cannot predict a chunk's first attempt, so no model is scored on it).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from yincai.bench.datasets import DKVMN_CHUNK, Sequences, TracingDataset, chunked

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SEED = 0
VALIDATION_SHARE = 0.1  # of the training students, for early stopping
CASE = f"chunks of {DKVMN_CHUNK}, first of each chunk not scored"
# Hyper-parameters: the papers' for each model, with EduKTM's optimisers; see benchmarks/README.md.
EDUKTM: dict[str, dict[str, Any]] = {
    # Piech et al. 2015: 200 hidden units (EduKTM's DKT is a plain RNN); EduKTM's default lr.
    "DKT": {"hidden_size": 200, "num_layers": 1, "lr": 0.002, "batch_size": 64},
    # Zhang et al. 2017, ASSIST2009 setting (memory 20, key 50, value 200, fc 50, batch 32,
    # gradient norm 50); Adam(betas 0.9, 0.9) as EduKTM's DKVMN.train, whose lr is not the
    # paper's SGD lr 0.05: 0.01.
    "DKVMN": {
        "key_embedding_dim": 50,
        "value_embedding_dim": 200,
        "memory_size": 20,
        "key_memory_state_dim": 50,
        "value_memory_state_dim": 200,
        "final_fc_dim": 50,
        "lr": 0.01,
        "batch_size": 32,
        "maxgradnorm": 50.0,
    },
    # Ghosh et al. 2020 (AKT-R without Rasch ids, as the datasets have skills only): 1 block,
    # kq_same, dropout 0.05, l2 1e-5, 8 heads, final fc 512, no gradient clipping; Adam(betas 0,
    # 0.999) as EduKTM's AKT.train. d_model, d_ff, batch and lr: see AKT_CPU_NOTE.
    "AKT": {
        "n_blocks": 1,
        "d_model": 64,
        "d_ff": 256,
        "n_heads": 8,
        "final_fc_dim": 512,
        "dropout": 0.05,
        "kq_same": 1,
        "l2": 1e-5,
        "lr": 1e-3,
        "batch_size": 64,
        "maxgradnorm": -1.0,
    },
}
AKT_CPU_NOTE = (
    "EduKTM's AKTNet built directly with d_model 64, d_ff 256 (paper: 256, 1024), batch 64 "
    "(paper: 24) and lr 1e-3 (paper: 1e-5 for hundreds of epochs): the paper's size does not "
    "train within this benchmark's CPU budget. EduKTM 0.0.10's attention() discards its "
    "masked_fill (not in place), so AKT sees the current and later answers (test AUC 1.0 in a "
    "1-epoch trial); the runner replaces it by the same function with the mask applied, as in "
    "the AKT authors' code"
)


@dataclass(frozen=True)
class Chunks:
    """Sequences as EduKTM's padded matrices: ``q`` (1-based ids, 0 pad) and ``qa``."""

    q: IntArray
    qa: IntArray
    lengths: IntArray

    @property
    def scored(self) -> npt.NDArray[np.bool_]:
        """Positions scored: real attempts after the first of their chunk."""
        position = np.arange(self.q.shape[1])
        return (position[None, :] >= 1) & (position[None, :] < self.lengths[:, None])

    def correct(self, n_questions: int) -> FloatArray:
        return ((self.qa - 1) // n_questions).astype(np.float64)


def to_chunks(sequences: Sequences, n_questions: int) -> Chunks:
    """DKVMN's preprocessing of the attempts (in time order within each student)."""
    cut = chunked(sequences)
    n_chunks = cut.n_students
    lengths = np.bincount(cut.students, minlength=n_chunks).astype(np.int64)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    position = np.arange(cut.students.size) - starts[cut.students]
    q = np.zeros((n_chunks, DKVMN_CHUNK), dtype=np.int64)
    qa = np.zeros_like(q)
    q[cut.students, position] = cut.skills + 1
    qa[cut.students, position] = cut.skills + 1 + cut.correct.astype(np.int64) * n_questions
    return Chunks(q=q, qa=qa, lengths=lengths)


def _subset(chunks: Chunks, rows: IntArray) -> Chunks:
    return Chunks(q=chunks.q[rows], qa=chunks.qa[rows], lengths=chunks.lengths[rows])


def validation_split(train: Sequences) -> tuple[Sequences, Sequences]:
    """A seeded tenth of the training students, whole, for early stopping."""
    n_students = train.n_students
    held = np.random.default_rng(SEED).permutation(n_students)[
        : max(1, round(VALIDATION_SHARE * n_students))
    ]
    is_held = np.isin(train.students, held)

    def part(mask: npt.NDArray[np.bool_]) -> Sequences:
        _, codes = np.unique(train.students[mask], return_inverse=True)
        # np.unique renumbers by student code, keeping each student's attempts in order
        order = np.argsort(codes, kind="stable")
        return Sequences(
            students=codes[order].astype(np.int64),
            skills=train.skills[mask][order],
            correct=train.correct[mask][order],
        )

    return part(~is_held), part(is_held)


def _batches(n_rows: int, size: int) -> Iterator[slice]:
    for start in range(0, n_rows, size):
        yield slice(start, start + size)


# ------------------------------------------------------------------------------- the models


class _Peer:
    """One EduKTM model: ``epoch(train)`` trains one epoch, ``predict(chunks)`` gives P(right)
    for every position (B, T), from the chunk's attempts before it."""

    net: Any

    def epoch(self, train: Chunks) -> None:
        raise NotImplementedError

    def predict(self, chunks: Chunks) -> FloatArray:
        raise NotImplementedError


class _DKT(_Peer):
    def __init__(self, n_questions: int, settings: dict[str, Any]) -> None:
        import torch
        from EduKTM.DKT.DKT import Net

        self.n_questions, self.settings = n_questions, settings
        self.net = Net(n_questions, settings["hidden_size"], settings["num_layers"])
        self.optimizer = torch.optim.Adam(self.net.parameters(), settings["lr"])

    def _one_hot(self, chunks: Chunks) -> Any:
        """EduKTM's DKT input: index q + correct × N (0-based q), zero rows as padding."""
        import torch

        n_rows, n_steps = chunks.q.shape
        x = torch.zeros((n_rows, n_steps, 2 * self.n_questions))
        real = chunks.q > 0
        index = (chunks.qa - 1)[real]
        rows, steps = np.nonzero(real)
        x[torch.as_tensor(rows), torch.as_tensor(steps), torch.as_tensor(index)] = 1.0
        return x

    def _next_step(self, chunks: Chunks, out: Any) -> Any:
        """P(right) at position t from the output after t − 1 (position 0: 0.5, never scored)."""
        import torch

        q = torch.as_tensor(np.maximum(chunks.q - 1, 0))
        gathered = out[:, :-1, :].gather(2, q[:, 1:, None]).squeeze(2)
        return torch.cat([torch.full_like(gathered[:, :1], 0.5), gathered], dim=1)

    def epoch(self, train: Chunks) -> None:
        import torch

        self.net.train()
        order = np.random.permutation(train.q.shape[0])
        for part in _batches(order.size, self.settings["batch_size"]):
            batch = _subset(train, order[part])
            pred = self._next_step(batch, self.net(self._one_hot(batch)))
            truth = torch.as_tensor(batch.correct(self.n_questions), dtype=torch.float32)
            mask = torch.as_tensor(batch.scored, dtype=torch.float32)
            bce = torch.nn.functional.binary_cross_entropy(
                pred, truth.clamp(0, 1), reduction="none"
            )
            # EduKTM's loss: the mean BCE of each student, summed over the batch
            per_student = (bce * mask).sum(1) / mask.sum(1).clamp(min=1)
            loss = per_student[mask.sum(1) > 0].sum()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    def predict(self, chunks: Chunks) -> FloatArray:
        import torch

        self.net.eval()
        parts = []
        with torch.no_grad():
            for part in _batches(chunks.q.shape[0], 256):
                batch = _subset(chunks, np.arange(chunks.q.shape[0])[part])
                parts.append(self._next_step(batch, self.net(self._one_hot(batch))).numpy())
        return np.concatenate(parts).astype(np.float64)


class _DKVMN(_Peer):
    def __init__(self, n_questions: int, settings: dict[str, Any]) -> None:
        import torch
        from EduKTM import DKVMN

        self.n_questions, self.settings = n_questions, settings
        dims = {k: v for k, v in settings.items() if k.endswith("_dim") or k == "memory_size"}
        self.model = DKVMN(n_questions, settings["batch_size"], **dims)
        self.net = self.model.model
        # as DKVMN.train does, once
        self.net.init_embeddings()
        self.net.init_params()
        self.optimizer = torch.optim.Adam(
            self.net.parameters(), lr=settings["lr"], betas=(0.9, 0.9)
        )
        self.params = {**settings, "n_question": n_questions}
        self.n_epochs = 0

    def epoch(self, train: Chunks) -> None:
        order = np.random.permutation(
            train.q.shape[0]
        )  # EduKTM does not shuffle; DKVMN's code does
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            self.model.train_epoch(
                self.n_epochs,
                self.net,
                self.params,
                self.optimizer,
                train.q[order],
                train.qa[order],
            )
        self.n_epochs += 1

    def predict(self, chunks: Chunks) -> FloatArray:
        import torch

        self.net.eval()
        parts = []
        with torch.no_grad():
            for part in _batches(chunks.q.shape[0], 256):
                q = torch.as_tensor(chunks.q[part])
                target = torch.zeros((q.numel(), 1))  # every position kept by its mask
                _, pred, _ = self.net(q, torch.as_tensor(chunks.qa[part]), target)
                parts.append(pred.reshape(q.shape).numpy())
        return np.concatenate(parts).astype(np.float64)


def _akt_attention(
    q: Any, k: Any, v: Any, d_k: int, mask: Any, dropout: Any, zero_pad: bool, gamma: Any = None
) -> Any:
    """EduKTM 0.0.10's ``AKTNet.attention`` with its one bug fixed: the causal mask is applied
    (``masked_fill_``; EduKTM calls ``masked_fill`` and drops the result, leaking answers)."""
    import torch
    from torch.nn import functional

    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(d_k)
    bs, head, seqlen = scores.size(0), scores.size(1), scores.size(2)
    x1 = torch.arange(seqlen).expand(seqlen, -1)
    x2 = x1.transpose(0, 1).contiguous()
    with torch.no_grad():
        scores_ = functional.softmax(scores.masked_fill(mask == 0, -1e32), dim=-1)
        scores_ = scores_ * mask.float()
        distcum_scores = torch.cumsum(scores_, dim=-1)
        disttotal_scores = torch.sum(scores_, dim=-1, keepdim=True)
        position_effect = torch.abs(x1 - x2)[None, None, :, :].float()
        dist_scores = torch.clamp((disttotal_scores - distcum_scores) * position_effect, min=0.0)
        dist_scores = dist_scores.sqrt().detach()
    gamma = -1.0 * functional.softplus(gamma).unsqueeze(0)
    total_effect = torch.clamp(torch.clamp((dist_scores * gamma).exp(), min=1e-5), max=1e5)
    scores = scores * total_effect
    scores.masked_fill_(mask == 0, -1e23)  # the fix
    scores = functional.softmax(scores, dim=-1)
    if zero_pad:
        pad_zero = torch.zeros(bs, head, 1, seqlen)
        scores = torch.cat([pad_zero, scores[:, :, 1:, :]], dim=2)
    return torch.matmul(dropout(scores), v)


class _AKT(_Peer):
    def __init__(self, n_questions: int, settings: dict[str, Any]) -> None:
        import torch

        akt_module = importlib.import_module("EduKTM.AKT.AKTNet")

        akt_module.attention = _akt_attention  # see AKT_CPU_NOTE
        self.n_questions, self.settings = n_questions, settings
        self.net = akt_module.AKTNet(
            n_question=n_questions,
            n_pid=0,
            d_model=settings["d_model"],
            n_blocks=settings["n_blocks"],
            kq_same=settings["kq_same"],
            dropout=settings["dropout"],
            final_fc_dim=settings["final_fc_dim"],
            n_heads=settings["n_heads"],
            d_ff=settings["d_ff"],
            l2=settings["l2"],
        )
        self.params = {
            "is_pid": False,
            "batch_size": settings["batch_size"],
            "n_question": n_questions,
            "maxgradnorm": settings["maxgradnorm"],
        }
        # as AKT.train does
        self.optimizer = torch.optim.Adam(
            self.net.parameters(), lr=settings["lr"], betas=(0.0, 0.999), eps=1e-8
        )

    def epoch(self, train: Chunks) -> None:
        from EduKTM.AKT.AKT import train_one_epoch

        train_one_epoch(self.net, self.params, self.optimizer, train.q, train.qa, None)

    def predict(self, chunks: Chunks) -> FloatArray:
        import torch

        self.net.eval()
        parts = []
        with torch.no_grad():
            for part in _batches(chunks.q.shape[0], 64):
                q = torch.as_tensor(chunks.q[part])
                target = torch.zeros(q.shape)
                _, pred, _ = self.net(q, torch.as_tensor(chunks.qa[part]), target)
                parts.append(pred.reshape(q.shape).numpy())
        return np.concatenate(parts).astype(np.float64)


PEERS: dict[str, Callable[[int, dict[str, Any]], _Peer]] = {
    "DKT": _DKT,
    "DKVMN": _DKVMN,
    "AKT": _AKT,
}


# ------------------------------------------------------------------------------ measurement


@dataclass(frozen=True)
class Fitted:
    predicted: FloatArray  # on the scored test attempts, in ``scored_truth``'s order
    truth: FloatArray
    seconds: float
    epochs_run: int
    best_epoch: int
    validation_auc: list[float]
    stopped_by: str


def fit_predict(
    name: str,
    data: TracingDataset,
    *,
    auc: Callable[[FloatArray, FloatArray], float],
    threads: int,
    max_epochs: int,
    patience: int,
    budget_s: float | None,
) -> Fitted:
    """Train EduKTM's ``name`` with early stopping on held-out training students, then predict
    the test file's scored attempts with the best epoch's weights."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    random.seed(SEED)
    n_questions = data.n_skills
    fit_part, held_part = validation_split(data.train)
    train, held = to_chunks(fit_part, n_questions), to_chunks(held_part, n_questions)
    test = to_chunks(data.test, n_questions)
    peer = PEERS[name](n_questions, EDUKTM[name])
    held_truth = held.correct(n_questions)[held.scored]
    scores: list[float] = []
    best, best_net, stopped_by = -np.inf, None, "max_epochs"
    start = time.perf_counter()
    for epoch in range(max_epochs):
        peer.epoch(train)
        scores.append(round(auc(held_truth, peer.predict(held)[held.scored]), 4))
        if scores[-1] > best:
            best, best_net = scores[-1], copy.deepcopy(peer.net)
        if epoch - int(np.argmax(scores)) >= patience:
            stopped_by = "patience"
            break
        if budget_s is not None and time.perf_counter() - start > budget_s:
            stopped_by = "time budget"
            break
    seconds = time.perf_counter() - start
    peer.net = best_net
    predicted = peer.predict(test)[test.scored]
    return Fitted(
        predicted=predicted,
        truth=test.correct(n_questions)[test.scored],
        seconds=seconds,
        epochs_run=len(scores),
        best_epoch=int(np.argmax(scores)) + 1,
        validation_auc=scores,
        stopped_by=stopped_by,
    )


def scored_mask(sequences: Sequences) -> npt.NDArray[np.bool_]:
    """The attempts (in long order) that are scored under ``CASE``: all but each chunk's first."""
    cut = chunked(sequences).students
    scored = np.zeros(cut.size, dtype=np.bool_)
    scored[1:] = cut[1:] == cut[:-1]
    return scored
