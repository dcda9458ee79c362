"""What the torch tracers (DKT, AttentionKT) share: the lazy torch import, the split of the
training students for early stopping, and the training loop that keeps the best weights."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from yincai.science.base import ConvergenceWarning

T = TypeVar("T")
Batch = tuple[Any, ...]


def torch_module(model: str) -> Any:
    """``torch``, imported on first use: it is an optional extra."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{model} needs torch: pip install 'yincai[torch]'") from exc
    return torch


def hold_out(students: list[T], share: float, rng: np.random.Generator) -> tuple[list[T], list[T]]:
    """(training, held-out) students, shuffled; ``share`` of them held out for early stopping."""
    rng.shuffle(students)  # type: ignore[arg-type, unused-ignore]
    n_val = round(share * len(students))
    if n_val < 1 or n_val >= len(students):
        raise ValueError(
            f"validation_share={share} leaves no students to train or validate on among "
            f"{len(students)}"
        )
    return students[n_val:], students[:n_val]


def train_with_early_stopping(
    make_network: Callable[[], Any],
    train: Sequence[Batch],
    held_out: Sequence[Batch],
    *,
    batch_loss: Callable[[Any, Batch], Any],
    held_out_loss: Callable[[Any, Sequence[Batch]], float],
    learning_rate: float,
    max_epochs: int,
    patience: int,
    rng: np.random.Generator,
    model: str,
) -> tuple[Any, int, float]:
    """Adam on the training batches in a random order each epoch (gradients clipped at norm 1)
    until the held-out loss has not improved for ``patience`` epochs; (the network with its best
    weights, in eval mode; epochs run; best held-out loss). A ConvergenceWarning if
    ``max_epochs`` ends training while that loss is still falling."""
    torch = torch_module(model)
    with torch.random.fork_rng():
        torch.manual_seed(int(rng.integers(2**31)))
        network = make_network()
        optimizer = torch.optim.Adam(network.parameters(), lr=learning_rate)
        best, best_state, stale, epoch = np.inf, None, 0, 0
        for epoch in range(1, max_epochs + 1):  # noqa: B007 - returned
            network.train()
            for index in rng.permutation(len(train)):
                loss = batch_loss(network, train[index])
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
                optimizer.step()
            loss_now = held_out_loss(network, held_out)
            if loss_now < best - 1e-5:
                best, stale = loss_now, 0
                best_state = {k: v.clone() for k, v in network.state_dict().items()}
            else:
                stale += 1
                if stale >= patience:
                    break
        else:
            if stale == 0:
                warnings.warn(
                    f"{model} stopped at max_epochs={max_epochs} while the held-out loss was "
                    "still falling",
                    ConvergenceWarning,
                    stacklevel=3,
                )
    network.load_state_dict(best_state)
    network.eval()
    return network, epoch, float(best)
