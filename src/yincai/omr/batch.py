"""A batch of scans: pages read in parallel over processes, joined into one sheet per student,
with every page that could not be used reported (unreadable, duplicate, unidentified, unknown
student, another exam's sheet).

The pixel work runs in worker processes (``read_files``); the roster check runs in the caller's
process through ``is_known``, so a database session never crosses a process boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path

from yincai.errors import YincaiError
from yincai.i18n import _
from yincai.omr.layout import SheetLayout
from yincai.omr.read import PageReading, read_page
from yincai.omr.scans import ScanPage, load_pages, scan_files


@dataclass(frozen=True)
class Problem:
    """A page that did not become part of a sheet, or a sheet that needs a person."""

    source: str
    code: str  # unreadable · duplicate · unidentified · unknown_student · other_exam · missing_page
    reason: str  # a Message: translated where it is shown


@dataclass
class Sheet:
    """One student's sheet: its pages joined, answers, fields to review."""

    student_number: str
    pages: dict[int, PageReading] = field(default_factory=dict)
    missing_pages: tuple[int, ...] = ()
    is_known: bool | None = None  # against the roster, when one was given

    def answers(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for number in sorted(self.pages):
            merged.update(self.pages[number].answers())
        return merged

    def review(self) -> dict[str, tuple[str, ...]]:
        merged: dict[str, tuple[str, ...]] = {}
        for number in sorted(self.pages):
            merged.update(self.pages[number].review())
        return merged

    def crops(self) -> dict[str, bytes]:
        merged: dict[str, bytes] = {}
        for number in sorted(self.pages):
            merged.update(self.pages[number].crops)
        return merged


@dataclass
class Batch:
    sheets: list[Sheet]
    problems: list[Problem]
    unidentified: list[PageReading]
    n_pages: int


def read_scan_pages(
    pages: Iterable[ScanPage], layout: SheetLayout, *, with_crops: bool = True
) -> list[PageReading | Problem]:
    """Read each page; a page that cannot be read becomes a ``Problem``."""
    results: list[PageReading | Problem] = []
    for page in pages:
        try:
            results.append(read_page(page.image, layout, source=page.source, with_crops=with_crops))
        except YincaiError as error:
            results.append(Problem(page.source, "unreadable", error.message))
    return results


def _read_file(path: str, layout_json: str, with_crops: bool) -> list[PageReading | Problem]:
    """Worker: every page of one file (runs in a child process, OpenCV on one thread)."""
    import cv2

    cv2.setNumThreads(1)
    layout = SheetLayout.from_json(layout_json)
    try:
        return read_scan_pages(load_pages(Path(path)), layout, with_crops=with_crops)
    except YincaiError as error:
        return [Problem(Path(path).name, "unreadable", error.message)]


def read_files(
    paths: list[Path],
    layout: SheetLayout,
    *,
    is_known: Callable[[str], bool] | None = None,
    workers: int | None = None,
    with_crops: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> Batch:
    """Read scan files (folders searched) in ``workers`` processes (1: in this process) and
    join the sheets; ``on_progress(done, total)`` after each file, for a job's progress bar."""
    paths = scan_files(paths)
    readings: list[PageReading | Problem] = []
    layout_json = layout.to_json()
    if workers == 1 or len(paths) <= 1:
        for done, path in enumerate(paths, start=1):
            readings.extend(_read_file(str(path), layout_json, with_crops))
            if on_progress is not None:
                on_progress(done, len(paths))
    else:
        # spawned, not forked: a fork copies OpenCV's thread pool mid-use and can deadlock
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_read_file, str(p), layout_json, with_crops) for p in paths]
            for done, future in enumerate(futures, start=1):
                readings.extend(future.result())
                if on_progress is not None:
                    on_progress(done, len(paths))
    return join(readings, layout, is_known=is_known)


def _by_scan_order(
    reading: PageReading, previous: PageReading | None, sheets: dict[str, Sheet]
) -> PageReading:
    """A later page whose QR code cannot be read (it has no student-number bubbles) belongs to
    the sheet scanned just before it, when that sheet still lacks this page: sheets go through
    the scanner page by page. The page says so (``student_source`` "scan_order")."""
    if reading.student_number or previous is None or reading.page <= previous.page:
        return reading
    sheet = sheets.get(previous.student_number)
    if sheet is None or reading.page in sheet.pages:
        return reading
    return replace(reading, student_number=previous.student_number, student_source="scan_order")


def join(
    readings: Iterable[PageReading | Problem],
    layout: SheetLayout,
    *,
    is_known: Callable[[str], bool] | None = None,
) -> Batch:
    """Pages joined per student; duplicates, other exams and unidentified pages reported."""
    sheets: dict[str, Sheet] = {}
    problems: list[Problem] = []
    unidentified: list[PageReading] = []
    n_pages = 0
    previous: PageReading | None = None  # the page scanned just before, when it was identified
    for item in readings:
        n_pages += 1
        if isinstance(item, Problem):
            problems.append(item)
            previous = None
            continue
        reading = _by_scan_order(item, previous, sheets)
        previous = reading if reading.student_number else None
        if reading.exam_id != layout.exam_id:
            reason = _("这是另一场考试（{exam}）的答题卡").format(exam=reading.exam_id)
            problems.append(Problem(reading.source, "other_exam", reason))
            continue
        if not reading.student_number:
            unidentified.append(reading)
            problems.append(Problem(reading.source, "unidentified", _("无法识别考生")))
            continue
        sheet = sheets.setdefault(reading.student_number, Sheet(reading.student_number))
        if reading.page in sheet.pages:
            reason = _("与 {other} 重复（同一考生同一页）").format(
                other=sheet.pages[reading.page].source
            )
            problems.append(Problem(reading.source, "duplicate", reason))
            continue
        sheet.pages[reading.page] = reading
    all_pages = {page.number for page in layout.pages}
    for sheet in sheets.values():
        sheet.missing_pages = tuple(sorted(all_pages - set(sheet.pages)))
        first = sheet.pages[min(sheet.pages)].source
        if sheet.missing_pages:
            reason = _("缺少第 {pages} 页").format(pages="、".join(map(str, sheet.missing_pages)))
            problems.append(Problem(first, "missing_page", reason))
        if is_known is not None:
            sheet.is_known = is_known(sheet.student_number)
            if not sheet.is_known:
                problems.append(Problem(first, "unknown_student", _("考生不在名单中")))
    ordered = [sheets[number] for number in sorted(sheets)]
    return Batch(ordered, problems, unidentified, n_pages)
