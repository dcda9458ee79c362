"""A batch of scan files: multi-page sheets joined per student, duplicates, unreadable pages,
unknown students and unidentified pages reported; PNG, JPEG and PDF files and folders read, in
worker processes too; ``yincai omr read`` writes the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from yincai.omr.batch import join, read_files
from yincai.omr.layout import ItemSpec, SheetLayout, build_layout
from yincai.omr.simulate import Degradation, degrade, fill, render_page, simulate_answers

DPI = 120.0


@pytest.fixture(scope="module")
def layout() -> SheetLayout:
    items = [ItemSpec(str(k + 1), "single", 3.0) for k in range(20)]
    items += [ItemSpec(f"E{k + 1}", "essay", 15.0) for k in range(4)]
    return build_layout(items, exam_id="B1", student_number_width=6)


def _page(
    layout: SheetLayout, number: int, student: str, seed: int, *, qr: bool = True
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    page = render_page(layout, number, dpi=DPI, student_number=student if qr else "")
    answers = simulate_answers(layout, number, rng, student_number=student)
    return degrade(
        fill(page, layout, number, answers, rng, dpi=DPI), rng, Degradation(rotation=1.0)
    )


@pytest.fixture(scope="module")
def scans(layout: SheetLayout, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    assert len(layout.pages) == 2
    for k, student in enumerate(("100001", "100002")):
        for number in (1, 2):
            cv2.imwrite(
                str(folder / f"{student}-{number}.png"),
                _page(layout, number, student, k * 10 + number),
            )
    cv2.imwrite(str(folder / "100003-1.jpg"), _page(layout, 1, "100003", 30))  # page 2 missing
    cv2.imwrite(str(folder / "100001-1-again.png"), _page(layout, 1, "100001", 40))  # rescanned
    cv2.imwrite(str(folder / "blank.png"), np.full((800, 600), 255, np.uint8))
    (folder / "notes.png").write_bytes(b"this is not an image")
    page2_no_qr = _page(layout, 2, "100009", 50, qr=False)  # page 2 has no student number bubbles
    cv2.imwrite(str(folder / "stray-2.png"), page2_no_qr)
    return folder


def test_pages_are_joined_per_student_and_every_problem_reported(
    layout: SheetLayout, scans: Path
) -> None:
    batch = read_files([scans], layout, is_known=lambda number: number != "100003", workers=2)
    assert [s.student_number for s in batch.sheets] == ["100001", "100002", "100003"]
    first = batch.sheets[0]
    assert sorted(first.pages) == [1, 2] and first.missing_pages == ()
    assert set(first.crops()) == {"E1", "E2", "E3", "E4"}
    assert all(png.startswith(b"\x89PNG") for png in first.crops().values())
    assert len(first.answers()) == 20
    problems = {(p.source, p.code) for p in batch.problems}
    assert ("100001-1-again.png", "duplicate") in problems or (
        "100001-1.png",
        "duplicate",
    ) in problems
    assert ("blank.png", "unreadable") in problems
    assert ("notes.png", "unreadable") in problems
    assert ("stray-2.png", "unidentified") in problems
    assert ("100003-1.jpg", "missing_page") in problems
    assert ("100003-1.jpg", "unknown_student") in problems
    assert batch.sheets[2].is_known is False
    assert [p.page for p in batch.unidentified] == [2]
    assert batch.n_pages == 9


def test_a_pdf_of_scans_reads_like_its_images(layout: SheetLayout, tmp_path: Path) -> None:
    from weasyprint import HTML

    images = []
    for number in (1, 2):
        path = tmp_path / f"p{number}.png"
        cv2.imwrite(str(path), _page(layout, number, "100005", number))
        images.append(f'<img src="{path.as_uri()}" style="width:210mm;height:297mm;display:block">')
    html = "<style>@page{size:A4;margin:0}body{margin:0}</style>" + "".join(images)
    pdf = tmp_path / "scans.pdf"
    pdf.write_bytes(HTML(string=html, base_url=str(tmp_path)).write_pdf())
    batch = read_files([pdf], layout, workers=1)
    assert [s.student_number for s in batch.sheets] == ["100005"]
    assert sorted(batch.sheets[0].pages) == [1, 2]


def test_the_command_writes_roll_numbers_answers_confidences_and_review(
    layout: SheetLayout, scans: Path, tmp_path: Path
) -> None:
    from yincai.cli import app

    template = tmp_path / "layout.json"
    template.write_text(layout.to_json(), encoding="utf-8")
    out = tmp_path / "out.json"
    one = scans / "100002-1.png"
    result = CliRunner().invoke(
        app, ["omr", "read", "--template", str(template), "--json", str(out), str(one)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    sheet = data["sheets"][0]
    assert sheet["roll_number"] == "100002"
    assert set(sheet["answers"]) == {str(k) for k in range(1, 21)}
    field = sheet["pages"][0]["fields"]["1"]
    assert len(field["confidence"]) == 4 and all(0.0 <= c <= 1.0 for c in field["confidence"])
    assert sheet["missing_pages"] == [2]
    assert any(p["code"] == "missing_page" for p in data["problems"])


def test_the_command_refuses_a_file_that_is_no_template(tmp_path: Path) -> None:
    from yincai.cli import app

    template = tmp_path / "t.json"
    template.write_text('{"something": 1}', encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "omr",
            "read",
            "--template",
            str(template),
            "--json",
            str(tmp_path / "o.json"),
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "OMRChecker" in result.output


def test_a_later_page_without_a_readable_qr_joins_the_sheet_scanned_just_before() -> None:
    from yincai.omr.bubbles import Calibration
    from yincai.omr.read import PageReading

    def page(number: int, student: str, source: str) -> PageReading:
        return PageReading(
            source, number, "X", student, "qr" if student else "", (), {}, Calibration(0, 1)
        )

    two_pages = build_layout(
        [ItemSpec("1", "single", 3.0), *(ItemSpec(f"E{k}", "essay", 30.0) for k in range(3))],
        exam_id="X",
    )
    assert len(two_pages.pages) >= 2
    batch = join([page(1, "7", "a"), page(2, "", "b"), page(2, "", "c")], two_pages)
    assert sorted(batch.sheets[0].pages) == [1, 2]
    assert batch.sheets[0].pages[2].student_source == "scan_order"
    assert [p.source for p in batch.unidentified] == ["c"]  # page 2 of this sheet is taken
