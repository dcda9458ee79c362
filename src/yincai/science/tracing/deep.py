"""Deep knowledge tracing with a GRU (Piech et al., 2015), conditioned on the next skill.

Optional: needs ``torch`` (the ``torch`` extra), imported only when a model is fitted or used. The
network reads each earlier attempt as an embedding of (skill, answer), carries a GRU state, and
predicts the next answer from that state together with an embedding of the next attempt's skill,
through a small feed-forward layer. Training cuts long sequences into windows, holds out a share
of the training students for early stopping, and uses Adam; prediction runs each whole sequence.
"""

from __future__ import annotations

import itertools
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
from yincai.science.tracing._layout import previous_in_sequence
from yincai.science.tracing._torch_training import (
    Batch,
    hold_out,
    torch_module,
    train_with_early_stopping,
)
from yincai.science.validation import check_sequences

if TYPE_CHECKING:
    from torch import Tensor


def _torch() -> Any:
    return torch_module("DKT")


def _network(n_skills: int, embed_size: int, hidden_size: int, dropout: float) -> Any:
    torch = _torch()
    nn = torch.nn

    class Network(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            # Index 2 * n_skills marks "no earlier attempt"; the skill table has one spare row
            # for skills unseen in fit.
            self.attempt = nn.Embedding(2 * n_skills + 1, embed_size)
            self.skill = nn.Embedding(n_skills + 1, embed_size)
            self.gru = nn.GRU(embed_size, hidden_size, batch_first=True)
            self.head = nn.Sequential(
                nn.Dropout(dropout),
                nn.Linear(hidden_size + embed_size, hidden_size),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden_size, 1),
            )

        def forward(
            self, attempts: Tensor, skills: Tensor, state: Tensor | None = None
        ) -> tuple[Tensor, Tensor]:
            hidden, last = self.gru(self.attempt(attempts), state)
            logits = self.head(torch.cat([hidden, self.skill(skills)], dim=-1)).squeeze(-1)
            return logits, last

    return Network()


def _student_sequences(
    students: IntArray, skills: IntArray, correct: FloatArray, n_skills: int
) -> list[tuple[IntArray, IntArray, FloatArray, IntArray]]:
    """Per student: (previous attempt codes, skills, answers, original indices), each (length,)."""
    previous = previous_in_sequence(students)
    code = np.where(skills < n_skills, skills, n_skills) * 2 + correct.astype(np.int64)
    code = np.where(skills < n_skills, code, 2 * n_skills)  # an unseen skill's answer is "blank"
    before = np.where(previous >= 0, code[np.maximum(previous, 0)], 2 * n_skills)
    order = np.argsort(students, kind="stable")
    bounds = np.flatnonzero(np.r_[True, students[order][1:] != students[order][:-1], True])
    query = np.minimum(skills, n_skills)
    return [
        (before[idx], query[idx], correct[idx], idx)
        for idx in (order[lo:hi] for lo, hi in itertools.pairwise(bounds))
    ]


class DKT(Estimator):
    """GRU knowledge tracing with a skill-conditioned output; needs torch.

    Learns ``network_`` (a torch module), ``n_skills_``, ``n_epochs_`` and ``val_loss_``.

    Parameters
    ----------
    embed_size, hidden_size : int
        Width of the attempt/skill embeddings and of the GRU state.
    dropout : float
        Dropout before each output layer.
    window : int
        Training windows of at most this many attempts (longer sequences are cut).
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
        embed_size: int = 64,
        hidden_size: int = 128,
        dropout: float = 0.2,
        window: int = 200,
        batch_size: int = 32,
        learning_rate: float = 2e-3,
        max_epochs: int = 30,
        patience: int = 3,
        validation_share: float = 0.1,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.embed_size = embed_size
        self.hidden_size = hidden_size
        self.dropout = dropout
        self.window = window
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_share = validation_share
        self.random_state = random_state

    def _batches(
        self, sequences: list[tuple[IntArray, IntArray, FloatArray, IntArray]]
    ) -> list[tuple[Any, Any, Any, Any]]:
        """Windows padded into tensors (attempts, skills, answers, mask), grouped by length."""
        torch = _torch()
        windows = [
            (a[lo : lo + self.window], s[lo : lo + self.window], c[lo : lo + self.window])
            for a, s, c, _ in sequences
            for lo in range(0, a.size, self.window)
        ]
        windows.sort(key=lambda w: w[0].size)
        batches = []
        for lo in range(0, len(windows), self.batch_size):
            group = windows[lo : lo + self.batch_size]
            width = max(w[0].size for w in group)
            arrays = [
                np.zeros((len(group), width), dtype=dt) for dt in (np.int64, np.int64, np.float32)
            ]
            mask = np.zeros((len(group), width), dtype=bool)
            for row, (a, s, c) in enumerate(group):
                arrays[0][row, : a.size], arrays[1][row, : a.size] = a, s
                arrays[2][row, : a.size], mask[row, : a.size] = c, True
            batches.append(tuple(torch.from_numpy(x) for x in (*arrays, mask)))
        return batches

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student."""
        torch = _torch()
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        rng = check_random_state(self.random_state)
        n_skills = int(skill_codes.max()) + 1
        sequences = _student_sequences(student_codes, skill_codes, outcome, n_skills)
        training, held_out = hold_out(sequences, self.validation_share, rng)
        loss_fn = torch.nn.BCEWithLogitsLoss()

        def batch_loss(network: Any, batch: Batch) -> Any:
            attempts, query, answers, mask = batch
            logits, _ = network(attempts, query)
            return loss_fn(logits[mask], answers[mask])

        network, self.n_epochs_, self.val_loss_ = train_with_early_stopping(
            lambda: _network(n_skills, self.embed_size, self.hidden_size, self.dropout),
            self._batches(training),
            self._batches(held_out),
            batch_loss=batch_loss,
            held_out_loss=self._loss,
            learning_rate=self.learning_rate,
            max_epochs=self.max_epochs,
            patience=self.patience,
            rng=rng,
            model="DKT",
        )
        self.network_ = network
        self.n_skills_ = n_skills
        return self

    @staticmethod
    def _loss(network: Any, batches: Sequence[Batch]) -> float:
        torch = _torch()
        network.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for attempts, query, answers, mask in batches:
                logits, _ = network(attempts, query)
                total += float(
                    torch.nn.functional.binary_cross_entropy_with_logits(
                        logits[mask], answers[mask], reduction="sum"
                    )
                )
                count += int(mask.sum())
        return total / count

    def _run(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> tuple[FloatArray, list[Any], IntArray]:
        """Logits of every attempt (original order), each student's final GRU state, and codes."""
        check_is_fitted(self)
        torch = _torch()
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        sequences = _student_sequences(student_codes, skill_codes, outcome, self.n_skills_)
        logits = np.empty(student_codes.size)
        states = []
        with torch.no_grad():
            for attempts, query, _, index in sequences:
                out, last = self.network_(
                    torch.from_numpy(attempts)[None], torch.from_numpy(query)[None]
                )
                logits[index] = out[0].numpy()
                states.append(last)
        return logits, states, student_codes

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) P(correct) of each attempt from the same student's earlier attempts."""
        logits, _, _ = self._run(students, skills, correct)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_skills_) P(correct) on a next attempt at each skill after the history.

        Students without attempts (codes below the largest given) get the population prior.
        """
        check_is_fitted(self)
        torch = _torch()
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        n_skills = self.n_skills_
        sequences = _student_sequences(student_codes, skill_codes, outcome, n_skills)
        blank = 2 * n_skills
        inputs = {
            int(student_codes[index[0]]): np.r_[
                attempts,
                blank if query[-1] >= n_skills else 2 * query[-1] + int(answers[-1]),
            ]
            for attempts, query, answers, index in sequences
        }
        network = self.network_
        mastery = np.empty((int(student_codes.max()) + 1, n_skills))
        every_skill = network.skill(torch.arange(n_skills))
        with torch.no_grad():
            for student in range(mastery.shape[0]):
                codes = torch.from_numpy(inputs.get(student, np.array([blank])))[None]
                hidden, _ = network.gru(network.attempt(codes))
                last = hidden[0, -1].expand(n_skills, -1)
                logits = network.head(torch.cat([last, every_skill], dim=-1)).squeeze(-1)
                mastery[student] = torch.sigmoid(logits).numpy()
        return mastery
