"""One contract, checked on every estimator of the science core."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from yincai.science import cdm, irt, tracing
from yincai.science.base import Estimator, NotFittedError
from yincai.science.simulate import simulate_2pl


@dataclass(frozen=True)
class Case:
    make: Callable[[], Estimator]
    fit_args: Callable[[], tuple[Any, ...]]
    predict: Callable[[Any, tuple[Any, ...]], Any]


def _irt_data() -> tuple[Any, ...]:
    responses, *_ = simulate_2pl(300, 8, random_state=1)
    return (responses,)


def _cdm_data() -> tuple[Any, ...]:
    q = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [0, 1], [1, 1]])
    responses, _ = cdm.simulate_dina(
        q, n_students=200, slip=0.1, guess=0.2, mastery_rate=0.5, random_state=2
    )
    return (responses, q)


def _tracing_data() -> tuple[Any, ...]:
    rng = np.random.default_rng(3)
    students = np.repeat(np.arange(60), 12)
    skills = rng.integers(0, 4, size=students.size)
    correct = (rng.random(students.size) < 0.6).astype(float)
    return (students, skills, correct)


def _irt_predict(model: Any, args: tuple[Any, ...]) -> Any:
    return model.predict_proba(args[0])


def _cdm_predict(model: Any, args: tuple[Any, ...]) -> Any:
    return model.predict_mastery(args[0])


def _tracing_predict(model: Any, args: tuple[Any, ...]) -> Any:
    return model.predict_proba(*args)


CASES = {
    "Rasch": Case(lambda: irt.Rasch(), _irt_data, _irt_predict),
    "TwoPL": Case(lambda: irt.TwoPL(), _irt_data, _irt_predict),
    "ThreePL": Case(lambda: irt.ThreePL(), _irt_data, _irt_predict),
    "GPCM": Case(lambda: irt.GPCM(), _irt_data, _irt_predict),
    "DINA": Case(lambda: cdm.DINA(random_state=0), _cdm_data, _cdm_predict),
    "GDINA": Case(lambda: cdm.GDINA(random_state=0), _cdm_data, _cdm_predict),
    "QMIRT": Case(lambda: cdm.QMIRT(), _cdm_data, _cdm_predict),
    "BKT": Case(lambda: tracing.BKT(random_state=0), _tracing_data, _tracing_predict),
    "PFA": Case(lambda: tracing.PFA(), _tracing_data, _tracing_predict),
    "Elo": Case(lambda: tracing.Elo(), _tracing_data, _tracing_predict),
    "FeatureLogistic": Case(lambda: tracing.FeatureLogistic(), _tracing_data, _tracing_predict),
    "KTStack": Case(
        lambda: tracing.KTStack(models=[tracing.Elo(), tracing.PFA()], random_state=0),
        _tracing_data,
        _tracing_predict,
    ),
    "OnlineMIRT": Case(
        lambda: tracing.OnlineMIRT(n_dims=2, n_samples=256, max_iter=100, random_state=0),
        _tracing_data,
        _tracing_predict,
    ),
}
if importlib.util.find_spec("torch") is not None:  # the optional torch tracer, where installed
    CASES["AttentionKT"] = Case(
        lambda: tracing.AttentionKT(
            d_model=8, n_heads=2, n_layers=1, patience=1, max_epochs=50, random_state=0
        ),
        _tracing_data,
        _tracing_predict,
    )


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def test_init_stores_its_arguments_unchanged(case: Case) -> None:
    model = case.make()
    params = model.get_params()
    assert params == type(model)(**params).get_params()
    assert not [k for k in vars(model) if k.endswith("_")]  # nothing learned before fit
    assert type(model).__name__ in repr(model)


def test_use_before_fit_raises_not_fitted(case: Case) -> None:
    with pytest.raises(NotFittedError):
        case.predict(case.make(), case.fit_args())


def test_fit_returns_self_and_learns_trailing_underscore_attributes(case: Case) -> None:
    model = case.make()
    args = case.fit_args()
    assert model.fit(*args) is model
    assert [k for k in vars(model) if k.endswith("_")]
    predicted = np.asarray(case.predict(model, args), dtype=float)
    assert np.isfinite(predicted).all()
    assert ((predicted >= 0) & (predicted <= 1)).all()


def test_the_same_settings_give_the_same_fit(case: Case) -> None:
    args = case.fit_args()
    first = np.asarray(case.predict(case.make().fit(*args), args), dtype=float)
    again = np.asarray(case.predict(case.make().fit(*args), args), dtype=float)
    np.testing.assert_allclose(first, again)


def test_unknown_parameters_are_rejected(case: Case) -> None:
    with pytest.raises(ValueError, match="no parameter"):
        case.make().set_params(not_a_parameter=1)
