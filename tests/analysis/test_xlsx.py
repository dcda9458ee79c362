"""The exam report workbook writes imported names as inert text, never as formulas."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import World, build_world
from tests.test_spreadsheets import EVIL_SCHOOL
from yincai.accounts.actors import CLI
from yincai.analysis import service
from yincai.analysis.xlsx import exam_workbook_bytes
from yincai.domain.models import AssessmentItem, School, SchoolClass, Score, Sitting

EVIL_CLASS = "+cmd|' /C calc'!A0"


def poisoned_world(session: Session) -> World:
    """The scope world with a school and a class named like formulas, scores, one absentee."""
    world = build_world(session)
    session.get_one(School, world["S1"]).name = EVIL_SCHOOL
    session.get_one(SchoolClass, world["C1b"]).name = EVIL_CLASS
    item_id = session.scalar(
        select(AssessmentItem.id).where(AssessmentItem.assessment_id == world["E1"])
    )
    for sitting in session.scalars(select(Sitting).where(Sitting.assessment_id == world["E1"])):
        if sitting.student_id == world["B1"]:
            sitting.is_absent, sitting.total_score = True, None
            continue
        assert item_id is not None and sitting.total_score is not None
        session.add(
            Score(
                assessment_item_id=item_id, student_id=sitting.student_id, score=sitting.total_score
            )
        )
    session.flush()
    return world


def test_a_school_named_like_a_formula_is_inert_text_in_the_report(session: Session) -> None:
    poisoned_world(session)
    report = service.exam_report(session, actor=CLI, surface="cli", assessment_code="W-E1")
    workbook = load_workbook(io.BytesIO(exam_workbook_bytes(report)))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    evil = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert evil, "the school's name is in the class comparison"
    assert all(cell.data_type == "s" and cell.value == "'" + EVIL_SCHOOL for cell in evil)
    classes = {c.value for c in cells if isinstance(c.value, str) and "calc" in c.value}
    assert classes == {"'" + EVIL_CLASS, f"'{EVIL_CLASS} 乙一同学"}  # comparison, absentees
    numbers = list(workbook["班级对比"]["C"][1:])
    assert numbers and all(cell.data_type == "n" for cell in numbers)  # counts stay numbers
