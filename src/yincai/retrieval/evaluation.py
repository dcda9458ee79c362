"""Measuring retrieval on labelled questions: recall@k, mean reciprocal rank and latency.

A labelled question names the passages (keys) that answer it. recall@k is the share of those
found in the first k, averaged over questions; the reciprocal rank is 1/rank of the first one
found (0 if none is in the ranking); the latency is each ranking's wall time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

P95 = 95  # percentile of the latency reported


@dataclass(frozen=True)
class Labelled:
    """A question as a student or teacher asks it, with its context and its relevant keys."""

    question: str
    relevant: tuple[str, ...]
    subject: str | None = None
    grade: int | None = None
    asker: str = ""


@dataclass(frozen=True)
class Evaluation:
    n_questions: int
    k: int
    recall_at_k: float
    mrr: float
    p95_ms: float
    misses: list[tuple[str, list[str]]] = field(default_factory=list)  # relevant not at rank 1


def parse_questions(lines: Iterable[str]) -> list[Labelled]:
    """Labelled questions from JSON lines (``question``, ``relevant``, optional ``subject``,
    ``grade``, ``asker``); ValueError names the line that is not one."""
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                Labelled(
                    question=str(row["question"]),
                    relevant=tuple(str(key) for key in row["relevant"]),
                    subject=row.get("subject"),
                    grade=row.get("grade"),
                    asker=str(row.get("asker", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as problem:
            raise ValueError(f"line {number} is not a labelled question: {problem}") from None
    return questions


def recall_at_k(ranked: Sequence[str], relevant: Sequence[str], k: int) -> float:
    """Share of ``relevant`` among the first ``k`` of ``ranked``."""
    if not relevant:
        raise ValueError("a labelled question needs at least one relevant key")
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[str]) -> float:
    """1 / rank of the first relevant key in ``ranked`` (from 1), 0 if there is none."""
    wanted = set(relevant)
    return next((1 / rank for rank, key in enumerate(ranked, start=1) if key in wanted), 0.0)


def evaluate(
    rank: Callable[[Labelled], Sequence[str]],
    questions: Sequence[Labelled],
    *,
    k: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> Evaluation:
    """Rank every question with ``rank`` (keys, best first) and score the rankings."""
    if not questions:
        raise ValueError("no labelled questions")
    recalls, ranks, times = [], [], []
    misses = []
    for labelled in questions:
        start = clock()
        ranked = list(rank(labelled))
        times.append((clock() - start) * 1000)
        recalls.append(recall_at_k(ranked, labelled.relevant, k))
        ranks.append(reciprocal_rank(ranked, labelled.relevant))
        if ranks[-1] < 1:
            misses.append((labelled.question, ranked[:k]))
    return Evaluation(
        n_questions=len(questions),
        k=k,
        recall_at_k=float(np.mean(recalls)),
        mrr=float(np.mean(ranks)),
        p95_ms=float(np.percentile(times, P95)),
        misses=misses,
    )
