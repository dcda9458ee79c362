"""Timing and peak memory of one call, and the rows every benchmark reports."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Measured:
    value: Any
    seconds: float
    peak_mb: float


def measure(call: Callable[[], T]) -> Measured:
    """Run ``call`` once; wall seconds and the peak of memory traced during it (numpy included)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        value = call()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(value=value, seconds=seconds, peak_mb=peak / 2**20)
