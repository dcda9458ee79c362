"""Stacking of tracing models: a logistic blend of their predictions, fitted on held-out students.

The training students are split; every model is fitted on the larger part and predicts the held-out
part, where a logistic regression on the models' logits learns the blend; then every model is
refitted on all training students. The blend weights therefore come only from training data.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.special import expit, logit

from yincai.science.base import Estimator, FloatArray, check_is_fitted, check_random_state
from yincai.science.tracing.logistic import fit_logistic
from yincai.science.validation import check_sequences

LOGIT_CLIP = 1e-6  # predictions are clipped into (LOGIT_CLIP, 1 - LOGIT_CLIP) before the logit


def _clone(model: Any) -> Any:
    """An unfitted copy with the same parameters."""
    return type(model)(**copy.deepcopy(model.get_params()))


def _logits(p: FloatArray) -> FloatArray:
    return np.asarray(logit(np.clip(p, LOGIT_CLIP, 1.0 - LOGIT_CLIP)), dtype=np.float64)


class KTStack(Estimator):
    """Logistic stacking of knowledge-tracing models, blended on held-out training students.

    Learns ``models_`` (each of ``models`` refitted on all the training attempts), ``coef_``
    (n_models,) and ``intercept_`` of the blend, and ``validation_students_`` (the held-out codes).

    Parameters
    ----------
    models : sequence of estimators
        Unfitted tracing models with ``get_params``, ``fit`` and ``predict_proba``; left untouched.
    validation_fraction : float
        Share of the training students held out to fit the blend, in (0, 1).
    l2 : float
        L2 penalty per row on the blend weights.
    random_state : int, numpy Generator or None
        Seeds the choice of held-out students.
    """

    def __init__(
        self,
        *,
        models: Sequence[Any] = (),
        validation_fraction: float = 0.2,
        l2: float = 1e-4,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.models = models
        self.validation_fraction = validation_fraction
        self.l2 = l2
        self.random_state = random_state

    def fit(self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike) -> Self:
        """Fit on attempts (n_attempts,) each; time order within each student."""
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        if len(self.models) == 0:
            raise ValueError("models must hold at least one estimator")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction}"
            )
        rng = check_random_state(self.random_state)
        present = np.unique(student_codes)
        n_held = round(self.validation_fraction * present.size)
        if n_held < 1 or n_held >= present.size:
            raise ValueError(f"students: {present.size} are too few to hold out a share")
        held = rng.permutation(present)[:n_held]
        is_held = np.isin(student_codes, held)
        rest = ~is_held
        columns = []
        for model in self.models:
            fitted = _clone(model).fit(student_codes[rest], skill_codes[rest], outcome[rest])
            p = fitted.predict_proba(student_codes[is_held], skill_codes[is_held], outcome[is_held])
            columns.append(_logits(p))
        weights, intercept, _ = fit_logistic(
            sp.csr_matrix(np.column_stack(columns)),
            outcome[is_held],
            l2=self.l2,
            max_iter=1000,
            name="KTStack",
        )
        self.coef_ = weights
        self.intercept_ = intercept
        self.validation_students_ = np.sort(held)
        self.models_ = [
            _clone(model).fit(student_codes, skill_codes, outcome) for model in self.models
        ]
        return self

    def predict_proba(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_attempts,) blended P(correct) of each attempt from the student's earlier attempts."""
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        z = np.full(student_codes.size, self.intercept_)
        for weight, model in zip(self.coef_, self.models_, strict=True):
            z += weight * _logits(model.predict_proba(student_codes, skill_codes, outcome))
        return np.asarray(expit(z), dtype=np.float64)

    def predict_mastery(
        self, students: npt.ArrayLike, skills: npt.ArrayLike, correct: npt.ArrayLike
    ) -> FloatArray:
        """(n_students, n_skills) blend of the models' ``predict_mastery`` in logit space.

        ``n_skills`` is the fewest skill columns any model returns.
        """
        check_is_fitted(self)
        student_codes, skill_codes, outcome = check_sequences(students, skills, correct)
        tables = [m.predict_mastery(student_codes, skill_codes, outcome) for m in self.models_]
        width = min(table.shape[1] for table in tables)
        z = np.full((tables[0].shape[0], width), self.intercept_)
        for weight, table in zip(self.coef_, tables, strict=True):
            z += weight * _logits(table[:, :width])
        return np.asarray(expit(z), dtype=np.float64)
