import numpy as np
import pytest

from yincai.bench import measure as measure_module
from yincai.bench.measure import measure

ALLOCATED_MB = 64


def _touch_memory() -> float:
    block = np.ones(ALLOCATED_MB * 2**20 // 8)  # written, so every page is resident
    return float(block.sum())


def test_measure_returns_the_value_and_a_wall_time() -> None:
    measured = measure(lambda: 41 + 1)
    assert measured.value == 42
    assert measured.seconds >= 0.0
    assert measured.peak_mb >= 0.0


def test_measure_sees_memory_resident_during_the_call() -> None:
    measured = measure(_touch_memory)
    assert measured.value == ALLOCATED_MB * 2**20 // 8
    if measure_module._reset_peak_rss():  # Linux: the high-water mark is exact
        assert ALLOCATED_MB * 0.9 <= measured.peak_mb <= ALLOCATED_MB * 3


def test_measure_falls_back_to_the_lifetime_peak(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(measure_module, "_reset_peak_rss", lambda: False)
    measured = measure(_touch_memory)
    assert measured.peak_mb >= 0.0


def test_a_quick_call_is_timed_as_the_best_of_three() -> None:
    calls: list[int] = []
    measured = measure(lambda: calls.append(1) or len(calls), repeat_under=10.0)
    assert calls == [1, 1, 1] and measured.value == 3
    measure(lambda: calls.append(1), repeat_under=0.0)
    assert len(calls) == 4
