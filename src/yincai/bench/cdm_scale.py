"""Cognitive diagnosis at district size: 100 kps, 600 items, 50,000 students by default.

Run by ``yincai bench cdm-scale``. The exam is simulated (seed 0) by
``simulate_hierarchical_dina``: a curriculum-like prerequisite hierarchy on the kps, a Q-matrix with
a third of the items on two or three kps, DINA answers. Each model is fitted with the hierarchy;
far too many patterns are permissible to list, so DINA and G-DINA take the sampled E-step. A row
gives the fit's seconds and peak memory (``fit_mb``: the rise of the resident set over what the
process held before, the simulated answers included; see ``measure``), the same for the
posterior (``predict_class``), the process's lifetime peak resident set (``process_mb``), and how
many true profiles (``pattern_acc``) and single kps (``attribute_acc``) the fitted model recovers.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from yincai.bench.measure import measure
from yincai.science import cdm

SEED = 0
LATENT_CLASS_MODELS: dict[str, Callable[[], cdm.LatentClassModel]] = {
    "DINA": lambda: cdm.DINA(random_state=SEED),
    "GDINA": lambda: cdm.GDINA(random_state=SEED),
}


def _process_peak_mb() -> float:
    """The process's lifetime peak resident set (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def run(
    *,
    n_kps: int = 100,
    n_items: int = 600,
    n_students: int = 50_000,
    models: Sequence[str] = ("DINA", "GDINA"),
) -> list[dict[str, Any]]:
    """One row per model on one simulated exam."""
    unknown = sorted(set(models) - set(LATENT_CLASS_MODELS))
    if unknown:
        raise ValueError(f"unknown models {unknown}; choose from {sorted(LATENT_CLASS_MODELS)}")
    sim = cdm.simulate_hierarchical_dina(n_kps, n_items, n_students, random_state=SEED)
    rows = []
    for name in models:
        model = LATENT_CLASS_MODELS[name]()
        fitted = measure(partial(model.fit, sim.responses, sim.q_matrix, hierarchy=sim.hierarchy))
        predicted = measure(partial(model.predict_class, sim.responses))
        hits = np.asarray(predicted.value) == sim.mastery
        rows.append(
            {
                "suite": "cdm-scale",
                "case": f"{n_kps}kp-{n_items}x{n_students}",
                "model": name,
                "metrics": {
                    "e_step": model.e_step_,
                    "fit_s": round(fitted.seconds, 1),
                    "fit_mb": round(fitted.peak_mb, 1),
                    "posterior_s": round(predicted.seconds, 1),
                    "posterior_mb": round(predicted.peak_mb, 1),
                    "process_mb": round(_process_peak_mb(), 1),
                    "pattern_acc": round(float(hits.all(axis=1).mean()), 4),
                    "attribute_acc": round(float(hits.mean()), 4),
                    "edges": int(sim.hierarchy.shape[0]),
                },
            }
        )
    return rows
