"""Scanned pages from files: PNG, JPEG (and anything else OpenCV decodes) or PDF, as grayscale
arrays. A PDF page is rendered at ``PDF_DPI`` with pypdfium2 (the scanner's own resolution is
unknown inside a PDF; 200 dpi reads every sheet and keeps memory low)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from yincai.errors import Invalid
from yincai.i18n import _

PDF_DPI = 200.0
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")
SCAN_SUFFIXES = (*IMAGE_SUFFIXES, ".pdf")


@dataclass(frozen=True)
class ScanPage:
    """One page of a scan file; ``source`` names the file (and page number for a PDF)."""

    source: str
    image: NDArray[np.uint8]


def scan_files(paths: list[Path]) -> list[Path]:
    """The scan files among ``paths``, folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SCAN_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise Invalid(_("找不到文件：{path}").format(path=str(path)), code="omr.no_file")
    return found


def load_pages(path: Path) -> Iterator[ScanPage]:
    """Every page of one file as a grayscale array; ``Invalid`` when it is no image or PDF."""
    data = path.read_bytes()
    if data[:5] == b"%PDF-":
        yield from pdf_pages(data, name=path.name)
        return
    yield ScanPage(path.name, decode_image(data, name=path.name))


def decode_image(data: bytes, *, name: str = "") -> NDArray[np.uint8]:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise Invalid(_("{name} 不是图片或 PDF 文件").format(name=name), code="omr.not_an_image")
    return np.asarray(image, dtype=np.uint8)


def pdf_pages(data: bytes, *, name: str = "", dpi: float = PDF_DPI) -> Iterator[ScanPage]:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise Invalid(
            _("{name} 不是可读的 PDF 文件").format(name=name), code="omr.bad_pdf"
        ) from None
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / 72.0, grayscale=True)
            array = np.array(bitmap.to_numpy(), dtype=np.uint8)
            if array.ndim == 3:
                array = array[:, :, 0]
            yield ScanPage(f"{name}#{index + 1}", array)
    finally:
        document.close()
