"""The sampled E-step: the same answers as the exact one where both run, and a sound sampler."""

from __future__ import annotations

import numpy as np
import pytest

from tests.science.test_cdm import BASE_Q  # the same small four-point exam
from yincai.science.cdm import (
    DINA,
    GDINA,
    is_permissible,
    latent_class,
    simulate_dina,
    simulate_hierarchical_dina,
)
from yincai.science.cdm.hierarchy import check_hierarchy
from yincai.science.cdm.sampling import PatternSampler
from yincai.science.metrics import roc_auc

# every single kp, every pair and a triple, twice over: 4 kps whose 16 patterns are all identified
Q_MATRIX = np.vstack([BASE_Q, BASE_Q])


@pytest.fixture(scope="module")
def answers() -> tuple[np.ndarray, np.ndarray]:
    return simulate_dina(Q_MATRIX, n_students=1500, slip=0.1, guess=0.2, random_state=3)


@pytest.mark.parametrize("model_class", [DINA, GDINA])
def test_sampled_and_exact_e_steps_agree_where_both_can_run(
    model_class: type[DINA | GDINA], answers: tuple[np.ndarray, np.ndarray]
) -> None:
    responses, _ = answers
    exact = model_class(random_state=0).fit(responses, Q_MATRIX)
    sampled = model_class(random_state=0, e_step="sampled", n_sweeps=150).fit(responses, Q_MATRIX)
    assert (exact.e_step_, sampled.e_step_) == ("exact", "sampled")
    gap = np.abs(exact.predict_mastery(responses) - sampled.predict_mastery(responses))
    assert gap.mean() < 0.03
    assert np.abs(exact.predict_proba(responses) - sampled.predict_proba(responses)).mean() < 0.02
    for exact_item, sampled_item in zip(exact.item_success_, sampled.item_success_, strict=True):
        assert np.abs(exact_item - sampled_item).max() < 0.1


def test_partial_credit_and_missing_answers_take_the_weighted_path(
    answers: tuple[np.ndarray, np.ndarray],
) -> None:
    responses, truth = answers
    rng = np.random.default_rng(4)
    partial = np.where(rng.random(responses.shape) < 0.2, 0.5, responses)
    partial[rng.random(responses.shape) < 0.2] = np.nan
    model = DINA(random_state=0, e_step="sampled", n_sweeps=100).fit(partial, Q_MATRIX)
    proba = model.predict_proba(partial)
    assert np.isfinite(proba).all() and ((proba > 0) & (proba < 1)).all()
    assert roc_auc(truth.ravel(), model.predict_mastery(partial).ravel()) > 0.9


def test_sampled_predictions_are_seeded_and_only_exact_fits_list_classes(
    answers: tuple[np.ndarray, np.ndarray],
) -> None:
    responses, _ = answers
    model = DINA(random_state=5, e_step="sampled", n_sweeps=40).fit(responses[:300], Q_MATRIX)
    again = DINA(random_state=5, e_step="sampled", n_sweeps=40).fit(responses[:300], Q_MATRIX)
    np.testing.assert_array_equal(
        model.predict_mastery(responses), again.predict_mastery(responses)
    )
    with pytest.raises(ValueError, match="sampled"):
        model.predict_class_proba(responses)
    model.set_params(e_step="exact").fit(responses[:300], Q_MATRIX)
    assert not hasattr(model, "kp_prior_")  # no attribute of the sampled fit survives a refit
    assert model.predict_class_proba(responses[:2]).shape == (2, 16)
    with pytest.raises(ValueError, match="max_classes"):
        DINA(e_step="exact", max_classes=8).fit(responses[:300], Q_MATRIX)


def test_an_exact_fit_lists_only_the_permissible_patterns(
    answers: tuple[np.ndarray, np.ndarray],
) -> None:
    responses, _ = answers
    chain = [(0, 1), (1, 2)]
    model = GDINA(random_state=0).fit(responses, Q_MATRIX, hierarchy=chain)
    assert model.patterns_.shape == (8, 4)  # 4 states of the chain × kp 3 free
    assert is_permissible(model.patterns_, check_hierarchy(chain, 4)).all()
    assert model.predict_class_proba(responses).shape == (1500, 8)


def test_the_sampler_stays_permissible_and_keeps_its_item_index_in_step() -> None:
    sim = simulate_hierarchical_dina(20, 40, 300, random_state=6)
    sampler = PatternSampler(sim.responses, sim.q_matrix, sim.hierarchy)
    mastery, index = sampler.initial_state()
    flat = np.full(sampler.n_groups, 0.5)
    rng = np.random.default_rng(0)
    for _ in range(5):
        sampler.sweep(mastery, index, flat, np.full(20, 0.7), rng)
        assert is_permissible(mastery, sim.hierarchy).all()
        np.testing.assert_array_equal(index, sampler.index_of(mastery))
    # with uninformative items the sampler draws from the prior: kp 0 (a root) near 0.7
    assert abs(mastery[:, 0].mean() - 0.7) < 0.1


def test_auto_samples_when_the_posterior_table_would_be_too_large(
    answers: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(latent_class, "MAX_POSTERIOR_CELLS", 300 * 15)  # below 300 × 16
    model = DINA(random_state=0, n_sweeps=10, posterior_sweeps=4).fit(answers[0][:300], Q_MATRIX)
    assert model.e_step_ == "sampled"
    assert DINA(e_step="exact").fit(answers[0][:300], Q_MATRIX).e_step_ == "exact"
