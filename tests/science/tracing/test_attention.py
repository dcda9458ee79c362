"""AttentionKT (needs torch): the tracing contract, causality, and learning on simulated data."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from yincai.science.base import ConvergenceWarning, NotFittedError
from yincai.science.metrics import roc_auc
from yincai.science.tracing import AttentionKT, Elo, KTStack, simulate_bkt

pytest.importorskip("torch")

TRUE = {
    "prior": np.array([0.2, 0.5, 0.35]),
    "learn": np.array([0.15, 0.08, 0.25]),
    "slip": np.array([0.1, 0.15, 0.05]),
    "guess": np.array([0.2, 0.3, 0.15]),
}
Attempts = tuple[np.ndarray, np.ndarray, np.ndarray]


def _small(**params: Any) -> AttentionKT:
    settings = {"d_model": 16, "n_heads": 2, "window": 20, "stride": 10, "max_epochs": 6}
    return AttentionKT(**(settings | params), random_state=0)


def _fit(model: AttentionKT, attempts: Attempts) -> AttentionKT:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few epochs may not be enough
        return model.fit(*attempts)


@pytest.fixture(scope="module")
def simulated() -> Attempts:
    return simulate_bkt(n_students=600, n_attempts=30, random_state=1, **TRUE)


@pytest.fixture(scope="module")
def held_out() -> Attempts:
    return simulate_bkt(n_students=200, n_attempts=30, random_state=2, **TRUE)


@pytest.fixture(scope="module")
def fitted(simulated: Attempts) -> AttentionKT:
    return _fit(_small(), simulated)


def test_predictions_are_probabilities_of_every_attempt(
    fitted: AttentionKT, held_out: Attempts
) -> None:
    predicted = fitted.predict_proba(*held_out)
    assert predicted.shape == held_out[0].shape
    assert np.isfinite(predicted).all() and (predicted >= 0).all() and (predicted <= 1).all()
    mastery = fitted.predict_mastery(*(a[:90] for a in held_out))
    assert mastery.shape == (3, 3) and ((mastery > 0) & (mastery < 1)).all()
    with pytest.raises(NotFittedError):
        AttentionKT().predict_proba(*held_out)


def test_it_learns_beyond_the_skill_rates(fitted: AttentionKT, held_out: Attempts) -> None:
    _, skills, correct = held_out
    rate = np.bincount(skills, correct) / np.bincount(skills)
    assert roc_auc(correct, fitted.predict_proba(*held_out)) > roc_auc(correct, rate[skills]) + 0.1


def test_a_prediction_never_depends_on_its_own_or_later_attempts(
    fitted: AttentionKT, held_out: Attempts
) -> None:
    students, skills, correct = held_out
    predicted = fitted.predict_proba(students, skills, correct)
    # Student 0's attempts 25.. change (answers, and skills from 27 on); windows of 20 with a
    # stride of 10 put them in a later window than the first ones.
    own = np.flatnonzero(students == 0)
    later = own[25:]
    flipped, moved = correct.copy(), skills.copy()
    flipped[later] = 1 - flipped[later]
    moved[later[2:]] = (moved[later[2:]] + 1) % 3
    changed = fitted.predict_proba(students, moved, flipped)
    np.testing.assert_array_equal(changed[own[:26]], predicted[own[:26]])
    assert not np.allclose(changed[own[26:]], predicted[own[26:]])  # the later ones do move
    others = students != 0
    np.testing.assert_array_equal(changed[others], predicted[others])


def test_a_seed_makes_it_reproducible(simulated: Attempts, held_out: Attempts) -> None:
    part = tuple(a[:3000] for a in simulated)
    first = _fit(_small(max_epochs=2), part).predict_proba(*held_out)
    second = _fit(_small(max_epochs=2), part).predict_proba(*held_out)
    np.testing.assert_array_equal(first, second)


def test_it_warns_when_epochs_run_out_and_checks_its_settings(simulated: Attempts) -> None:
    part = tuple(a[:3000] for a in simulated)
    with pytest.warns(ConvergenceWarning):
        _small(max_epochs=1).fit(*part)
    with pytest.raises(ValueError, match="n_heads"):
        _small(n_heads=3).fit(*part)
    with pytest.raises(ValueError, match="stride"):
        _small(stride=30).fit(*part)


def test_stack_takes_it_as_a_member(simulated: Attempts) -> None:
    member = _small(max_epochs=2)
    stack = KTStack(models=[Elo(), member], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stack.fit(*(a[:3000] for a in simulated))
    assert not hasattr(member, "network_") and isinstance(stack.models_[1], AttentionKT)
    predicted = stack.predict_proba(*(a[:300] for a in simulated))
    assert predicted.shape == (300,) and np.isfinite(predicted).all()
