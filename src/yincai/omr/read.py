"""Reading one scanned page: find it, identify it and its student, read every bubble, cut out every
subjective region.

``read_page`` does the pixel work and is pure (no roster, no files); ``yincai.omr.batch`` joins
pages into sheets and checks students against the roster the caller supplies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.omr.bubbles import (
    CANONICAL_RADIUS,
    Calibration,
    FieldReading,
    bubble_states,
    calibrate,
    integral_of,
    interpret,
    normalise,
    sample,
)
from yincai.omr.layout import STUDENT_GROUP, Field, Page, SheetLayout
from yincai.omr.registration import Registration, register

QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
QR_PREFIX = "YC1"  # QR text: YC1|<exam id>|<student number or empty>|<page>
QR_PX_PER_UNIT = 10.0  # the QR is re-sampled at 10 px/mm (254 dpi) before decoding
QR_QUIET = 3.0  # mm of white around the code included in the crop
CROP_PX_PER_MM = 6.0  # subjective crops at ≈150 dpi: legible handwriting, small files
BIT_DARK = 0.45  # a page-number square is printed solid: half dark is the cut

Image = NDArray[np.uint8]


@dataclass(frozen=True)
class QrContent:
    exam_id: str
    student_number: str
    page: int


def qr_text(exam_id: str, student_number: str, page: int) -> str:
    """What the QR code of a printed page says (one rule for the printer and the reader)."""
    return f"{QR_PREFIX}|{exam_id}|{student_number}|{page}"


def parse_qr(text: str) -> QrContent | None:
    parts = text.split("|")
    if len(parts) != 4 or parts[0] != QR_PREFIX or not parts[3].isdigit():
        return None
    return QrContent(parts[1], parts[2], int(parts[3]))


@dataclass(frozen=True)
class PageReading:
    """Everything read from one page. ``student_source``: "qr", "bubbles", "scan_order" (a later
    page following its first page through the scanner) or "" (unknown)."""

    source: str
    page: int
    exam_id: str
    student_number: str
    student_source: str
    fields: tuple[FieldReading, ...]
    joined: dict[str, str]
    calibration: Calibration
    flags: tuple[str, ...] = ()
    crops: dict[str, bytes] = field(default_factory=dict)  # region label → PNG
    # the bubbles of each field in review, as scanned (PNG): a person decides from the paper
    field_crops: dict[str, bytes] = field(default_factory=dict)

    def answers(self) -> dict[str, str]:
        return {f.label: f.value for f in self.fields if not f.label.startswith(STUDENT_GROUP)}

    def review(self) -> dict[str, tuple[str, ...]]:
        """Fields whose reading a person must confirm, with why."""
        return {
            f.label: f.flags
            for f in self.fields
            if f.flags and not (f.label.startswith(STUDENT_GROUP) and self.student_source == "qr")
        }


def canonical_scale(layout: SheetLayout) -> float:
    """Canonical px per layout unit."""
    return CANONICAL_RADIUS / layout.bubble_radius


def warp(
    image: Image,
    homography: NDArray[np.float64],
    scale: float,
    box: tuple[float, float, float, float],
) -> Image:
    """The part ``box`` (x, y, width, height, layout units) of the page at ``scale`` px/unit."""
    x, y, width, height = box
    to_box = np.array([[1 / scale, 0, x], [0, 1 / scale, y], [0, 0, 1]], dtype=np.float64)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    warped = cv2.warpPerspective(
        image,
        homography @ to_box,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(warped, dtype=np.uint8)


def read_page(
    image: Image, layout: SheetLayout, *, source: str = "", with_crops: bool = True
) -> PageReading:
    """Read one page of ``layout`` from a grayscale scan; ``Invalid`` when it is not one."""
    if image.ndim != 2 or image.dtype != np.uint8 or min(image.shape) < 32:
        raise Invalid(_("不是可识别的灰度图像"), code="omr.not_an_image")
    scale = canonical_scale(layout)
    try:
        image, registration, darkness_map, number = _locate(image, layout, scale)
    except Invalid as problem:
        if problem.code != "omr.unknown_page":
            raise
        # fed upside down: the marks are found, but the page-number squares are not there
        turned = np.asarray(cv2.rotate(image, cv2.ROTATE_180), dtype=np.uint8)
        image, registration, darkness_map, number = _locate(turned, layout, scale)
    qr = (
        _read_qr(image, registration.homography, layout.page(number))
        if layout.units == "mm"
        else None
    )
    fields = layout.fields_on(number)
    readings = _read_fields(fields, darkness_map, scale)
    calibration = readings[1]
    joined = {
        name: "".join(
            r.value if len(r.value) == 1 else "?" for r in readings[0] if r.label in labels
        )
        for name, labels in layout.joins.items()
    }
    student, student_source, flags = _identify(readings[0], joined, qr, layout)
    crops = _crops(image, registration.homography, layout, number) if with_crops else {}
    doubtful = [r.label for r in readings[0] if r.flags]
    field_crops = _field_crops(image, registration.homography, layout, number, doubtful)
    return PageReading(
        source=source,
        page=number,
        exam_id=qr.exam_id if qr else layout.exam_id,
        student_number=student,
        student_source=student_source,
        fields=readings[0],
        joined=joined,
        calibration=calibration,
        flags=flags,
        crops=crops,
        field_crops=field_crops,
    )


def _locate(
    image: Image, layout: SheetLayout, scale: float
) -> tuple[Image, Registration, NDArray[np.float64], int]:
    """The page in the scan: its registration, its darkness (as an integral image), its number."""
    first = layout.pages[0]
    registration = register(image, layout, first)
    canonical = warp(image, registration.homography, scale, (0.0, 0.0, first.width, first.height))
    darkness_map = integral_of(normalise(canonical, CANONICAL_RADIUS))
    return image, registration, darkness_map, _page_number(layout, first, darkness_map, scale)


def _page_number(
    layout: SheetLayout, page: Page, darkness: NDArray[np.float64], scale: float
) -> int:
    if not page.bits or (len(layout.pages) == 1 and not page.bits):
        return page.number
    centres = np.array(page.bits, dtype=np.float64) * scale
    values = sample(darkness, centres, CANONICAL_RADIUS * 0.6)
    number = int(sum(1 << k for k, v in enumerate(values) if v > BIT_DARK))
    if number not in {p.number for p in layout.pages}:
        raise Invalid(
            _("页码标记无法识别（读到第 {page} 页）").format(page=number), code="omr.unknown_page"
        )
    return number


def _read_fields(
    fields: tuple[Field, ...], darkness_map: NDArray[np.float64], scale: float
) -> tuple[tuple[FieldReading, ...], Calibration]:
    if not fields:
        return (), Calibration(0.0, 1.0)
    centres = np.array([(b.x, b.y) for f in fields for b in f.bubbles], dtype=np.float64) * scale
    darkness = sample(darkness_map, centres, CANONICAL_RADIUS)
    calibration = calibrate(darkness)
    states, confidence = bubble_states(darkness, calibration)
    readings = []
    start = 0
    for f in fields:
        end = start + len(f.bubbles)
        readings.append(interpret(f, darkness[start:end], states[start:end], confidence[start:end]))
        start = end
    return tuple(readings), calibration


def _read_qr(image: Image, homography: NDArray[np.float64], page: Page) -> QrContent | None:
    if page.qr is None:
        return None
    x, y, size = page.qr
    box = (x - QR_QUIET, y - QR_QUIET, size + 2 * QR_QUIET, size + 2 * QR_QUIET)
    crop = warp(image, homography, QR_PX_PER_UNIT, box)
    for candidate in (crop, cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]):
        for result in zxingcpp.read_barcodes(candidate, formats=QR_FORMATS):
            content = parse_qr(result.text)
            if content is not None:
                return content
    return None


def _identify(
    readings: tuple[FieldReading, ...],
    joined: dict[str, str],
    qr: QrContent | None,
    layout: SheetLayout,
) -> tuple[str, str, tuple[str, ...]]:
    """The student: the QR's number first, the bubbled digits as fallback."""
    bubbled = joined.get(STUDENT_GROUP, "")
    bubbles_ok = (
        bool(bubbled)
        and "?" not in bubbled
        and not any(r.flags for r in readings if r.label in layout.joins.get(STUDENT_GROUP, ()))
    )
    flags: list[str] = []
    if qr is not None and qr.student_number:
        if bubbles_ok and bubbled != qr.student_number:
            flags.append("student_mismatch")
        return qr.student_number, "qr", tuple(flags)
    if bubbles_ok:
        return bubbled, "bubbles", ()
    if STUDENT_GROUP in layout.joins:
        flags.append("student_unreadable")
    return "", "", tuple(flags)


def _field_crops(
    image: Image,
    homography: NDArray[np.float64],
    layout: SheetLayout,
    number: int,
    labels: list[str],
) -> dict[str, bytes]:
    """The scanned bubbles of the fields ``labels``: a bubble's width beside them, and above and
    below only a sliver (the rows of the next items are close)."""
    scale = CROP_PX_PER_MM if layout.units == "mm" else 1.0
    margin, sliver = 2.0 * layout.bubble_radius, 1.3 * layout.bubble_radius
    crops = {}
    for spec in layout.fields_on(number):
        if spec.label not in labels:
            continue
        xs = [b.x for b in spec.bubbles]
        ys = [b.y for b in spec.bubbles]
        box = (
            min(xs) - margin,
            min(ys) - sliver,
            max(xs) - min(xs) + 2 * margin,
            max(ys) - min(ys) + 2 * sliver,
        )
        ok, png = cv2.imencode(".png", warp(image, homography, scale, box))
        if ok:
            crops[spec.label] = png.tobytes()
    return crops


def _crops(
    image: Image, homography: NDArray[np.float64], layout: SheetLayout, number: int
) -> dict[str, bytes]:
    scale = CROP_PX_PER_MM if layout.units == "mm" else 1.0
    crops = {}
    for region in layout.regions_on(number):
        crop = warp(image, homography, scale, (region.x, region.y, region.width, region.height))
        ok, png = cv2.imencode(".png", crop)
        if ok:
            crops[region.label] = png.tobytes()
    return crops
