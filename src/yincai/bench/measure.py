"""Timing and peak memory of one call.

The call is timed by the wall clock with nothing watching it: tracing every allocation (as
``tracemalloc`` does) slows numpy-heavy code by half or more, which would misstate fit times. A
call quicker than ``repeat_under`` seconds may be run twice more and the fastest time kept, as
``timeit`` advises: on a shared machine one sub-second timing is mostly other programs' noise.
Memory is the rise of the process's resident set during the call, from the kernel's counters: on
Linux the high-water mark is reset before the call (``/proc/self/clear_refs``) and read after it,
which costs nothing while the call runs; where that is not possible the lifetime peak
(``getrusage``) is compared before and after, a lower bound (0 if the call stays below an
earlier peak).
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

PROC_SELF = Path("/proc/self")
RESET_PEAK_RSS = "5"  # written to clear_refs: the kernel resets VmHWM to the current RSS
KIB_PER_MIB = 1024
REPEATS = 3  # runs of a quick call, the fastest kept


@dataclass(frozen=True)
class Measured:
    value: Any
    seconds: float
    peak_mb: float


def _status_kib(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), None where unreadable."""
    try:
        text = (PROC_SELF / "status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _reset_peak_rss() -> bool:
    """Reset the process's resident high-water mark to its current size; False if unsupported."""
    try:
        (PROC_SELF / "clear_refs").write_text(RESET_PEAK_RSS)
    except OSError:
        return False
    return _status_kib("VmHWM") is not None and _status_kib("VmRSS") is not None


def _lifetime_peak_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB elsewhere


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def measure(call: Callable[[], T], *, repeat_under: float = 0.0) -> Measured:
    """Run ``call``; its wall seconds and the rise of resident memory at its peak (MiB).

    If the first run takes under ``repeat_under`` seconds, ``call`` runs twice more (so it must
    give the same result each time, as a seeded ``fit`` does) and the fastest run counts; memory
    is always that of the first run.
    """
    is_reset = _reset_peak_rss()
    start_kib = _status_kib("VmRSS") if is_reset else _lifetime_peak_kib()
    value, seconds = _timed(call)
    peak_kib = _status_kib("VmHWM") if is_reset else _lifetime_peak_kib()
    rise = max((peak_kib or 0) - (start_kib or 0), 0)
    if seconds < repeat_under:
        for _ in range(REPEATS - 1):
            value, again = _timed(call)
            seconds = min(seconds, again)
    return Measured(value=value, seconds=seconds, peak_mb=rise / KIB_PER_MIB)
