"""Attentive knowledge tracing (SAKT/AKT-style transformer), conditioned on the next item.

Optional: needs ``torch`` (the ``torch`` extra), imported only when a model is fitted or used.

Each earlier attempt is an interaction embedding built from its item and answer; the item to be
answered next asks a query of them. As in AKT (Ghosh et al., 2020):

* an item's embedding is ``c_q + mu_q * d`` with a learned scalar ``mu_q`` per item (its Rasch-style
  difficulty, kept small by an L2 penalty) and a shared direction ``d``; an interaction adds
  ``g_r + mu_q * f_r`` for the answer ``r`` (AKT's ``c + mu * d`` with one id per attempt: the ids
  are skills or questions, as the data gives them);
* attention weights decay exponentially with the distance back, at a rate learned per head
  (``exp(-theta_h * distance)``, AKT's monotonic attention without its context-aware distance);
  there is no absolute position, so a window reads the same wherever it starts;
* ``n_layers - 1`` causal self-attention layers encode the interactions, and a last layer lets the
  next item's embedding retrieve from them; a small feed-forward head reads the retrieved vector
  with the item's embedding.

Attempt ``t`` sees only the items of attempts ``0..t`` and the answers of ``0..t-1``. Long
sequences are read in windows of ``window`` attempts that advance by ``stride``: after the first,
each window scores only its last ``stride`` attempts, so every score has at least
``window - stride`` earlier attempts as context; training uses the same windows and scores.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import numpy.typing as npt

from yincai.science.base import (
    Estimator,
    FloatArray,
    IntArray,
    check_is_fitted,
    check_random_state,
)
from yincai.science.tracing._torch_training import (
    Batch,
    hold_out,
    torch_module,
    train_with_early_stopping,
)
from yincai.science.validation import check_sequences

if TYPE_CHECKING:
    from torch import Tensor

BLANK_ANSWER = 2  # the answer code of "no earlier attempt"
DECAY_INIT = (0.02, 0.1, 0.3, 1.0)  # initial per-step attention decay of the heads, cycled
MASTERY_CHUNK = 256  # items queried together by predict_mastery, to bound memory

# One window: (previous item, previous answer, item, answer, scored) each (width,), plus the
# original attempt indices of its scored positions.
Window = tuple[IntArray, IntArray, IntArray, FloatArray, npt.NDArray[np.bool_], IntArray]


def _torch() -> Any:
    return torch_module("AttentionKT")


def _network(n_items: int, d_model: int, n_heads: int, n_layers: int, dropout: float) -> Any:
    torch = _torch()
    nn = torch.nn
    functional = torch.nn.functional

    class Attention(nn.Module):  # type: ignore[misc, name-defined]
        """Multi-head causal attention whose weights decay with distance at a learned rate."""

        def __init__(self) -> None:
            super().__init__()
            self.query = nn.Linear(d_model, d_model)
            self.key = nn.Linear(d_model, d_model)
            self.value = nn.Linear(d_model, d_model)
            self.out = nn.Linear(d_model, d_model)
            rates = [DECAY_INIT[h % len(DECAY_INIT)] for h in range(n_heads)]
            # softplus(raw) is the decay rate; start from the inverse of the chosen rates.
            self.raw_decay = nn.Parameter(torch.log(torch.expm1(torch.tensor(rates))))
            self.norm = nn.LayerNorm(d_model)
            self.feed = nn.Sequential(
                nn.Linear(d_model, 2 * d_model),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(2 * d_model, d_model),
            )
            self.norm2 = nn.LayerNorm(d_model)
            self.drop = nn.Dropout(dropout)

        def forward(self, queries: Tensor, keys: Tensor, values: Tensor) -> Tensor:
            batch, width, _ = queries.shape
            size = d_model // n_heads

            def heads(x: Tensor) -> Tensor:
                return x.view(batch, -1, n_heads, size).transpose(1, 2)

            q, k, v = heads(self.query(queries)), heads(self.key(keys)), heads(self.value(values))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size)  # (batch, heads, width, width)
            at = torch.arange(width)
            distance = (at[:, None] - at[None, :]).float()
            rate = functional.softplus(self.raw_decay)[None, :, None, None]
            scores = scores - rate * distance.clamp(min=0.0)
            scores = scores.masked_fill(distance < 0, float("-inf"))  # never a later position
            mixed = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(batch, width, -1)
            x = self.norm(queries + self.drop(self.out(mixed)))
            out: Tensor = self.norm2(x + self.drop(self.feed(x)))
            return out

    class Network(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            # Row n_items is any item unseen in fit, row n_items + 1 "no earlier attempt".
            self.item = nn.Embedding(n_items + 2, d_model)
            self.difficulty = nn.Embedding(n_items + 2, 1)
            nn.init.zeros_(self.difficulty.weight)
            self.direction = nn.Parameter(torch.randn(d_model) * 0.1)
            self.answer = nn.Embedding(3, d_model)
            self.answer_direction = nn.Embedding(3, d_model)
            self.encoders = nn.ModuleList(Attention() for _ in range(n_layers - 1))
            self.retriever = Attention()
            self.head = nn.Sequential(
                nn.Dropout(dropout),
                nn.Linear(2 * d_model, d_model),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(d_model, 1),
            )

        def embed(self, items: Tensor) -> tuple[Tensor, Tensor]:
            mu = self.difficulty(items)
            return self.item(items) + mu * self.direction, mu

        def forward(self, before: Tensor, answered: Tensor, items: Tensor) -> Tensor:
            keys, mu = self.embed(before)
            values = keys + self.answer(answered) + mu * self.answer_direction(answered)
            for layer in self.encoders:
                values = layer(values, values, values)
            queries, _ = self.embed(items)
            known = self.retriever(queries, keys, values)
            logits: Tensor = self.head(torch.cat([known, queries], dim=-1)).squeeze(-1)
            return logits

    return Network()


def _spans(length: int, window: int, stride: int) -> list[tuple[int, int, int]]:
    """(start, end, first scored) of the windows that score every attempt of a sequence once."""
    end = min(window, length)
    spans = [(0, end, 0)]
    while end < length:
        start = end + stride - window
        spans.append((start, min(start + window, length), end))
        end = spans[-1][1]
    return spans


def _windows(
    students: IntArray, items: IntArray, correct: FloatArray, n_items: int, window: int, stride: int
) -> list[list[Window]]:
    """Per student (in code order), the windows of their attempts."""
    query = np.minimum(items, n_items)
    order = np.argsort(students, kind="stable")
    bounds = np.flatnonzero(np.r_[True, students[order][1:] != students[order][:-1], True])
    found = []
    for lo, hi in itertools.pairwise(bounds):
        index = order[lo:hi]
        q, r = query[index], correct[index]
        before = np.r_[n_items + 1, q[:-1]]
        answered = np.r_[BLANK_ANSWER, r[:-1].astype(np.int64)]
        windows = []
        for start, end, first in _spans(index.size, window, stride):
            scored = np.arange(start, end) >= first
            windows.append(
                (
                    before[start:end],
                    answered[start:end],
                    q[start:end],
                    r[start:end],
                    scored,
                    index[first:end],
                )
            )
        found.append(windows)
    return found


class AttentionKT(Estimator):
    """Transformer knowledge tracing with distance-decayed attention; needs torch.

    Learns ``network_`` (a torch module), ``n_items_``, ``n_epochs_`` and ``val_loss_``.

    Parameters
    ----------
    d_model, n_heads, n_layers : int
        Width of the embeddings, attention heads (dividing ``d_model``), and attention layers
        (``n_layers - 1`` encode the interactions, the last retrieves for the next item).
    dropout : float
        Dropout in the attention blocks and the output head.
    window, stride : int
        Windows of at most ``window`` attempts advancing by ``stride`` (see the module notes).
    difficulty_l2 : float
        L2 penalty on the per-item difficulties ``mu``, per scored attempt.
    batch_size, learning_rate, max_epochs : int, float, int
        Adam on mini-batches of windows; ConvergenceWarning if ``max_epochs`` ends training
        while the held-out loss is still falling.
    patience : int
        Stop after this many epochs without a better held-out loss; keep the best weights.
    validation_share : float
        Share of the training students held out for early stopping.
    random_state : int, numpy Generator or None
    """

    def __init__(
        self,
        *,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        dropout: float = 0.2,
        window: int = 200,
        stride: int = 100,
        difficulty_l2: float = 1e-5,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        max_epochs: int = 30,
        patience: int = 3,
        validation_share: float = 0.1,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.dropout = dropout
        self.window = window
        self.stride = stride
        self.difficulty_l2 = difficulty_l2
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_share = validation_share
        self.random_state = random_state

    def _check(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"n_heads={self.n_heads} must divide d_model={self.d_model}")
        if self.n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {self.n_layers}")
        if not 0 < self.stride <= self.window:
            raise ValueError(f"stride must be in (0, window={self.window}], got {self.stride}")

    def _batches(self, windows: list[Window]) -> list[tuple[Any, ...]]:
        """Windows padded into tensors (before, answered, items, answers, scored), by width."""
        torch = _torch()
        windows = sorted(windows, key=lambda w: w[0].size)
        batches = []
        for lo in range(0, len(windows), self.batch_size):
            group = windows[lo : lo + self.batch_size]
            width = max(w[0].size for w in group)
            arrays = [
                np.zeros((len(group), width), dtype=dtype)
                for dtype in (np.int64, np.int64, np.int64, np.float32, np.bool_)
            ]
            for row, window in enumerate(group):
                for array, values in zip(arrays, window[:5], strict=True):
                    array[row, : values.size] = values
            batches.append(tuple(torch.from_numpy(x) for x in arrays))
        return batches

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student. ``skills`` are
        the ids of what was attempted: skills or questions."""
        self._check()
        torch = _torch()
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        rng = check_random_state(self.random_state)
        n_items = int(item_codes.max()) + 1
        per_student = _windows(
            student_codes, item_codes, outcome, n_items, self.window, self.stride
        )
        training, held_out = hold_out(per_student, self.validation_share, rng)

        def batch_loss(network: Any, batch: Batch) -> Any:
            before, answered, items, answers, scored = batch
            logits = network(before, answered, items)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits[scored], answers[scored]
            )
            mu = network.difficulty(items[scored])
            return loss + self.difficulty_l2 * (mu**2).sum()

        network, self.n_epochs_, self.val_loss_ = train_with_early_stopping(
            lambda: _network(n_items, self.d_model, self.n_heads, self.n_layers, self.dropout),
            self._batches([w for ws in training for w in ws]),
            self._batches([w for ws in held_out for w in ws]),
            batch_loss=batch_loss,
            held_out_loss=self._loss,
            learning_rate=self.learning_rate,
            max_epochs=self.max_epochs,
            patience=self.patience,
            rng=rng,
            model="AttentionKT",
        )
        self.network_ = network
        self.n_items_ = n_items
        return self

    @staticmethod
    def _loss(network: Any, batches: Sequence[Batch]) -> float:
        torch = _torch()
        network.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for before, answered, items, answers, scored in batches:
                logits = network(before, answered, items)
                total += float(
                    torch.nn.functional.binary_cross_entropy_with_logits(
                        logits[scored], answers[scored], reduction="sum"
                    )
                )
                count += int(scored.sum())
        return total / count

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt from the same student's earlier attempts."""
        check_is_fitted(self)
        torch = _torch()
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        windows = [
            w
            for ws in _windows(
                student_codes, item_codes, outcome, self.n_items_, self.window, self.stride
            )
            for w in ws
        ]
        windows.sort(key=lambda w: w[0].size)
        logits = np.empty(student_codes.size)
        with torch.no_grad():
            for lo in range(0, len(windows), self.batch_size):
                group = windows[lo : lo + self.batch_size]
                before, answered, items = (
                    self._padded([w[k] for w in group])  # type: ignore[misc]
                    for k in range(3)
                )
                out = self.network_(before, answered, items).numpy()
                for row, window in enumerate(group):
                    scored, index = window[4], window[5]
                    logits[index] = out[row, : scored.size][scored]
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    @staticmethod
    def _padded(rows: list[IntArray]) -> Any:
        torch = _torch()
        array = np.zeros((len(rows), max(r.size for r in rows)), dtype=np.int64)
        for at, values in enumerate(rows):
            array[at, : values.size] = values
        return torch.from_numpy(array)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_items_) P(correct) on a next attempt at each item after the history
        (its last ``window - 1`` attempts). Students without attempts (codes below the largest
        given) get the prediction for an empty history."""
        check_is_fitted(self)
        torch = _torch()
        student_codes, item_codes, outcome = check_sequences(students, skills, correct)
        n_items = self.n_items_
        histories: dict[int, tuple[IntArray, IntArray]] = {}
        order = np.argsort(student_codes, kind="stable")
        bounds = np.flatnonzero(
            np.r_[True, student_codes[order][1:] != student_codes[order][:-1], True]
        )
        for lo, hi in itertools.pairwise(bounds):
            index = order[lo:hi][-(self.window - 1) :] if self.window > 1 else order[:0]
            histories[int(student_codes[order[lo]])] = (
                np.minimum(item_codes[index], n_items),
                outcome[index].astype(np.int64),
            )
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        mastery = np.empty((int(student_codes.max()) + 1, n_items))
        every_item = np.arange(n_items)
        with torch.no_grad():
            for student in range(mastery.shape[0]):
                q, r = histories.get(student, empty)
                before = torch.from_numpy(np.r_[n_items + 1, q])
                answered = torch.from_numpy(np.r_[BLANK_ANSWER, r])
                for first in range(0, n_items, MASTERY_CHUNK):
                    chunk = every_item[first : first + MASTERY_CHUNK]
                    items = np.empty((chunk.size, q.size + 1), dtype=np.int64)
                    items[:, :-1], items[:, -1] = q, chunk
                    logits = self.network_(
                        before.expand(chunk.size, -1),
                        answered.expand(chunk.size, -1),
                        torch.from_numpy(items),
                    )[:, -1]
                    mastery[student, chunk] = torch.sigmoid(logits).numpy()
        return mastery
