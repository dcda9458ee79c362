"""Forgetting learnt from the data: the rate within (student, point) pairs, and its shift."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from yincai.science.forgetting import forgetting_rate, recency_shift


def _responses(rate: float, seed: int = 0) -> dict[str, np.ndarray]:
    """Students answer items of 4 points at ages 0–20 weeks; mastery then was higher by
    ``rate`` per week of age (it has been forgotten since)."""
    rng = np.random.default_rng(seed)
    n_students, n_items = 400, 40
    q = np.zeros((n_items, 4))
    q[np.arange(n_items), np.arange(n_items) % 4] = 1.0
    difficulty = rng.normal(0, 0.5, n_items)
    ability = rng.normal(0, 1, (n_students, 4))
    students = np.repeat(np.arange(n_students), 30)
    items = rng.integers(0, n_items, students.size)
    ages = rng.uniform(0, 20, students.size)
    logit = ability[students, items % 4] - difficulty[items] + rate * ages
    scores = (rng.random(students.size) < expit(logit)).astype(float)
    return {"students": students, "items": items, "scores": scores, "ages": ages, "q": q}


@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_the_rate_is_recovered_from_responses_within_pairs(rate: float) -> None:
    data = _responses(rate)
    found = forgetting_rate(
        data["students"], data["items"], data["scores"], data["ages"], data["q"],
        np.ones(data["q"].shape[0]),
    )  # fmt: skip
    assert found == pytest.approx(rate, abs=0.015)


def test_remembering_better_over_time_is_not_read_as_negative_forgetting() -> None:
    data = _responses(-0.05)
    rate = forgetting_rate(
        data["students"], data["items"], data["scores"], data["ages"], data["q"],
        np.ones(data["q"].shape[0]),
    )  # fmt: skip
    assert rate == 0.0


def test_points_seen_recently_move_up_and_points_seen_long_ago_move_down() -> None:
    q = np.eye(3)
    students = np.array([0, 0, 0, 0])
    items = np.array([0, 0, 1, 1])
    days = np.array([100.0, 100.0, 128.0, 128.0])  # point 0 four weeks before point 1
    shift = recency_shift(students, items, days, np.ones(4), q, 1, rate=0.1, reference_day=114.0)
    assert shift[0, 0] == pytest.approx(-0.2) and shift[0, 1] == pytest.approx(0.2)
    assert shift[0, 2] == 0.0  # no evidence: the prior, unmoved
