"""``yincai marking``: demo answers marked by simulated markers, the progress table, closing
an item into the hub."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.marking.world import build_marking_world
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Assessment, AssessmentItem, Item, ItemType, Score
from yincai.marking import cli
from yincai.omr.layout import SheetLayout


def test_demo_status_and_close(make_database: Callable[[], Settings]) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with Session(engine) as session:
        mw = build_marking_world(session, n_students=4, n_markers=2)
        session.commit()
    runner = CliRunner()
    built = runner.invoke(
        cli.app,
        [
            "demo",
            "W-MK1",
            "--markers",
            "w-marker1,w-marker2",
            "--leader",
            "w-marker0",
            "--mode",
            "single",
            "--simulate",
        ],
        obj=settings,
    )
    assert built.exit_code == 0, built.output
    assert "3 道题" in built.output
    status = runner.invoke(cli.app, ["status", "W-MK1"], obj=settings)
    assert status.exit_code == 0, status.output
    assert "阅卷中" in status.output and "阅卷教师1" in status.output
    missing = runner.invoke(cli.app, ["close", "W-MK1", "99"], obj=settings)
    assert missing.exit_code == 2
    closed = runner.invoke(cli.app, ["close", "W-MK1", "13"], obj=settings)
    assert closed.exit_code == 0, closed.output
    with Session(engine) as session:
        n_scores = len(
            session.scalars(select(Score).where(Score.assessment_item_id == mw.item_ids[0])).all()
        )
    engine.dispose()
    assert n_scores == 4


def test_sheet_print_writes_the_pdf_and_the_layout_of_the_assessments_items(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with Session(engine) as session:
        build_marking_world(session, n_students=4, n_markers=2)
        exam = session.scalars(select(Assessment).where(Assessment.code == "W-MK1")).one()
        choice = Item(code="W-MK1-Q1", subject_id=exam.subject_id, stem="?", answer="B",
                      item_type=ItemType.SINGLE_CHOICE, options=list("12345"),
                      full_score=3.0)  # fmt: skip
        session.add(choice)
        session.flush()
        first = session.scalars(
            select(AssessmentItem).where(
                AssessmentItem.assessment_id == exam.id, AssessmentItem.label == "1"
            )
        ).one()
        first.item_id = choice.id
        session.commit()
    engine.dispose()
    runner = CliRunner()
    root = typer.Typer()  # ``yincai sheet …`` as the root app mounts it (a one-command app alone
    root.add_typer(cli.sheet_app, name="sheet")  # would take its command's place)
    pdf, layout_file = tmp_path / "sheet.pdf", tmp_path / "layout.json"
    printed = runner.invoke(
        root,
        ["sheet", "print", "W-MK1", "-o", str(pdf), "--paper", "A3", "--layout", str(layout_file)],
        obj=settings,
    )
    missing = runner.invoke(root, ["sheet", "print", "NOPE", "-o", str(pdf)], obj=settings)
    assert printed.exit_code == 0, printed.output
    layout = SheetLayout.from_json(layout_file.read_text(encoding="utf-8"))
    assert layout.exam_id == "W-MK1" and layout.columns == 2
    choices = [field for field in layout.fields if field.label == "1"]
    assert len(choices) == 1 and choices[0].kind == "single" and len(choices[0].bubbles) == 5
    assert [region.label for region in layout.regions] == ["13", "14"]
    assert len(PdfReader(pdf).pages) == len(layout.pages)
    assert missing.exit_code == 1 and "NOPE" in missing.output
