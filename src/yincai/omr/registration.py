"""Finding a page in a scan: the four corner marks (or the paper's edge), and the homography that
maps layout units to scan pixels.

The marks are searched for on a copy shrunk to about 40 dpi (a mark is then still 10 px wide),
then each is re-centred on the full-resolution scan. Corner marks are the darkest solid squares
nearest to each corner of the image; that holds for flatbed scans, skew up to ±5° and phone
photos that keep the page's corners in frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.omr.layout import Page, SheetLayout

SEARCH_LONG_SIDE = 480.0  # px of the shrunk copy's long side (≈ 40 dpi for A4)
MIN_FILL = 0.72  # a mark candidate fills at least this share of its bounding box
MAX_ASPECT = 1.8

Image = NDArray[np.uint8]
Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class Registration:
    """The homography from layout units to scan pixels."""

    homography: Matrix


def _unreadable(reason: str) -> Invalid:
    return Invalid(_("无法定位答题卡：{reason}").format(reason=reason), code="omr.unreadable")


def register(image: Image, layout: SheetLayout, page: Page) -> Registration:
    """Locate ``page`` of ``layout`` in ``image``; ``Invalid`` when it cannot be found."""
    if layout.registration == "none":
        return _fit_corners(image, page)
    if layout.registration == "page":
        corners = _page_corners(image)
    else:
        corners = find_marks(image, layout, page)
    anchors = np.array(page.anchors, dtype=np.float64)
    homography = cv2.getPerspectiveTransform(anchors.astype(np.float32), corners.astype(np.float32))
    return Registration(homography.astype(np.float64))


def _fit_corners(image: Image, page: Page) -> Registration:
    height, width = image.shape
    source = np.array(
        [[0, 0], [page.width, 0], [page.width, page.height], [0, page.height]], np.float32
    )
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    return Registration(cv2.getPerspectiveTransform(source, target).astype(np.float64))


def shrink(image: Image) -> tuple[Image, float]:
    """A copy about ``SEARCH_LONG_SIDE`` px long, shrunk by a whole factor (OpenCV's fast path
    for area averaging), and the factor."""
    height, width = image.shape
    factor = max(1, int(max(height, width) // SEARCH_LONG_SIDE))
    if factor == 1:
        return image, 1.0
    size = (width // factor, height // factor)
    small = cv2.resize(
        image[: size[1] * factor, : size[0] * factor], size, interpolation=cv2.INTER_AREA
    )
    return np.asarray(small, dtype=np.uint8), 1.0 / factor


def find_marks(image: Image, layout: SheetLayout, page: Page) -> NDArray[np.float64]:
    """The centres (px) of the four corner marks, clockwise from top-left."""
    small, scale = shrink(image)
    # the mark's expected size in the shrunk copy, if the page filled the image
    px_per_unit = min(small.shape[1] / page.width, small.shape[0] / page.height)
    expected = layout.mark_size * px_per_unit
    block = int(max(15, expected * 4)) | 1
    binary = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 25
    )
    n, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    candidates = []
    for k in range(1, n):
        _x, _y, w, h, area = stats[k]
        side = max(w, h)
        if not 0.45 * expected <= side <= 2.5 * expected:
            continue
        if max(w, h) > MAX_ASPECT * min(w, h) or area < MIN_FILL * w * h:
            continue
        candidates.append((centroids[k][0], centroids[k][1], float(area)))
    if len(candidates) < 4:
        raise _unreadable(_("找不到四个定位标记"))
    points = np.array(candidates, dtype=np.float64)
    corners_small = []
    image_corners = (
        (0, 0),
        (small.shape[1], 0),
        (small.shape[1], small.shape[0]),
        (0, small.shape[0]),
    )
    biggest = np.max(points[:, 2])
    big = points[points[:, 2] >= 0.45 * biggest]  # page-number squares are smaller than marks
    for cx, cy in image_corners:
        distance = np.hypot(big[:, 0] - cx, big[:, 1] - cy)
        corners_small.append(big[int(np.argmin(distance)), :2])
    corners = np.array(corners_small) / scale
    if len({tuple(np.round(c)) for c in corners}) < 4:
        raise _unreadable(_("定位标记不完整"))
    _check_shape(corners, page)
    return np.array([_refine(image, c, expected / scale) for c in corners])


def _check_shape(corners: NDArray[np.float64], page: Page) -> None:
    """The four marks must form a convex quadrilateral with the page's proportions (±25 %)."""
    tl, tr, br, bl = corners
    top, bottom = np.hypot(*(tr - tl)), np.hypot(*(br - bl))
    left, right = np.hypot(*(bl - tl)), np.hypot(*(br - tr))
    anchors = np.array(page.anchors)
    expected = np.hypot(*(anchors[1] - anchors[0])) / np.hypot(*(anchors[3] - anchors[0]))
    found = (top + bottom) / max(left + right, 1e-9)
    if not 0.75 * expected <= found <= 1.25 * expected:
        raise _unreadable(_("定位标记的位置与版式不符"))
    quad = corners.astype(np.float32).reshape(-1, 1, 2)
    if not cv2.isContourConvex(quad):
        raise _unreadable(_("定位标记的位置与版式不符"))


def _refine(image: Image, centre: NDArray[np.float64], size: float) -> NDArray[np.float64]:
    """Re-centre a mark on the full-resolution scan: centroid of the dark blob around it."""
    half = int(size * 1.3) + 2
    x0, y0 = max(0, int(centre[0]) - half), max(0, int(centre[1]) - half)
    x1, y1 = min(image.shape[1], int(centre[0]) + half), min(image.shape[0], int(centre[1]) + half)
    roi = image[y0:y1, x0:x1]
    if roi.size == 0:
        return centre
    _threshold, binary = cv2.threshold(roi, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if n < 2:
        return centre
    local = np.array([centre[0] - x0, centre[1] - y0])
    # the nearest sizeable blob: distance minus a bonus for area (noise specks are tiny)
    score = np.hypot(*(centroids[1:] - local).T) - 0.05 * np.sqrt(stats[1:, 4])
    best = int(np.argmin(score)) + 1
    return np.array([centroids[best][0] + x0, centroids[best][1] + y0], dtype=np.float64)


def _page_corners(image: Image) -> NDArray[np.float64]:
    """The corners of the paper (bright on a darker background), clockwise from top-left."""
    small, scale = shrink(image)
    _threshold, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _hierarchy = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        raise _unreadable(_("找不到纸张边缘"))
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < 0.2 * small.size:
        raise _unreadable(_("找不到纸张边缘"))
    quad = cv2.approxPolyDP(largest, 0.02 * cv2.arcLength(largest, True), True).reshape(-1, 2)
    if len(quad) != 4:
        quad = cv2.boxPoints(cv2.minAreaRect(largest))
    return np.asarray(order_clockwise(np.asarray(quad, dtype=np.float64)) / scale, dtype=np.float64)


def order_clockwise(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    total = points.sum(axis=1)
    difference = np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(difference)],
            points[np.argmax(total)],
            points[np.argmax(difference)],
        ]
    )
