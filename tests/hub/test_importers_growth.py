"""Importing growth-archive records on the demo district: valid rows are added with their
recorder, a file imported again changes nothing, a changed recorder is an update, and one bad row
refuses the whole file with file, row, column and reason; the template imports as it is."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.demo_actors import DemoActors
from tests.hub.builders import write_csv, write_xlsx
from yincai.domain.models import Dimension, GrowthRecord
from yincai.errors import Invalid, RowError
from yincai.hub import import_templates
from yincai.hub.import_runs import ImportRequest, run_import
from yincai.hub.importers.growth import plan_growth

HEADER = ["学号", "方面", "日期", "记录内容", "记录人"]


def _n(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(GrowthRecord)) or 0)


def test_rows_are_added_once_and_a_second_import_changes_nothing(
    backend: str, scoped_session: Session, actors: DemoActors, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("the growth form's write test runs on both backends")
    session, number = scoped_session, actors.student_number
    before = _n(session)
    rows = [
        [number, "艺术素养", "2026-10-12", "书法作品入选区书法展", "美术教师"],
        [number, "劳", "2026-11-02", "参加社区志愿清扫", ""],
        [actors.other_student_number, "health", "2026-09-30", "校运会跳高第二名", "体育教师"],
    ]
    path = write_csv(tmp_path / "成长记录.csv", HEADER, rows)
    first = run_import(session, ImportRequest("growth", path, district_code="SFQ"))
    assert first.count("growth_record").new == 3 and first.batch_id is not None
    assert _n(session) == before + 3
    stored = session.scalars(
        select(GrowthRecord).where(GrowthRecord.evidence == "参加社区志愿清扫")
    ).one()
    assert stored.dimension is Dimension.LABOUR and stored.recorded_by == "学校"
    assert stored.recorded_on == date(2026, 11, 2) and stored.student_id == actors.student_id
    again = run_import(session, ImportRequest("growth", path, district_code="SFQ"))
    assert again.is_unchanged and again.count("growth_record").unchanged == 3
    assert _n(session) == before + 3
    rows[1][4] = "班主任"
    changed = write_csv(tmp_path / "成长记录2.csv", HEADER, rows)
    third = run_import(session, ImportRequest("growth", changed, district_code="SFQ"))
    assert third.count("growth_record").updated == 1 and _n(session) == before + 3
    session.refresh(stored)
    assert stored.recorded_by == "班主任"


def test_one_bad_row_refuses_the_file_naming_row_column_and_reason(
    backend: str, scoped_session: Session, actors: DemoActors, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("reads only")
    session, number = scoped_session, actors.student_number
    before = _n(session)
    rows = [
        [number, "艺术素养", "2026-10-12", "合唱团演出", "音乐教师"],  # row 2: fine
        ["99999999999", "德", "2026-10-12", "志愿服务", ""],  # 3: unknown student
        [number, "体育", "2026-10-12", "篮球队", ""],  # 4: unknown dimension
        [number, "美", "2999-01-01", "美术作品展", ""],  # 5: future
        [number, "美", "10/12/2026", "美术作品展", ""],  # 6: not a date
        [number, "劳", "2026-10-12", "", ""],  # 7: empty evidence
        [number, "劳", "2026-10-12", "长" * 501, ""],  # 8: too long
        [number, "艺术素养", "2026-10-12", "合唱团演出", "音乐教师"],  # 9: same as row 2
        [number, "德", "2026-10-12", "升旗仪式讲话", "张" * 51],  # 10: recorder too long
    ]
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    with pytest.raises(Invalid) as refused:
        plan_growth(session, path=path, district_code="SFQ", today=date(2026, 12, 1))
    assert refused.value.code == "import.rows_invalid"
    found = {(e.row, e.column) for e in refused.value.details if isinstance(e, RowError)}
    assert found == {
        (3, "学号"),
        (4, "方面"),
        (5, "日期"),
        (6, "日期"),
        (7, "记录内容"),
        (8, "记录内容"),
        (9, "记录内容"),
        (10, "记录人"),
    }
    assert all(e.file == "bad.csv" and e.reason for e in refused.value.details)
    with pytest.raises(Invalid):
        run_import(session, ImportRequest("growth", path, district_code="SFQ"))
    assert _n(session) == before  # whole or nothing
    missing = write_csv(
        tmp_path / "missing.csv", ["学号", "日期", "记录内容"], [[number, "2026-10-12", "x"]]
    )
    with pytest.raises(Invalid) as no_column:
        plan_growth(session, path=missing, district_code="SFQ")
    assert [(e.row, e.column) for e in no_column.value.details] == [(1, "方面/dimension")]


def test_the_template_imports_as_it_is(
    backend: str, scoped_session: Session, actors: DemoActors, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("reads only")
    sheet = load_workbook(io.BytesIO(import_templates.growth_template())).worksheets[0]
    header = [str(cell.value) for cell in sheet[1]]
    example: list[object] = [cell.value for cell in sheet[2]]
    assert header == HEADER
    example[0] = actors.student_number  # the example's number is not in the demo
    path = write_xlsx(tmp_path / "成长记录.xlsx", {"成长记录": (header, [example])})
    plan = plan_growth(scoped_session, path=path, district_code="SFQ")
    assert plan.summary.count("growth_record").new == 1
