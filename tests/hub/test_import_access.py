"""Who may import what is decided by the hub (not by the pages), and each step is audited."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.governance.demo_actors import audit_rows_since, last_audit_id
from tests.governance.world import actor, build_world
from yincai.accounts.actors import CLI
from yincai.errors import Forbidden, Invalid
from yincai.hub import import_access


def test_only_district_admins_import_district_data_and_teachers_only_their_classes_scores(
    session: Session,
) -> None:
    world = build_world(session)
    teacher = actor(session, world, "teacher")
    admin = actor(session, world, "district_admin")
    assert import_access.import_kinds(teacher) == ("scores",)
    assert "roster" in import_access.import_kinds(admin)
    with pytest.raises(Forbidden):
        import_access.authorize_import(session, actor=teacher, kind="roster", assessment_code=None)
    with pytest.raises(Forbidden):
        import_access.import_kinds(actor(session, world, "parent"))
    with pytest.raises(Invalid):
        import_access.authorize_import(session, actor=admin, kind="grades", assessment_code=None)
    allowed = import_access.authorize_import(
        session, actor=teacher, kind="scores", assessment_code="W-E1"
    )
    assert allowed == frozenset({world["C1a"]})  # E1 was sat by three classes; T1 teaches one
    with pytest.raises(Forbidden):  # another district's exam
        import_access.authorize_import(
            session, actor=teacher, kind="scores", assessment_code="W-E9"
        )


def test_a_score_sheet_with_students_names_only_the_teachers_class_and_is_audited_once(
    session: Session,
) -> None:
    world = build_world(session)
    teacher = actor(session, world, "teacher")
    before = last_audit_id(session)
    data = import_access.import_template(
        session, actor=teacher, kind="scores", assessment_code="W-E1"
    )
    rows = audit_rows_since(session, before)
    cells = [
        str(cell)
        for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert world.names["A1"][1] in cells and world.names["B1"][1] not in cells
    assert [(r.action, r.object_id, r.user_account_id) for r in rows] == [
        ("score_template", str(world["E1"]), teacher.id)
    ]


def test_a_refused_preview_is_audited_and_the_refusal_raised(
    session: Session, tmp_path: Path
) -> None:
    world = build_world(session)
    admin = actor(session, world, "district_admin")
    path = tmp_path / "roster.csv"
    path.write_text("nonsense\n1\n", encoding="utf-8")
    before = last_audit_id(session)
    with pytest.raises(Invalid):
        import_access.preview_upload(
            session,
            actor=admin,
            kind="roster",
            path=path,
            token="0" * 32,
            assessment_code=None,
            log_format="csv",
        )
    rows = audit_rows_since(session, before)
    assert [(r.action, r.object_type) for r in rows] == [
        ("import_preview_rejected", "import_roster")
    ]


def test_the_command_lines_score_sheet_lists_every_class_that_sat_audited_as_the_system(
    session: Session,
) -> None:
    world = build_world(session)
    before = last_audit_id(session)
    data = import_access.import_template(session, actor=CLI, kind="scores", assessment_code="W-E1")
    rows = audit_rows_since(session, before)
    cells = {
        str(cell)
        for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True)
        for cell in row
    }
    assert {world.names[key][1] for key in ("A1", "A2", "B1", "Z1")} <= cells
    assert world.names["X9"][1] not in cells  # another district's exam
    assert [(r.action, r.user_account_id, r.scope) for r in rows] == [
        ("score_template", None, "cli")
    ]
