import numpy as np
import pytest
from scipy.special import expit

from yincai.science import NotFittedError
from yincai.science.mastery import MasteryModel

N_KPS = 5
ITEMS_PER_KP = 6


def _simulate(n_students: int = 500, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_items = N_KPS * ITEMS_PER_KP
    q = np.zeros((n_items, N_KPS))
    q[np.arange(n_items), np.arange(n_items) // ITEMS_PER_KP] = 1.0
    q[::5, :] *= 0.7  # every fifth item also needs the next KP a little
    q[np.arange(0, n_items, 5), (np.arange(0, n_items, 5) // ITEMS_PER_KP + 1) % N_KPS] = 0.3
    theta = rng.standard_normal(n_students)
    logit = 0.3 + 1.2 * theta[:, None] + 0.6 * rng.standard_normal((n_students, N_KPS))
    difficulty = rng.normal(0.0, 0.8, n_items)
    ability = logit @ q.T
    right = rng.random((n_students, n_items)) < expit(1.3 * (ability - difficulty))
    students, items = np.nonzero(rng.random((n_students, n_items)) < 0.7)
    return {
        "students": students,
        "items": items,
        "scores": right[students, items].astype(float),
        "q": q,
        "logit": logit,
        "difficulty": difficulty,
    }


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    return _simulate()


@pytest.fixture(scope="module")
def model(data: dict[str, np.ndarray]) -> MasteryModel:
    return MasteryModel(max_iter=300).fit(
        data["students"], data["items"], data["scores"], data["q"]
    )


def test_fit_recovers_item_difficulty_and_ranks_true_mastery(
    model: MasteryModel, data: dict[str, np.ndarray]
) -> None:
    assert np.corrcoef(model.difficulty_, data["difficulty"])[0, 1] > 0.9
    mastery = model.predict_mastery(data["students"], data["items"], data["scores"])
    truth = data["logit"] > 0
    from yincai.science.metrics import roc_auc

    assert roc_auc(truth.ravel(), mastery.ravel()) > 0.9
    assert model.n_iter_ < 300


def test_student_without_history_gets_the_population_prior(model: MasteryModel) -> None:
    estimate = model.predict(model.empty_evidence(3))
    np.testing.assert_allclose(estimate.mastery, np.tile(model.prior_mastery_, (3, 1)), atol=1e-6)
    assert (estimate.n_responses == 0).all()
    assert 0.3 < model.prior_mastery_.mean() < 0.8  # simulated share mastered ≈ 0.58


def test_posterior_sd_shrinks_and_concentrates_on_the_truth_with_more_evidence(
    model: MasteryModel,
) -> None:
    rng = np.random.default_rng(1)
    items_of_kp0 = np.arange(ITEMS_PER_KP)
    sds, means = [], []
    for n in (0, 6, 60, 600):
        items = rng.choice(items_of_kp0, n)
        # a strong student: answers right 90 % of the time
        scores = (rng.random(n) < 0.9).astype(float)
        estimate = model.predict(
            model.evidence(np.zeros(n, dtype=np.int64), items, scores, n_students=1)
        )
        sds.append(estimate.logit_sd[0, 0])
        means.append(estimate.mastery[0, 0])
    assert sds == sorted(sds, reverse=True)
    assert sds[-1] < 0.5 * sds[1]
    assert means[-1] > 0.97


def test_online_update_equals_a_batch_fit_on_the_same_evidence(
    model: MasteryModel, data: dict[str, np.ndarray]
) -> None:
    s, i, y = data["students"], data["items"], data["scores"]
    half = s.size // 2
    n = int(s.max()) + 1
    early = model.evidence(s[:half], i[:half], y[:half], n_students=n)
    online = model.predict(model.update(early, s[half:], i[half:], y[half:]))
    batch = model.predict(model.evidence(s, i, y, n_students=n))
    np.testing.assert_allclose(online.mastery, batch.mastery, atol=1e-9)
    np.testing.assert_array_equal(online.n_responses, batch.n_responses)


def test_a_right_answer_never_lowers_mastery_of_the_tagged_kp(
    model: MasteryModel, data: dict[str, np.ndarray]
) -> None:
    student = data["students"] == 7
    history = model.evidence(
        np.zeros(student.sum(), dtype=np.int64), data["items"][student], data["scores"][student]
    )
    before = model.predict(history).mastery[0]
    for item in range(0, N_KPS * ITEMS_PER_KP, 4):
        after = model.predict(model.update(history, [0], [item], [1.0])).mastery[0]
        tagged = data["q"][item] > 0
        assert (after[tagged] >= before[tagged] - 1e-12).all()
        worse = model.predict(model.update(history, [0], [item], [0.0])).mastery[0]
        assert (worse[tagged] <= before[tagged] + 1e-12).all()


def test_missing_scores_are_ignored(model: MasteryModel) -> None:
    with_nan = model.predict_mastery([0, 0, 0], [0, 1, 2], [1.0, np.nan, 0.0], n_students=1)
    without = model.predict_mastery([0, 0], [0, 2], [1.0, 0.0], n_students=1)
    np.testing.assert_allclose(with_nan, without)


def test_partial_credit_lies_between_wrong_and_right(model: MasteryModel) -> None:
    scores = [model.predict_mastery([0], [3], [y], n_students=1)[0, 0] for y in (0, 0.5, 1)]
    assert scores[0] < scores[1] < scores[2]


def test_use_before_fit_raises_not_fitted_error() -> None:
    with pytest.raises(NotFittedError):
        MasteryModel().predict_mastery([0], [0], [1.0])


@pytest.mark.parametrize(
    ("students", "items", "scores", "q", "message"),
    [
        ([0, 1], [0], [1.0, 0.0], np.eye(2), "equal length"),
        ([[0]], [0], [1.0], np.eye(2), "1-D"),
        ([0], [5], [1.0], np.eye(2), "items holds code"),
        ([0], [0], [1.5], np.eye(2), r"\[0, 1\]"),
        ([0], [0], [1.0], np.ones(3), "2-D"),
        ([0], [0], [1.0], np.zeros((2, 2)), "tag no knowledge point"),
        ([-1], [0], [1.0], np.eye(2), "non-negative"),
    ],
)
def test_bad_input_raises_value_error(
    students: object, items: object, scores: object, q: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        MasteryModel().fit(students, items, scores, q)  # type: ignore[arg-type]


def test_guessing_must_match_the_items() -> None:
    with pytest.raises(ValueError, match="guessing"):
        MasteryModel().fit([0], [0], [1.0], np.eye(2), guessing=[0.2])


def test_params_are_stored_unchanged() -> None:
    model = MasteryModel(n_grid=31, tol=1e-3)
    assert model.get_params()["n_grid"] == 31
    assert model.get_params()["tol"] == 1e-3


def test_a_context_shift_is_learnt_and_keeps_difficulties_in_the_reference_context() -> None:
    rng = np.random.default_rng(3)
    n_students, n_items, ease = 800, N_KPS * ITEMS_PER_KP, 0.6
    q = np.zeros((n_items, N_KPS))
    q[np.arange(n_items), np.arange(n_items) // ITEMS_PER_KP] = 1.0
    logit = (
        0.2 + rng.standard_normal((n_students, 1)) + 0.5 * rng.standard_normal((n_students, N_KPS))
    )
    difficulty = rng.normal(0.0, 0.8, n_items)
    students, items = np.nonzero(rng.random((n_students, n_items)) < 0.8)
    contexts = (rng.random(students.size) < 0.5).astype(np.int64)  # half answered as homework
    ability = (logit @ q.T)[students, items] + ease * contexts
    scores = (rng.random(students.size) < expit(ability - difficulty[items])).astype(float)

    aware = MasteryModel(max_iter=300).fit(students, items, scores, q, contexts=contexts)
    blind = MasteryModel(max_iter=300).fit(students, items, scores, q)

    assert aware.context_shift_[0] == 0.0
    assert aware.context_shift_[1] == pytest.approx(ease, abs=0.15)
    # Difficulties stay those of the reference context: the blind fit reads them as easier.
    assert np.mean(aware.difficulty_ - blind.difficulty_) > 0.15
    # A homework success says less than an exam success.
    right = np.ones(1)
    at_exam = aware.predict(aware.evidence([0], [0], right, contexts=[0])).logit_mean[0, 0]
    at_home = aware.predict(aware.evidence([0], [0], right, contexts=[1])).logit_mean[0, 0]
    assert at_home < at_exam


def test_contexts_must_be_non_negative_integer_codes_of_every_response() -> None:
    data = _simulate(n_students=50)
    with pytest.raises(ValueError, match="contexts"):
        MasteryModel().fit(
            data["students"], data["items"], data["scores"], data["q"], contexts=[0, 1]
        )
    with pytest.raises(ValueError, match="contexts"):
        MasteryModel().fit(
            data["students"],
            data["items"],
            data["scores"],
            data["q"],
            contexts=-np.ones(data["scores"].size, dtype=int),
        )
