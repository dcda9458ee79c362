"""OMRChecker ``template.json`` layouts (written here from the format's documentation) and scans
generated for them read correctly; a template the reader cannot honour is refused clearly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from yincai.errors import Invalid
from yincai.omr.layout import STUDENT_GROUP
from yincai.omr.omrchecker import load_template, parse_labels, template_layout
from yincai.omr.read import read_page
from yincai.omr.simulate import Degradation, degrade, fill, render_page, simulate_answers


def _template(preprocessor: dict[str, Any]) -> dict[str, Any]:
    return {
        "pageDimensions": [1000, 1300],
        "bubbleDimensions": [30, 30],
        "preProcessors": [preprocessor],
        "customLabels": {"Roll": ["Medium", "roll1..6"], "q31": ["q31_1", "q31_2"]},
        "fieldBlocks": {
            "Medium": {
                "bubbleValues": ["E", "H"],
                "direction": "vertical",
                "origin": [60, 80],
                "fieldLabels": ["Medium"],
                "bubblesGap": 45,
                "labelsGap": 0,
            },
            "Roll": {
                "fieldType": "QTYPE_INT",
                "origin": [130, 80],
                "fieldLabels": ["roll1..6"],
                "bubblesGap": 40,
                "labelsGap": 45,
            },
            "Int31": {
                "fieldType": "QTYPE_INT_FROM_1",
                "origin": [700, 80],
                "fieldLabels": ["q31_1", "q31_2"],
                "bubblesGap": 40,
                "labelsGap": [50],
            },
            "MCQ1": {
                "fieldType": "QTYPE_MCQ4",
                "origin": [100, 560],
                "fieldLabels": ["q1..15"],
                "bubblesGap": 45,
                "labelsGap": 45,
            },
            "MCQ2": {
                "fieldType": "QTYPE_MCQ5",
                "origin": [550, 560],
                "fieldLabels": ["q16..30"],
                "bubblesGap": 45,
                "labelsGap": 45,
            },
        },
    }


MARKERS = {
    "name": "CropOnMarkers",
    "options": {"relativePath": "omr_marker.jpg", "sheetToMarkerWidthRatio": 17},
}


def test_labels_ranges_blocks_and_custom_labels_become_the_layout() -> None:
    layout = load_template(json.dumps(_template(MARKERS)))
    labels = [f.label for f in layout.fields]
    assert labels[:2] == ["Medium", "roll1"] and "q30" in labels and len(labels) == 1 + 6 + 2 + 30
    assert parse_labels(["q1..3", "x"]) == ["q1", "q2", "q3", "x"]
    q1 = next(f for f in layout.fields if f.label == "q1")
    assert [b.value for b in q1.bubbles] == ["A", "B", "C", "D"]
    # horizontal: bubbles 45 px apart along x, centred in their 30 px box
    assert [(b.x, b.y) for b in q1.bubbles[:2]] == [(115.0, 575.0), (160.0, 575.0)]
    q2 = next(f for f in layout.fields if f.label == "q2")
    assert q2.bubbles[0].y == 620.0
    roll2 = next(f for f in layout.fields if f.label == "roll2")
    assert [b.value for b in roll2.bubbles][:3] == ["0", "1", "2"]
    assert (roll2.bubbles[1].x, roll2.bubbles[1].y) == (190.0, 135.0)  # vertical: digits down
    q31 = next(f for f in layout.fields if f.label == "q31_1")
    assert q31.bubbles[0].value == "1" and q31.bubbles[-1].value == "0"
    assert layout.joins[STUDENT_GROUP] == ("Medium", *(f"roll{k}" for k in range(1, 7)))
    assert layout.registration == "marks"


@pytest.mark.parametrize(
    ("preprocessor", "how"),
    [
        (MARKERS, Degradation()),
        (MARKERS, Degradation(rotation=3.0, noise=8.0, blur=2.0)),
        (MARKERS, Degradation(scale=0.6, photo=True, noise=4.0)),
        (
            {"name": "CropPage", "options": {"morphKernel": [10, 10]}},
            Degradation(scale=0.6, photo=True),
        ),
    ],
)
def test_generated_omrchecker_scans_read_correctly(
    preprocessor: dict[str, Any], how: Degradation
) -> None:
    layout = template_layout(_template(preprocessor))
    rng = np.random.default_rng(11)
    answers = simulate_answers(layout, 1, rng)
    if layout.registration == "marks":  # the paper extends beyond the markers' centres
        page = render_page(layout, 1, dpi=1.0, margin=60.0)
        page = fill(page, layout, 1, answers, rng, dpi=1.0, margin=60.0)
    else:
        page = fill(_plain_page(layout), layout, 1, answers, rng, dpi=1.0)
    reading = read_page(degrade(page, rng, how), layout)
    read = {f.label: f.value for f in reading.fields}
    assert read == {label: answer.truth for label, answer in answers.items()}
    expected_roll = "".join(answers[m].truth or "?" for m in layout.joins["Roll"])
    assert reading.joined["Roll"] == expected_roll


def _plain_page(layout: Any) -> np.ndarray:
    """A page with bubbles only (no markers): CropPage finds it by its edges."""
    page = render_page(layout, 1, dpi=1.0)
    for x, y in layout.pages[0].anchors:  # render_page drew marks on the corners: remove them
        x0, y0 = int(max(0, x - 40)), int(max(0, y - 40))
        page[y0 : int(y + 40), x0 : int(x + 40)] = 255
    return page


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"fieldType": "QTYPE_MCQ7"}, "omr.unknown_field_type"),
        ({"fieldLabels": "q1..3", "origin": "here"}, "omr.bad_template"),
    ],
)
def test_a_template_with_an_unknown_field_type_or_broken_block_is_refused(
    change: dict[str, Any], code: str
) -> None:
    template = _template(MARKERS)
    template["fieldBlocks"]["MCQ1"].update(change)
    with pytest.raises(Invalid) as error:
        template_layout(template)
    assert error.value.code == code


def test_an_aligner_we_do_not_implement_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        template_layout(
            _template({"name": "FeatureBasedAlignment", "options": {"reference": "r.jpg"}})
        )
    assert error.value.code == "omr.bad_template"


def test_the_command_reads_a_folder_against_an_omrchecker_template(tmp_path: Path) -> None:
    import cv2
    from typer.testing import CliRunner

    from yincai.cli import app

    template = _template(MARKERS)
    (tmp_path / "template.json").write_text(json.dumps(template), encoding="utf-8")
    layout = template_layout(template)
    rng = np.random.default_rng(2)
    answers = simulate_answers(layout, 1, rng)
    page = fill(
        render_page(layout, 1, dpi=1.0, margin=60.0), layout, 1, answers, rng, dpi=1.0, margin=60.0
    )
    scans = tmp_path / "scans"
    scans.mkdir()
    cv2.imwrite(str(scans / "sheet.jpg"), degrade(page, rng, Degradation(rotation=2.0)))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        app,
        [
            "omr",
            "read",
            "--template",
            str(tmp_path / "template.json"),
            "--json",
            str(out),
            str(scans),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    expected = "".join(answers[m].truth for m in layout.joins["Roll"])
    assert len(expected) == 7
    assert data["sheets"][0]["roll_number"] == expected
    assert data["sheets"][0]["answers"]["q7"] == answers["q7"].truth
