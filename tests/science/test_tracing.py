"""Knowledge tracing: BKT, PFA, Elo, the feature logistic model and (with torch) DKT."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from yincai.science.base import ConvergenceWarning, NotFittedError
from yincai.science.metrics import roc_auc
from yincai.science.tracing import (
    BKT,
    PFA,
    Elo,
    FeatureLogistic,
    KTStack,
    OnlineMIRT,
    simulate_bkt,
)

TRUE = {
    "prior": np.array([0.2, 0.5, 0.35]),
    "learn": np.array([0.15, 0.08, 0.25]),
    "slip": np.array([0.1, 0.15, 0.05]),
    "guess": np.array([0.2, 0.3, 0.15]),
}


@pytest.fixture(scope="module")
def simulated() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return simulate_bkt(n_students=800, n_attempts=30, random_state=1, **TRUE)


@pytest.fixture(scope="module")
def held_out() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return simulate_bkt(n_students=300, n_attempts=30, random_state=2, **TRUE)


@pytest.fixture(scope="module")
def bkt(simulated: tuple[np.ndarray, np.ndarray, np.ndarray]) -> BKT:
    return BKT(n_starts=3, tol=1e-7, max_iter=500, random_state=0).fit(*simulated)


def _light_models() -> list[Any]:
    return [
        BKT(random_state=0),
        PFA(),
        Elo(),
        FeatureLogistic(),
        OnlineMIRT(n_dims=2, n_samples=256, max_iter=100, random_state=0),
        KTStack(models=[Elo(), PFA()], random_state=0),
    ]


def test_bkt_recovers_simulated_parameters(bkt: BKT) -> None:
    for name, tolerance in (("prior", 0.08), ("learn", 0.04), ("slip", 0.04), ("guess", 0.05)):
        np.testing.assert_allclose(getattr(bkt, f"{name}_"), TRUE[name], atol=tolerance)
    assert bkt.n_iter_ < 500
    np.testing.assert_array_equal(bkt.forget_, 0.0)


def test_bkt_with_forgetting_learns_a_small_forget_rate(simulated: Any) -> None:
    model = BKT(forgetting=True, random_state=0).fit(*simulated)
    assert np.all(model.forget_ < 0.05)
    assert np.all(model.slip_ < 0.5)
    assert np.all(model.guess_ < 0.5)


def test_bkt_predictions_match_a_hand_computed_filter(bkt: BKT) -> None:
    correct = np.array([0.0, 1.0, 1.0])
    predicted = bkt.predict_proba([0, 0, 0], [1, 1, 1], correct)
    p, learn, slip, guess = bkt.prior_[1], bkt.learn_[1], bkt.slip_[1], bkt.guess_[1]
    expected = []
    for answer in correct:
        expected.append(p * (1 - slip) + (1 - p) * guess)
        right, wrong = (1 - slip, guess) if answer else (slip, 1 - guess)
        posterior = p * right / (p * right + (1 - p) * wrong)
        p = posterior + (1 - posterior) * learn
    np.testing.assert_allclose(predicted, expected)
    mastery = bkt.predict_mastery([0, 0, 0], [1, 1, 1], correct)
    assert mastery.shape == (1, 3)
    np.testing.assert_allclose(mastery[0, 1], p)
    np.testing.assert_allclose(mastery[0, [0, 2]], bkt.prior_[[0, 2]])


@pytest.mark.parametrize("model", _light_models(), ids=lambda m: type(m).__name__)
def test_predictions_use_only_earlier_attempts(simulated: Any, model: Any) -> None:
    students, skills, correct = (a[:3000] for a in simulated)
    model.fit(students, skills, correct)
    later = students == students[-1]
    cut = np.flatnonzero(later)[10]
    flipped = correct.copy()
    flipped[cut:][later[cut:]] = 1.0 - flipped[cut:][later[cut:]]
    before = model.predict_proba(students, skills, correct)
    after = model.predict_proba(students, skills, flipped)
    np.testing.assert_allclose(before[: cut + 1], after[: cut + 1])
    assert not np.allclose(before[cut + 1 :], after[cut + 1 :])


@pytest.mark.parametrize("model", [PFA(), Elo(), FeatureLogistic()], ids=lambda m: type(m).__name__)
def test_logistic_models_beat_a_constant_baseline(
    simulated: Any, held_out: Any, model: Any
) -> None:
    model.fit(*simulated)
    students, skills, correct = held_out
    predicted = model.predict_proba(students, skills, correct)
    assert roc_auc(correct, predicted) > 0.62
    constant = np.full_like(correct, simulated[2].mean())
    assert np.mean((predicted - correct) ** 2) < np.mean((constant - correct) ** 2) - 0.005


@pytest.mark.parametrize("model", _light_models(), ids=lambda m: type(m).__name__)
def test_edge_cases_single_attempt_always_right_and_unseen_skill(
    simulated: Any, model: Any
) -> None:
    model.fit(*simulated)
    single = model.predict_proba([0], [1], [1.0])
    assert single.shape == (1,) and 0.0 < single[0] < 1.0
    always = model.predict_proba(np.zeros(20, dtype=int), np.full(20, 2), np.ones(20))
    assert always[-1] > always[0]
    unseen = model.predict_proba([0, 0], [7, 7], [1.0, 1.0])
    assert np.all((unseen > 0.0) & (unseen < 1.0))
    mastery = model.predict_mastery([0, 1, 1], [0, 2, 2], [1.0, 0.0, 0.0])
    assert mastery.shape[0] == 2 and mastery.shape[1] >= 3
    assert np.all((mastery >= 0.0) & (mastery <= 1.0))


def test_bkt_unseen_skill_starts_from_the_population_prior(bkt: BKT) -> None:
    first = bkt.predict_proba([0], [9], [0.0])[0]
    fallback = bkt.fallback_
    expected = (
        fallback["prior"] * (1 - fallback["slip"]) + (1 - fallback["prior"]) * fallback["guess"]
    )
    assert first == pytest.approx(expected)


@pytest.mark.parametrize("model", _light_models(), ids=lambda m: type(m).__name__)
def test_use_before_fit_raises_not_fitted(model: Any) -> None:
    with pytest.raises(NotFittedError):
        model.predict_proba([0], [0], [1.0])


@pytest.mark.parametrize("model", _light_models(), ids=lambda m: type(m).__name__)
@pytest.mark.parametrize(
    ("students", "skills", "correct"),
    [
        ([0, 0], [0], [1, 0]),
        ([0], [0], [0.5]),
        ([-1], [0], [1]),
        ([[0]], [[0]], [[1]]),
        ([], [], []),
    ],
)
def test_bad_input_raises_value_error(model: Any, students: Any, skills: Any, correct: Any) -> None:
    with pytest.raises(ValueError):
        model.fit(students, skills, correct)


def test_fit_returns_self_and_keeps_params() -> None:
    model = BKT(n_starts=1, random_state=3)
    assert model.fit([0, 0, 1], [0, 0, 0], [0.0, 1.0, 1.0]) is model
    assert model.get_params()["n_starts"] == 1


def test_bkt_warns_when_max_iter_is_reached(simulated: Any) -> None:
    with pytest.warns(ConvergenceWarning):
        BKT(max_iter=2, tol=0.0, random_state=0).fit(*simulated)


def test_bkt_is_reproducible_with_a_seed(simulated: Any) -> None:
    a = BKT(random_state=5).fit(*simulated)
    b = BKT(random_state=5).fit(*simulated)
    np.testing.assert_array_equal(a.learn_, b.learn_)


def test_dkt_learns_and_respects_time_order(simulated: Any, held_out: Any) -> None:
    pytest.importorskip("torch")
    from yincai.science.tracing.deep import DKT

    model = DKT(hidden_size=16, embed_size=8, max_epochs=4, window=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 4 epochs may not be enough
        model.fit(*(a[:9000] for a in simulated))
    students, skills, correct = held_out
    predicted = model.predict_proba(students, skills, correct)
    assert roc_auc(correct, predicted) > 0.6
    flipped = correct.copy()
    flipped[-5:] = 1 - flipped[-5:]
    np.testing.assert_allclose(model.predict_proba(students, skills, flipped)[:-4], predicted[:-4])
    mastery = model.predict_mastery(students[:60], skills[:60], correct[:60])
    assert mastery.shape == (2, 3)


def _simulate_mirt(n_students: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every student answers 20 items in order; items 0-9 load on ability 0, 10-19 on ability 1."""
    rng = np.random.default_rng(seed)
    items = np.tile(np.r_[0:20:2, 1:20:2], n_students)  # the two groups interleaved
    ability = rng.standard_normal((n_students, 2))
    dimension = (items >= 10).astype(int)
    easiness = np.linspace(-1.0, 1.0, 20)[items]
    students = np.repeat(np.arange(n_students), 20)
    z = 1.5 * ability[students, dimension] + easiness
    correct = (rng.random(z.size) < 1.0 / (1.0 + np.exp(-z))).astype(float)
    return students, items, correct


def test_online_mirt_tracks_each_ability_from_earlier_answers() -> None:
    model = OnlineMIRT(n_dims=2, n_samples=512, random_state=0).fit(*_simulate_mirt(600, 0))
    students, items, correct = _simulate_mirt(300, 1)
    predicted = model.predict_proba(students, items, correct)
    rate = np.bincount(items, correct) / np.bincount(items)
    assert roc_auc(correct, predicted) > roc_auc(correct, rate[items]) + 0.05
    # Its loadings separate the two groups of items: each group leans on its own direction.
    loadings = model.loadings_ / np.linalg.norm(model.loadings_, axis=1, keepdims=True)
    within = np.abs(loadings[:10] @ loadings[:10].T).mean()
    across = np.abs(loadings[:10] @ loadings[10:].T).mean()
    assert within > across + 0.2
    mastery = model.predict_mastery(students[:40], items[:40], correct[:40])
    assert mastery.shape == (2, 20)


def test_stack_blends_on_held_out_students_and_leaves_its_models_alone(
    simulated: Any, held_out: Any
) -> None:
    members = [Elo(), BKT(random_state=0)]
    stack = KTStack(models=members, random_state=0).fit(*simulated)
    assert not hasattr(members[0], "difficulty_") and not hasattr(members[1], "learn_")
    assert stack.get_params()["models"] is members
    assert stack.coef_.shape == (2,) and stack.validation_students_.size == 160
    students, skills, correct = held_out
    blended = roc_auc(correct, stack.predict_proba(students, skills, correct))
    alone = [roc_auc(correct, m.predict_proba(students, skills, correct)) for m in stack.models_]
    assert blended > max(alone) - 0.005
    with pytest.raises(ValueError, match="models"):
        KTStack().fit(*simulated)


def test_stack_takes_dkt_as_a_member(simulated: Any) -> None:
    pytest.importorskip("torch")
    from yincai.science.tracing.deep import DKT

    dkt = DKT(hidden_size=8, embed_size=4, max_epochs=2, window=30, random_state=0)
    stack = KTStack(models=[Elo(), dkt], random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 2 epochs may not be enough
        stack.fit(*(a[:3000] for a in simulated))
    assert not hasattr(dkt, "network_") and isinstance(stack.models_[1], DKT)
    predicted = stack.predict_proba(*(a[:300] for a in simulated))
    assert predicted.shape == (300,) and np.isfinite(predicted).all()


def test_online_mirt_can_share_one_guessing_floor_across_items() -> None:
    students, items, correct = _simulate_mirt(600, 0)
    rng = np.random.default_rng(5)
    guessed = np.where(rng.random(correct.size) < 0.25, 1.0, correct)  # a 0.25 floor
    model = OnlineMIRT(
        n_dims=2, n_samples=256, guessing=True, shared_guess=True, random_state=0
    ).fit(students, items, guessed)
    assert model.guess_.shape == (20,) and np.ptp(model.guess_) == 0.0
    assert 0.1 < model.guess_[0] < 0.4
    per_item = OnlineMIRT(n_dims=2, n_samples=256, guessing=True, random_state=0)
    assert np.ptp(per_item.fit(students, items, guessed).guess_) > 0.0


def test_online_mirt_predicts_the_same_in_any_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from yincai.science.tracing import irt

    students, items, correct = _simulate_mirt(50, 3)
    model = OnlineMIRT(n_dims=2, n_samples=64, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(students, items, correct)
    whole = model.predict_proba(students, items, correct)
    monkeypatch.setattr(irt, "CHUNK_CELLS", 64 * 45)  # blocks end inside and after the last student
    np.testing.assert_allclose(model.predict_proba(students, items, correct), whole)
