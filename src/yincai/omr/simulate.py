"""Simulated answer sheets with known answers, for tests and the benchmark (seeded).

``render_page`` draws a blank page of a layout as a scanner would see it; ``simulate_answers``
picks each field's answer and how it was marked; ``fill`` pencils the marks in; ``degrade``
turns the clean page into a scan or a phone photo. Pencil levels (grey 0 black … 255 paper):

- normal 2B fill ≈ 55 ± 15, covering ~90 % of the bubble, off-centre by up to a quarter radius;
- faint pencil ≈ 150 ± 8 (an HB pencil pressed lightly): an answer;
- erased residue ≈ 222 ± 5 (a mark rubbed out): not an answer;
- stray dot: a 0.7 mm pencil dot inside an empty bubble or anywhere on the page: not an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
import segno
from numpy.typing import NDArray

from yincai.omr.layout import STUDENT_FIELD_PREFIX, Field, SheetLayout
from yincai.omr.read import qr_text

Style = Literal["normal", "faint", "residue", "dot"]
Image = NDArray[np.uint8]
PENCIL = {
    "normal": (55.0, 15.0),
    "faint": (150.0, 8.0),
    "residue": (222.0, 5.0),
    "dot": (60.0, 10.0),
}
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class SimulatedField:
    """A field's true value and the marks on paper: (value, style) pairs."""

    truth: str
    marks: tuple[tuple[str, Style], ...]


@dataclass(frozen=True)
class Rates:
    """How often each kind of mark occurs, per field."""

    blank: float = 0.05
    faint: float = 0.05
    erased_changed: float = 0.04
    erased_blank: float = 0.02
    stray_dot: float = 0.03
    multiple: float = 0.3  # share of multiple-choice fields with two answers


def px_per_mm(dpi: float) -> float:
    return dpi / MM_PER_INCH


def render_page(
    layout: SheetLayout,
    number: int,
    *,
    dpi: float = 150.0,
    student_number: str = "",
    margin: float = 0.0,
) -> Image:
    """A blank printed page of ``layout`` at ``dpi`` (px per unit for a px layout): marks, page
    bits, QR, bubbles, boxes; ``margin`` units of paper around the page (an OMRChecker page is
    the rectangle between its markers' centres, so the paper is larger)."""
    page = layout.page(number)
    s = px_per_mm(dpi) if layout.units == "mm" else dpi
    shape = (round((page.height + 2 * margin) * s), round((page.width + 2 * margin) * s))
    image = np.full(shape, 255, np.uint8)
    if margin:
        shifted = np.full_like(image, 255)
        inner = render_page(layout, number, dpi=dpi, student_number=student_number)
        offset = round(margin * s)
        shifted[offset : offset + inner.shape[0], offset : offset + inner.shape[1]] = inner
        half = layout.mark_size / 2
        for x, y in page.anchors:
            _square(shifted, (x + margin) * s, (y + margin) * s, half * s, 0)
        return shifted
    half = layout.mark_size / 2
    for x, y in page.anchors:
        _square(image, x * s, y * s, half * s, 0)
    for k, (x, y) in enumerate(page.bits):
        if number >> k & 1:
            _square(image, x * s, y * s, 1.5 * s, 0)
    if page.qr is not None:
        _qr(image, page.qr, s, qr_text(layout.exam_id, student_number, number))
    thickness = max(1, round(0.25 * s))
    font_scale = layout.bubble_radius * s / 22.0
    for f in layout.fields_on(number):
        for bubble in f.bubbles:
            centre = (round(bubble.x * s), round(bubble.y * s))
            axes = (
                round(layout.bubble_radius * s),
                round(layout.bubble_radius * s * 0.75),
            )
            cv2.ellipse(image, centre, axes, 0, 0, 360, 110, thickness, cv2.LINE_AA)
            (tw, th), _base = cv2.getTextSize(bubble.value, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
            origin = (centre[0] - tw // 2, centre[1] + th // 2)
            cv2.putText(
                image,
                bubble.value,
                origin,
                cv2.FONT_HERSHEY_SIMPLEX,
                font_scale,
                150,
                1,
                cv2.LINE_AA,
            )
    for region in layout.regions_on(number):
        top_left = (int(region.x * s), int(region.y * s))
        bottom_right = (int((region.x + region.width) * s), int((region.y + region.height) * s))
        cv2.rectangle(image, top_left, bottom_right, 60, thickness)
    return image


def _square(image: Image, cx: float, cy: float, half: float, value: int) -> None:
    cv2.rectangle(
        image,
        (round(cx - half), round(cy - half)),
        (round(cx + half) - 1, round(cy + half) - 1),
        value,
        -1,
    )


def _qr(image: Image, box: tuple[float, float, float], s: float, text: str) -> None:
    x, y, size = box
    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=np.uint8)
    modules = cv2.resize(
        (1 - matrix) * 255,
        (round(size * s), round(size * s)),
        interpolation=cv2.INTER_NEAREST,
    )
    y0, x0 = round(y * s), round(x * s)
    image[y0 : y0 + modules.shape[0], x0 : x0 + modules.shape[1]] = modules


def simulate_answers(
    layout: SheetLayout,
    number: int,
    rng: np.random.Generator,
    *,
    student_number: str = "",
    rates: Rates | None = None,
) -> dict[str, SimulatedField]:
    """A random answer for every field of page ``number``, marked in the styles of ``rates``."""
    rates = rates or Rates()
    answers = {}
    for f in layout.fields_on(number):
        values = [b.value for b in f.bubbles]
        if f.label.startswith(STUDENT_FIELD_PREFIX):
            column = int(f.label.removeprefix(STUDENT_FIELD_PREFIX)) - 1
            digit = student_number[column] if column < len(student_number) else ""
            answers[f.label] = SimulatedField(digit, ((digit, "normal"),) if digit else ())
            continue
        answers[f.label] = _simulate_field(f, values, rng, rates)
    return answers


def _simulate_field(
    f: Field, values: list[str], rng: np.random.Generator, rates: Rates
) -> SimulatedField:
    draw = rng.random()
    n_chosen = 2 if f.kind == "multiple" and rng.random() < rates.multiple else 1
    chosen = sorted(rng.choice(len(values), size=n_chosen, replace=False).tolist())
    truth = "".join(values[k] for k in chosen)
    marks: list[tuple[str, Style]] = []
    others = [v for k, v in enumerate(values) if k not in chosen]
    if draw < rates.blank:
        truth = ""
    elif draw < rates.blank + rates.erased_blank:
        marks.append((values[chosen[0]], "residue"))
        truth = ""
    else:
        style: Style = "faint" if rng.random() < rates.faint else "normal"
        marks.extend((values[k], style) for k in chosen)
        if rng.random() < rates.erased_changed and others:
            marks.append((str(rng.choice(others)), "residue"))
    if rng.random() < rates.stray_dot and others:
        dotted = str(rng.choice(others))
        if dotted not in {v for v, _s in marks}:
            marks.append((dotted, "dot"))
    return SimulatedField(truth, tuple(marks))


def fill(
    image: Image,
    layout: SheetLayout,
    number: int,
    answers: dict[str, SimulatedField],
    rng: np.random.Generator,
    *,
    dpi: float,
    margin: float = 0.0,
) -> Image:
    """Pencil the marks of ``answers`` onto a clean page rendered at ``dpi`` (and ``margin``)."""
    out = image.copy()
    s = px_per_mm(dpi) if layout.units == "mm" else dpi
    shift = margin * s
    r = layout.bubble_radius * s
    by_label = {f.label: f for f in layout.fields_on(number)}
    for label, answer in answers.items():
        bubbles = {b.value: b for b in by_label[label].bubbles}
        for value, style in answer.marks:
            bubble = bubbles[value]
            level, spread = PENCIL[style]
            grey = float(np.clip(rng.normal(level, spread), 0, 250))
            if style == "dot":
                offset = rng.uniform(-0.5, 0.5, 2) * r
                centre = (
                    round(bubble.x * s + offset[0] + shift),
                    round(bubble.y * s + offset[1] + shift),
                )
                _stroke(out, centre, (max(1, int(0.35 * s)),) * 2, grey, rng)
                continue
            offset = rng.uniform(-0.25, 0.25, 2) * r
            centre = (
                round(bubble.x * s + offset[0] + shift),
                round(bubble.y * s + offset[1] + shift),
            )
            axes = (round(r * rng.uniform(0.85, 1.05)), round(r * rng.uniform(0.7, 0.85)))
            _stroke(out, centre, axes, grey, rng)
    return out


def _stroke(
    image: Image,
    centre: tuple[int, int],
    axes: tuple[int, int],
    grey: float,
    rng: np.random.Generator,
) -> None:
    """A pencil mark: an ellipse of graphite with grain (darkening, never lightening the paper)."""
    pad = max(axes) + 2
    x0, y0 = max(0, centre[0] - pad), max(0, centre[1] - pad)
    x1, y1 = min(image.shape[1], centre[0] + pad), min(image.shape[0], centre[1] + pad)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.ellipse(mask, (centre[0] - x0, centre[1] - y0), axes, 0, 0, 360, 255, -1, cv2.LINE_AA)
    grain = rng.normal(grey, 12.0, mask.shape)
    weight = mask.astype(np.float64) / 255.0
    patch = image[y0:y1, x0:x1].astype(np.float64)
    marked = np.minimum(patch, grain)
    image[y0:y1, x0:x1] = np.clip(patch * (1 - weight) + marked * weight, 0, 255).astype(np.uint8)


def stray_dots(image: Image, rng: np.random.Generator, *, n: int, dpi: float) -> Image:
    """Pencil dots anywhere on the page."""
    out = image.copy()
    s = px_per_mm(dpi)
    for _k in range(n):
        centre = (
            int(rng.uniform(0.1, 0.9) * out.shape[1]),
            int(rng.uniform(0.15, 0.85) * out.shape[0]),
        )
        _stroke(out, centre, (max(1, int(0.35 * s)),) * 2, 60.0, rng)
    return out


@dataclass(frozen=True)
class Degradation:
    """What the scanner (or phone) does to a page."""

    rotation: float = 0.0  # degrees
    noise: float = 0.0  # grey levels, standard deviation
    blur: float = 0.0  # Gaussian sigma, px at the output resolution
    scale: float = 1.0  # output/input resolution (0.5: 300 → 150 dpi)
    photo: bool = False  # perspective warp onto a table, uneven lighting, JPEG


def degrade(image: Image, rng: np.random.Generator, how: Degradation) -> Image:
    """The page as scanned (or photographed) under ``how``."""
    out: NDArray[Any] = image
    if how.scale != 1.0:
        out = cv2.resize(out, None, fx=how.scale, fy=how.scale, interpolation=cv2.INTER_AREA)
    if how.rotation:
        pad = int(0.05 * max(out.shape))  # the scanner's glass is larger than the page
        out = cv2.copyMakeBorder(out, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        h, w = out.shape
        shift = rng.uniform(-0.01, 0.01, 2) * (w, h)
        matrix = np.asarray(cv2.getRotationMatrix2D((w / 2, h / 2), how.rotation, 1.0), np.float64)
        matrix[:, 2] = matrix[:, 2] + shift
        out = cv2.warpAffine(out, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    if how.photo:
        out = _photo(out, rng)
    if how.blur:
        out = cv2.GaussianBlur(out, (0, 0), how.blur)
    if how.noise:
        out = np.clip(out + rng.normal(0.0, how.noise, out.shape), 0, 255).astype(np.uint8)
    if how.photo:
        jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 85])[1]
        out = np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE))
    return np.asarray(out, dtype=np.uint8)


def _photo(page: Image, rng: np.random.Generator) -> Image:
    """The page photographed from above at a slant on a grey table, lit from one side."""
    h, w = page.shape
    canvas_w, canvas_h = int(w * 1.15), int(h * 1.12)
    margin = np.array([canvas_w - w, canvas_h - h]) / 2
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    jitter = rng.uniform(-0.04, 0.04, (4, 2)) * (w, h)
    target = (source + margin + jitter).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    photo = cv2.warpPerspective(
        page, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR, borderValue=90
    )
    ys, xs = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xs / canvas_w + np.sin(angle) * ys / canvas_h + 1.5) / 3.0
    light = 0.6 + 0.4 * ramp
    return np.asarray(np.clip(photo * light, 0, 255), dtype=np.uint8)
