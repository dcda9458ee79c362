"""IRT models: parameter recovery, ability scoring, edge cases and the estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from yincai.science.base import ConvergenceWarning, NotFittedError
from yincai.science.irt import GPCM, Rasch, ThreePL, TwoPL
from yincai.science.simulate import simulate_2pl, simulate_3pl, simulate_gpcm


def _rmse(truth: np.ndarray, estimate: np.ndarray) -> float:
    return float(np.sqrt(np.nanmean((truth - estimate) ** 2)))


@pytest.fixture(scope="module")
def two_pl_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return simulate_2pl(5000, 30, random_state=0)


@pytest.fixture(scope="module")
def two_pl(two_pl_data: tuple[np.ndarray, ...]) -> TwoPL:
    return TwoPL().fit(two_pl_data[0])


def test_two_pl_recovers_discrimination_and_difficulty(
    two_pl: TwoPL, two_pl_data: tuple[np.ndarray, ...]
) -> None:
    _, a, b, _ = two_pl_data
    assert _rmse(a, two_pl.discrimination_) < 0.1
    assert _rmse(b, two_pl.difficulty_) < 0.1
    assert np.all(two_pl.guessing_ == 0.0)
    assert two_pl.n_iter_ < two_pl.max_iter
    assert np.isfinite(two_pl.log_likelihood_) and two_pl.log_likelihood_ < 0


def test_eap_abilities_of_fitted_students_track_true_theta(
    two_pl: TwoPL, two_pl_data: tuple[np.ndarray, ...]
) -> None:
    responses, _, _, theta = two_pl_data
    assert np.corrcoef(two_pl.theta_, theta)[0, 1] > 0.9
    assert np.all((two_pl.theta_se_ > 0.1) & (two_pl.theta_se_ < 1.0))
    new_theta, new_se = two_pl.predict_ability(responses[:200])
    np.testing.assert_allclose(new_theta, two_pl.theta_[:200], atol=1e-3)
    np.testing.assert_allclose(new_se, two_pl.theta_se_[:200], atol=1e-3)


def test_map_abilities_are_close_to_eap(two_pl: TwoPL, two_pl_data: tuple[np.ndarray, ...]) -> None:
    responses, _, _, theta = two_pl_data
    eap, eap_se = two_pl.predict_ability(responses[:500], method="eap")
    mode, mode_se = two_pl.predict_ability(responses[:500], method="map")
    assert np.corrcoef(mode, theta[:500])[0, 1] > 0.9
    assert np.max(np.abs(mode - eap)) < 0.3
    assert np.all(mode_se > 0) and abs(float(np.mean(mode_se - eap_se))) < 0.05


def test_all_correct_and_all_wrong_students_get_finite_extreme_abilities(two_pl: TwoPL) -> None:
    rows = np.array([np.ones(30), np.zeros(30), np.r_[np.ones(15), np.zeros(15)]])
    for method in ("eap", "map"):
        theta, se = two_pl.predict_ability(rows, method=method)
        assert np.all(np.isfinite(theta)) and np.all(np.isfinite(se))
        assert theta[0] > 1.5 > theta[2] > -1.5 > theta[1]


def test_one_student_and_an_unanswered_row_can_be_scored(two_pl: TwoPL) -> None:
    theta, se = two_pl.predict_ability(np.ones((1, 30)))
    assert theta.shape == se.shape == (1,)
    blank_theta, blank_se = two_pl.predict_ability(np.full((1, 30), np.nan))
    assert blank_theta[0] == pytest.approx(0.0, abs=1e-6)
    assert blank_se[0] == pytest.approx(1.0, abs=1e-3)


def test_predict_proba_is_the_logistic_curve_at_given_or_scored_abilities(two_pl: TwoPL) -> None:
    theta = np.array([-1.0, 0.0, 2.0])
    proba = two_pl.predict_proba(theta=theta)
    expected = expit(two_pl.discrimination_ * (theta[:, None] - two_pl.difficulty_))
    np.testing.assert_allclose(proba, expected, rtol=1e-10)
    assert two_pl.predict_proba(np.ones((2, 30))).shape == (2, 30)


def test_missing_responses_still_recover_the_items() -> None:
    responses, a, b, _ = simulate_2pl(5000, 30, missing_rate=0.3, random_state=1)
    model = TwoPL().fit(responses)
    assert _rmse(a, model.discrimination_) < 0.12
    assert _rmse(b, model.difficulty_) < 0.12
    assert np.all(model.n_observed_ < 5000) and np.all(model.n_observed_ > 3000)


def test_item_nobody_answered_keeps_its_prior_and_the_others_are_recovered() -> None:
    responses, a, b, _ = simulate_2pl(3000, 20, random_state=2)
    responses[:, 0] = np.nan
    model = TwoPL().fit(responses)
    assert model.n_observed_[0] == 0
    assert model.discrimination_[0] == pytest.approx(1.0, abs=1e-6)  # prior mode of log a
    assert model.difficulty_[0] == pytest.approx(0.0, abs=1e-6)
    assert _rmse(a[1:], model.discrimination_[1:]) < 0.12
    assert _rmse(b[1:], model.difficulty_[1:]) < 0.12


def test_identical_response_patterns_get_identical_abilities() -> None:
    responses, _, _, _ = simulate_2pl(2000, 6, random_state=3)  # 64 patterns at most
    model = TwoPL().fit(responses)
    _, first = np.unique(responses, axis=0, return_index=True)
    assert first.size <= 64
    same = np.all(responses == responses[0], axis=1)
    assert np.ptp(model.theta_[same]) == 0.0


def test_rasch_recovers_difficulty_and_the_shared_slope() -> None:
    rng = np.random.default_rng(4)
    b = rng.normal(0.0, 1.0, 25)
    theta = rng.normal(0.0, 1.3, 4000)  # ability SD 1.3 ⇒ shared slope 1.3 on the N(0, 1) scale
    responses = (rng.random((4000, 25)) < expit(theta[:, None] - b)).astype(float)
    model = Rasch().fit(responses)
    assert np.ptp(model.discrimination_) == 0.0
    assert model.discrimination_[0] == pytest.approx(1.3, abs=0.08)
    assert _rmse(b / 1.3, model.difficulty_) < 0.08
    fixed = Rasch(discrimination=1.0).fit(responses)
    np.testing.assert_array_equal(fixed.discrimination_, np.ones(25))


def test_three_pl_recovers_guessing_within_a_loose_tolerance() -> None:
    responses, a, b, c, _ = simulate_3pl(6000, 25, random_state=5)
    model = ThreePL().fit(responses)
    assert _rmse(a, model.discrimination_) < 0.3
    assert _rmse(b, model.difficulty_) < 0.3
    assert _rmse(c, model.guessing_) < 0.08
    assert np.all((model.guessing_ > 0) & (model.guessing_ < 0.5))


def test_gpcm_recovers_items_with_different_numbers_of_categories() -> None:
    categories = [2, 3, 4, 5] * 4
    responses, a, b, theta = simulate_gpcm(4000, 16, categories, random_state=6)
    model = GPCM().fit(responses)
    np.testing.assert_array_equal(model.n_categories_, categories)
    assert np.array_equal(np.isnan(model.difficulty_), np.isnan(b))
    assert _rmse(a, model.discrimination_) < 0.12
    assert _rmse(b, model.difficulty_) < 0.15
    assert np.corrcoef(model.theta_, theta)[0, 1] > 0.9
    proba = model.predict_proba(theta=np.array([-2.0, 0.0, 2.0]))
    assert proba.shape == (3, 16, 5)
    np.testing.assert_allclose(proba.sum(axis=2), 1.0)
    assert np.all(proba[:, 0, 2:] == 0.0)  # a 0/1 item has no score 2
    expected = model.predict_score(theta=np.array([-2.0, 2.0]))
    assert np.all(expected[1] > expected[0])


def test_gpcm_keeps_a_top_score_nobody_reached_when_max_scores_are_given() -> None:
    responses, _, _, _ = simulate_gpcm(1500, 6, 3, missing_rate=0.1, random_state=7)
    responses[responses == 2] = 1
    model = GPCM().fit(responses, max_scores=np.full(6, 2))
    np.testing.assert_array_equal(model.n_categories_, np.full(6, 3))
    assert np.all(np.isfinite(model.difficulty_))
    theta, _ = model.predict_ability(responses[:3], method="map")
    assert np.all(np.isfinite(theta))


def test_max_iter_reached_warns_with_convergence_warning() -> None:
    responses, _, _, _ = simulate_2pl(500, 10, random_state=8)
    with pytest.warns(ConvergenceWarning):
        model = TwoPL(max_iter=1).fit(responses)
    assert model.n_iter_ == 1


@pytest.mark.parametrize("model", [Rasch(), TwoPL(), ThreePL(), GPCM()])
def test_models_follow_the_estimator_contract(model: TwoPL) -> None:
    responses, _, _, _ = simulate_2pl(300, 5, random_state=9)
    params = model.get_params()
    with pytest.raises(NotFittedError):
        model.predict_ability(responses)
    assert model.fit(responses) is model
    assert model.get_params() == params
    assert model.discrimination_.shape == (5,)
    refit = type(model)(**params).fit(responses)
    np.testing.assert_array_equal(refit.discrimination_, model.discrimination_)


def test_bad_input_is_a_value_error(two_pl: TwoPL) -> None:
    with pytest.raises(ValueError, match="2-D"):
        TwoPL().fit(np.ones(10))
    with pytest.raises(ValueError, match="0, 1 or NaN"):
        TwoPL().fit(np.full((5, 3), 2.0))
    with pytest.raises(ValueError, match="30"):
        two_pl.predict_ability(np.ones((2, 29)))
    with pytest.raises(ValueError, match="exactly one"):
        two_pl.predict_proba(np.ones((2, 30)), theta=np.zeros(2))
    with pytest.raises(ValueError, match="method"):
        two_pl.predict_ability(np.ones((2, 30)), method="mle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative integer"):
        GPCM().fit(np.full((5, 3), 0.5))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-8, 8), min_size=1, max_size=20))
def test_probabilities_stay_in_the_unit_interval(two_pl: TwoPL, theta: list[float]) -> None:
    proba = two_pl.predict_proba(theta=np.array(theta))
    assert np.all((proba >= 0.0) & (proba <= 1.0))


def test_gpcm_on_right_wrong_items_is_the_two_pl_model(two_pl_data: tuple[np.ndarray, ...]) -> None:
    responses = two_pl_data[0][:1000, :10]
    two_pl, gpcm = TwoPL(tol=1e-6).fit(responses), GPCM(tol=1e-6).fit(responses)
    np.testing.assert_allclose(gpcm.discrimination_, two_pl.discrimination_, atol=1e-3)
    np.testing.assert_allclose(gpcm.difficulty_[:, 0], two_pl.difficulty_, atol=1e-3)
