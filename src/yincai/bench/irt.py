"""2PL calibration speed and parameter recovery on simulated data (20,000 and 200,000 × 60).

Run by ``yincai bench irt`` and ``make bench``.
Data: seed 0, log a ~ N(0, 0.25), b ~ N(0, 1), θ ~ N(0, 1).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

import numpy as np

from yincai.science.irt import TwoPL
from yincai.science.simulate import simulate_2pl

DEFAULT_SIZES = ((20_000, 60), (200_000, 60))
SEED = 0


def _rmse(truth: np.ndarray, estimate: np.ndarray) -> float:
    return float(np.sqrt(np.mean((truth - estimate) ** 2)))


def run_case(n_students: int, n_items: int) -> dict[str, Any]:
    """Simulate, fit a 2PL and measure fit time, recovery and the fit's peak traced memory."""
    responses, a, b, _ = simulate_2pl(n_students, n_items, random_state=SEED)
    tracemalloc.start()
    start = time.perf_counter()
    model = TwoPL().fit(responses)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "suite": "irt",
        "case": f"2pl-{n_students}x{n_items}",
        "metrics": {
            "fit_seconds": round(seconds, 3),
            "rmse_a": round(_rmse(a, model.discrimination_), 5),
            "rmse_b": round(_rmse(b, model.difficulty_), 5),
            "peak_mb": round(peak / 2**20, 1),
            "n_iter": model.n_iter_,
        },
    }


def run(sizes: Sequence[tuple[int, int]] = DEFAULT_SIZES) -> list[dict[str, Any]]:
    """One result row per (n_students, n_items) case."""
    return [run_case(n_students, n_items) for n_students, n_items in sizes]
