"""How dark each bubble is, and what a field's bubbles mean.

A page is warped onto a canonical grid (``CANONICAL_RADIUS`` px per bubble radius), divided by its
own local background (a grey-scale closing wider than a bubble: uneven lighting, toner and paper
tone cancel out), and each bubble's darkness is the mean of a square inscribed in its inner disc,
read for all bubbles at once from an integral image.

Decision (one rule, one place): a bubble's darkness is put on the sheet's own scale, 0 = the
sheet's empty bubbles, 1 = its filled ones (per-sheet calibration). Above ``MARKED`` it is an
answer, below ``BLANK`` it is not, in between it is *doubtful* and sent to review, never guessed.
An absolute floor (``FLOOR``, darkness above the empty level) keeps a sheet with no answers, or
only erased traces, from calling its darkest trace a mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from yincai.omr.layout import Field

CANONICAL_RADIUS = 8.0  # px per bubble radius on the canonical grid
INNER = 0.62  # half-side of the sampled square, in bubble radii (inside the printed ring)
MARKED = 0.32  # sheet-relative darkness of an answer …
BLANK = 0.20  # … and of an empty bubble; in between: doubtful
FLOOR = 0.14  # an answer is at least this much darker than the empty level (absolute)
CLEAR = 0.30  # absolute darkness above the empty level that surely is a pencil mark
DEFAULT_SPAN = 0.55  # filled − empty darkness when a sheet has too few marks to calibrate
MIN_CALIBRATION = 4  # clear marks needed to calibrate the filled level

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    """The sheet's own empty and filled darkness."""

    empty: float
    filled: float

    def relative(self, darkness: FloatArray) -> FloatArray:
        return (darkness - self.empty) / max(self.filled - self.empty, FLOOR)


def normalise(canonical: NDArray[np.uint8], radius_px: float) -> NDArray[np.float32]:
    """Darkness 0 (local paper) … 1 (black): the page divided by its local background."""
    size = int(radius_px * 5) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    background = cv2.dilate(canonical, kernel)
    background = cv2.blur(background, (size, size))
    page = canonical.astype(np.float32)
    ratio = page / np.maximum(background.astype(np.float32), 1.0)
    return np.clip(1.0 - ratio, 0.0, 1.0)


def integral_of(darkness: NDArray[np.float32]) -> FloatArray:
    """The summed-area table that ``sample`` reads (computed once per page)."""
    return np.asarray(cv2.integral(darkness, sdepth=cv2.CV_64F), dtype=np.float64)


def sample(integral: FloatArray, centres: FloatArray, radius_px: float) -> FloatArray:
    """Mean darkness of the inner square of each bubble; centres (n, 2) in canonical px;
    ``integral`` from ``integral_of``."""
    half = max(1, round(radius_px * INNER))
    height, width = integral.shape[0] - 1, integral.shape[1] - 1
    x = np.clip(np.round(centres[:, 0]).astype(np.int64), half, width - half - 1)
    y = np.clip(np.round(centres[:, 1]).astype(np.int64), half, height - half - 1)
    x0, x1, y0, y1 = x - half, x + half + 1, y - half, y + half + 1
    total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return np.asarray(total / float((2 * half + 1) ** 2), dtype=np.float64)


def calibrate(darkness: FloatArray) -> Calibration:
    """Empty level: the median bubble (most bubbles are empty). Filled level: the median of
    the bubbles that are surely marked; a default span when there are too few of them."""
    empty = float(np.median(darkness))
    marked = darkness[darkness > empty + CLEAR]
    filled = float(np.median(marked)) if marked.size >= MIN_CALIBRATION else empty + DEFAULT_SPAN
    return Calibration(empty, max(filled, empty + FLOOR * 2))


@dataclass(frozen=True)
class FieldReading:
    """What a field says: its value, each bubble's darkness and confidence, and review flags."""

    label: str
    value: str
    darkness: tuple[float, ...]
    confidence: tuple[float, ...]
    flags: tuple[str, ...]

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)


def bubble_states(
    darkness: FloatArray, calibration: Calibration
) -> tuple[NDArray[np.int8], FloatArray]:
    """State per bubble (1 marked, 0 empty, -1 doubtful) and confidence 0–1."""
    relative = calibration.relative(darkness)
    above_floor = darkness - calibration.empty >= FLOOR
    marked = (relative >= MARKED) & above_floor
    empty = (relative <= BLANK) | ~above_floor & (relative < MARKED)
    states = np.where(marked, 1, np.where(empty, 0, -1)).astype(np.int8)
    middle = (MARKED + BLANK) / 2
    confidence = np.clip(np.abs(relative - middle) / (MARKED - BLANK), 0.0, 1.0)
    confidence = np.where(states == -1, np.minimum(confidence, 0.49), np.maximum(confidence, 0.5))
    return states, confidence


def interpret(
    field: Field, darkness: FloatArray, states: NDArray[np.int8], confidence: FloatArray
) -> FieldReading:
    """A field's value from its bubbles' states; doubt and double marks become flags."""
    values = [bubble.value for bubble in field.bubbles]
    chosen = "".join(v for v, s in zip(values, states, strict=True) if s == 1)
    flags: list[str] = []
    if (states == -1).any():
        flags.append("doubtful")
    n_marked = int((states == 1).sum())
    if field.kind in ("single", "truefalse", "digit") and n_marked > 1:
        flags.append("multiple")
    if field.kind == "digit" and n_marked == 0 and "doubtful" not in flags:
        flags.append("blank")
    return FieldReading(
        label=field.label,
        value=chosen,
        darkness=tuple(round(float(d), 4) for d in darkness),
        confidence=tuple(round(float(c), 3) for c in confidence),
        flags=tuple(flags),
    )
