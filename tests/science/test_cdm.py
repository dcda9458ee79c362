"""Cognitive diagnosis models on data they simulate themselves (no files, no database)."""

from __future__ import annotations

import numpy as np
import pytest

from yincai.science.base import ConvergenceWarning, NotFittedError
from yincai.science.cdm import DINA, GDINA, QMIRT, attribute_patterns, simulate_dina
from yincai.science.metrics import rmse, roc_auc

# every single kp, every pair, and one triple: 4 kps, 11 items, all patterns identified
BASE_Q = np.array(
    [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
        [1, 1, 0, 0],
        [0, 1, 1, 0],
        [0, 0, 1, 1],
        [1, 0, 0, 1],
        [1, 0, 1, 0],
        [0, 1, 0, 1],
        [1, 1, 1, 0],
    ]
)
Q_MATRIX = np.vstack([BASE_Q, BASE_Q])  # twice over, so that students are classified well
SLIP = np.linspace(0.05, 0.2, Q_MATRIX.shape[0])
GUESS = np.linspace(0.25, 0.1, Q_MATRIX.shape[0])
MODELS = (DINA, GDINA, QMIRT)


@pytest.fixture(scope="module")
def dina_data() -> tuple[np.ndarray, np.ndarray]:
    return simulate_dina(Q_MATRIX, n_students=2000, slip=SLIP, guess=GUESS, random_state=0)


@pytest.fixture(scope="module")
def fitted_dina(dina_data: tuple[np.ndarray, np.ndarray]) -> DINA:
    return DINA(random_state=0).fit(dina_data[0], Q_MATRIX)


def _mastery_auc(truth: np.ndarray, mastery: np.ndarray) -> float:
    return roc_auc(truth.ravel(), mastery.ravel())


def test_dina_recovers_slip_and_guess_from_simulated_responses(fitted_dina: DINA) -> None:
    assert np.abs(fitted_dina.slip_ - SLIP).max() < 0.06
    assert np.abs(fitted_dina.guess_ - GUESS).max() < 0.06
    assert np.abs(fitted_dina.slip_ - SLIP).mean() < 0.025
    assert np.abs(fitted_dina.guess_ - GUESS).mean() < 0.025
    assert fitted_dina.class_prior_.sum() == pytest.approx(1.0)
    # independent kps mastered half the time: every one of the 16 patterns near 1/16
    assert np.abs(fitted_dina.class_prior_ - 1 / 16).max() < 0.03


@pytest.mark.parametrize("model_class", MODELS)
def test_mastery_ranks_true_masters_above_non_masters(
    model_class: type[DINA | GDINA | QMIRT], dina_data: tuple[np.ndarray, np.ndarray]
) -> None:
    responses, truth = dina_data
    mastery = model_class().fit(responses, Q_MATRIX).predict_mastery(responses)
    assert mastery.shape == truth.shape
    assert ((mastery >= 0) & (mastery <= 1)).all()
    assert _mastery_auc(truth, mastery) > 0.9


def test_dina_predicted_class_matches_most_true_patterns(
    fitted_dina: DINA, dina_data: tuple[np.ndarray, np.ndarray]
) -> None:
    responses, truth = dina_data
    posterior = fitted_dina.predict_class_proba(responses)
    assert posterior.shape == (2000, 16)
    np.testing.assert_allclose(posterior.sum(axis=1), 1.0)
    assert (fitted_dina.predict_class(responses) == truth).all(axis=1).mean() > 0.6


def test_gdina_finds_the_dina_shape_in_dina_data(dina_data: tuple[np.ndarray, np.ndarray]) -> None:
    model = GDINA(random_state=0).fit(dina_data[0], Q_MATRIX)
    pair_item = model.item_success_[4]  # kps 0 and 1: codes 0 none, 1 kp 0, 2 kp 1, 3 both
    assert pair_item.shape == (4,)
    assert pair_item[3] == pytest.approx(1 - SLIP[4], abs=0.06)
    assert pair_item[:3] == pytest.approx(np.full(3, GUESS[4]), abs=0.08)


@pytest.mark.parametrize("model_class", MODELS)
def test_a_student_with_everything_right_masters_every_kp(
    model_class: type[DINA | GDINA | QMIRT], dina_data: tuple[np.ndarray, np.ndarray]
) -> None:
    model = model_class().fit(dina_data[0], Q_MATRIX)
    perfect = np.ones((1, Q_MATRIX.shape[0]))
    assert (model.predict_mastery(perfect) > 0.8).all()
    assert (model.predict_mastery(1 - perfect) < 0.2).all()


@pytest.mark.parametrize("model_class", MODELS)
def test_missing_answers_and_an_unanswered_item_still_give_predictions(
    model_class: type[DINA | GDINA | QMIRT], dina_data: tuple[np.ndarray, np.ndarray]
) -> None:
    responses, truth = dina_data
    rng = np.random.default_rng(1)
    sparse = np.where(rng.random(responses.shape) < 0.3, np.nan, responses)
    sparse[:, 0] = np.nan  # nobody answered item 0
    model = model_class().fit(sparse, Q_MATRIX)
    proba = model.predict_proba(sparse)
    assert np.isfinite(proba).all()
    assert ((proba > 0) & (proba < 1)).all()
    assert _mastery_auc(truth, model.predict_mastery(sparse)) > 0.85


@pytest.mark.parametrize("model_class", MODELS)
def test_one_kp_q_matrix_separates_masters(model_class: type[DINA | GDINA | QMIRT]) -> None:
    q_matrix = np.ones((8, 1), dtype=int)
    responses, truth = simulate_dina(q_matrix, n_students=300, random_state=2)
    mastery = model_class().fit(responses, q_matrix).predict_mastery(responses)
    assert mastery.shape == (300, 1)
    assert _mastery_auc(truth, mastery) > 0.95


@pytest.mark.parametrize("model_class", MODELS)
def test_one_new_student_is_predicted_after_fit(
    model_class: type[DINA | GDINA | QMIRT], dina_data: tuple[np.ndarray, np.ndarray]
) -> None:
    model = model_class().fit(dina_data[0][:500], Q_MATRIX)
    one = dina_data[0][1999:]
    assert model.predict_mastery(one).shape == (1, 4)
    assert model.predict_proba(one).shape == (1, Q_MATRIX.shape[0])
    with pytest.raises(ValueError, match="items"):
        model.predict_proba(one[:, :5])


@pytest.mark.parametrize("model_class", MODELS)
def test_predicting_before_fit_raises_not_fitted(model_class: type[DINA | GDINA | QMIRT]) -> None:
    with pytest.raises(NotFittedError):
        model_class().predict_mastery(np.ones((1, 3)))


@pytest.mark.parametrize("model_class", MODELS)
def test_q_matrix_of_the_wrong_shape_is_rejected(model_class: type[DINA | GDINA | QMIRT]) -> None:
    with pytest.raises(ValueError, match="q_matrix"):
        model_class().fit(np.ones((5, 4)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="q_matrix"):
        model_class().fit(np.ones((5, 4)), np.ones(4))


def test_scores_outside_zero_one_are_rejected() -> None:
    with pytest.raises(ValueError, match="responses"):
        DINA().fit(np.full((3, 2), 2.0), np.ones((2, 1)))


def test_fit_returns_self_and_seeding_makes_it_repeatable(
    dina_data: tuple[np.ndarray, np.ndarray],
) -> None:
    first = DINA(random_state=3)
    assert first.fit(dina_data[0][:300], Q_MATRIX) is first
    second = DINA(random_state=3).fit(dina_data[0][:300], Q_MATRIX)
    np.testing.assert_array_equal(first.slip_, second.slip_)


def test_running_out_of_iterations_warns(dina_data: tuple[np.ndarray, np.ndarray]) -> None:
    with pytest.warns(ConvergenceWarning):
        DINA(max_iter=1).fit(dina_data[0], Q_MATRIX)
    with pytest.warns(ConvergenceWarning):
        QMIRT(max_iter=1).fit(dina_data[0], Q_MATRIX)


def test_attribute_patterns_enumerate_every_combination() -> None:
    patterns = attribute_patterns(3)
    assert patterns.shape == (8, 3)
    assert len({tuple(row) for row in patterns.tolist()}) == 8
    with pytest.raises(ValueError, match="knowledge points"):
        attribute_patterns(0)


def _partial_credit_exam(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated kp abilities, Q-matrix loadings, scores out of 4 points; returns scores, Q, θ."""
    rng = np.random.default_rng(seed)
    n_students, n_kps = 1500, 4
    q_matrix = Q_MATRIX
    correlation = np.full((n_kps, n_kps), 0.5) + 0.5 * np.eye(n_kps)
    ability = rng.multivariate_normal(np.zeros(n_kps), correlation, n_students)
    loadings = q_matrix * rng.uniform(0.8, 2.0, q_matrix.shape)
    difficulty = rng.normal(0.0, 1.0, q_matrix.shape[0])
    p = 1 / (1 + np.exp(-(ability @ loadings.T - difficulty)))
    return rng.binomial(4, p) / 4.0, q_matrix, ability


def test_qmirt_beats_item_means_on_held_out_partial_credit_cells() -> None:
    scores, q_matrix, ability = _partial_credit_exam(seed=4)
    held_out = np.random.default_rng(5).random(scores.shape) < 0.2
    train = np.where(held_out, np.nan, scores)
    model = QMIRT().fit(train, q_matrix)
    predicted = model.predict_proba(train)[held_out]
    item_means = np.broadcast_to(np.nanmean(train, axis=0), scores.shape)[held_out]
    assert rmse(scores[held_out], predicted) < 0.9 * rmse(scores[held_out], item_means)
    assert roc_auc(scores[held_out], predicted) > roc_auc(scores[held_out], item_means) + 0.15
    mean, sd = model.predict_ability(train)
    assert (sd > 0).all()
    for kp in range(4):
        assert np.corrcoef(mean[:, kp], ability[:, kp])[0, 1] > 0.7
    assert (model.loadings_[q_matrix == 0] == 0).all()
    assert (model.loadings_ >= 0).all()


def test_qmirt_is_surer_of_a_student_seen_on_more_items() -> None:
    scores, q_matrix, _ = _partial_credit_exam(seed=6)
    model = QMIRT().fit(scores, q_matrix)
    few = scores[:1].copy()
    few[:, 5:] = np.nan
    _, sd_all = model.predict_ability(scores[:1])
    _, sd_few = model.predict_ability(few)
    assert (sd_few > sd_all).all()
