"""The research export on the demo district: no personal data, pseudonyms that link only under
one key, a table whose hidden counts hold against its totals and against the records."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.governance.test_suppression import attack
from tests.governance.world import actor, build_world
from tests.test_spreadsheets import EVIL_SCHOOL
from yincai.accounts.actors import CLI
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    District,
    Grade,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
)
from yincai.errors import Forbidden, Invalid
from yincai.governance.models import AuditEvent
from yincai.governance.privacy import pseudonymise
from yincai.governance.research import ResearchExport, research_export
from yincai.governance.suppression import SuppressedTable

KEY = "demo-district-research-key-0123456789"
K = 10
Rows = list[list[str]]


def read(export: ResearchExport) -> dict[str, Rows]:
    """Every CSV of the ZIP as rows of text, and the README as one cell."""
    files: dict[str, Rows] = {}
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            files[name] = [[text]] if name.endswith(".md") else list(csv.reader(io.StringIO(text)))
    return files


@dataclass(frozen=True)
class Exported:
    export: ResearchExport
    files: dict[str, Rows]
    district_code: str


@pytest.fixture(scope="module")
def demo_engine(demo_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(demo_settings)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_session(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine) as session:
        yield session
        session.rollback()  # the export's audit rows: the demo database stays as built


def _export(session: Session, key: str = KEY, codes: tuple[str, ...] = ()) -> ResearchExport:
    return research_export(session, actor=CLI, key=key, min_size=K, assessment_codes=codes)


@pytest.fixture(scope="module")
def exported(demo_engine: Engine) -> Exported:
    with Session(demo_engine) as session:
        export = _export(session)
        code = session.scalars(select(District.code)).one()
        session.rollback()
    return Exported(export, read(export), code)


def test_the_zip_holds_the_readme_records_table_and_a_score_file_per_assessment(
    exported: Exported, demo_session: Session
) -> None:
    codes = demo_session.scalars(
        select(Assessment.code)
        .where(Assessment.kind != AssessmentKind.HOMEWORK)  # homework is attempts, not scores
        .order_by(Assessment.code)
    ).all()
    names = set(exported.files)
    assert {"README.md", "students.csv", "assessments.csv", "items.csv"} <= names
    assert "tables/students_by_school_and_grade.csv" in names
    assert sorted(n for n in names if n.startswith("scores/")) == [f"scores/{c}.csv" for c in codes]
    readme = exported.files["README.md"][0][0]
    assert "HMAC-SHA256" in readme and f"k: {K}" in readme
    assert f"students: {exported.export.n_students}" in readme


def test_no_name_number_phone_or_guardian_leaves_the_district(
    exported: Exported, demo_session: Session
) -> None:
    students = demo_session.execute(
        select(Student.name, Student.student_number, Student.guardian_name, Student.guardian_phone)
    ).all()
    cells = {cell for rows in exported.files.values() for row in rows for cell in row}
    text = "\n".join(cell for cell in cells)
    personal = {value for row in students for value in row if value}
    assert not cells & personal
    assert not [v for v in personal if v.isdigit() and v in text]  # numbers, phones anywhere
    header = exported.files["students.csv"][0]
    assert header == ["student", "school", "setting", "grade", "gender"]
    tokens = [row[0] for row in exported.files["students.csv"][1:]]
    assert len(set(tokens)) == len(tokens) == exported.export.n_students > 0


def _truth(session: Session, code: str) -> tuple[dict[tuple[str, int], int], dict[int, int]]:
    """Students per (school pseudonym, grade) and per grade, counted in the database."""
    rows = session.execute(
        select(School.code, Grade.level)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .join(Student, Student.school_class_id == SchoolClass.id)
    ).all()
    cells = Counter((pseudonymise(school, KEY, prefix="K"), grade) for school, grade in rows)
    return dict(cells), dict(Counter(grade for _school, grade in rows))


def _published(rows: Rows) -> tuple[SuppressedTable, list[str], list[int]]:
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    grades = [int(name.removeprefix("grade_")) for name in header[2:-1]]

    def count(text: str) -> int | None:
        return None if text == "" else int(text)

    table = SuppressedTable(
        cells=[[count(text) for text in row[2:-1]] for row in body],
        row_totals=[count(row[-1]) for row in body],
        column_totals=[count(text) for text in totals[2:-1]],
        total=count(totals[-1]),
    )
    return table, [row[0] for row in body], grades


def test_the_table_is_true_and_no_hidden_count_can_be_narrowed(
    exported: Exported, demo_session: Session
) -> None:
    cells, per_grade = _truth(demo_session, exported.district_code)
    table, schools, grades = _published(exported.files["tables/students_by_school_and_grade.csv"])
    assert table.column_totals == [per_grade[g] for g in grades]  # grade totals always shown
    truth = [[cells.get((school, grade), 0) for grade in grades] for school in schools]
    hidden = [(i, j) for i, row in enumerate(table.cells) for j, v in enumerate(row) if v is None]
    assert any(0 < truth[i][j] < K for i, j in hidden)  # the demo has small rural groups
    for (i, j), value in ((ij, v) for ij, v in _cells(table)):
        assert value is None or value == truth[i][j]
    for (kind, i, j), (low, high) in attack(table).items():
        if kind == "cell" and 0 < truth[i][j] < K:
            assert high - low >= K


def _cells(table: SuppressedTable) -> Iterator[tuple[tuple[int, int], int | None]]:
    for i, row in enumerate(table.cells):
        for j, value in enumerate(row):
            yield (i, j), value


def test_records_never_count_a_hidden_cell_and_groups_are_at_least_k(exported: Exported) -> None:
    table, schools, grades = _published(exported.files["tables/students_by_school_and_grade.csv"])
    records = exported.files["students.csv"][1:]
    by_school_grade = Counter((row[1], int(row[3])) for row in records if row[1])
    for (school, grade), n in by_school_grade.items():
        assert table.cells[schools.index(school)][grades.index(grade)] == n
    for (i, j), value in _cells(table):
        if value is None:
            assert (schools[i], grades[j]) not in by_school_grade
    assert any(row[1] == "" for row in records) and all(
        row[2] == "" for row in records if not row[1]
    )
    groups = Counter(tuple(row[1:]) for row in records)
    assert min(groups.values()) >= K
    assert {row[4] for row in records} >= {"male", "female"}


def test_results_are_shown_only_for_groups_of_at_least_k(exported: Exported) -> None:
    group_of = {row[0]: (row[1], row[3]) for row in exported.files["students.csv"][1:]}
    group_sizes = Counter(group_of.values())
    n_rows = 0
    for name, rows in exported.files.items():
        if not name.startswith("scores/"):
            continue
        assert rows[0][:3] == ["student", "absent", "total"]
        sat = Counter(group_of[row[0]] for row in rows[1:])
        n_rows += len(rows) - 1
        for group, n in sat.items():
            assert n == group_sizes[group] if group[0] == "" else n >= K
    assert n_rows > exported.export.n_students  # most students sat several assessments


def test_scores_are_the_students_own(exported: Exported, demo_session: Session) -> None:
    assessment = demo_session.scalars(select(Assessment).order_by(Assessment.code)).first()
    assert assessment is not None
    rows = exported.files[f"scores/{assessment.code}.csv"]
    tokens = {row[0]: row for row in rows[1:]}
    sittings = demo_session.execute(
        select(Student.id, Student.student_number, Sitting.total_score)
        .join(Sitting, Sitting.student_id == Student.id)
        .where(Sitting.assessment_id == assessment.id, Sitting.is_absent.is_(False))
        .order_by(Student.id)
        .limit(40)
    ).all()
    item_ids = demo_session.scalars(
        select(AssessmentItem.id)
        .where(AssessmentItem.assessment_id == assessment.id)
        .order_by(AssessmentItem.position)
    ).all()
    checked = 0
    for student_id, number, total in sittings:
        row = tokens.get(pseudonymise(f"{exported.district_code}/{number}", KEY, prefix="S"))
        if row is None:  # withheld with a small group
            continue
        scores = dict(
            demo_session.execute(
                select(Score.assessment_item_id, Score.score).where(Score.student_id == student_id)
            ).all()
        )
        assert float(row[2]) == pytest.approx(total)
        assert [float(v) if v else None for v in row[3:]] == [scores.get(i) for i in item_ids]
        checked += 1
    assert checked > 0


def test_one_key_links_exports_and_another_key_does_not(
    exported: Exported, demo_session: Session
) -> None:
    first = {row[0] for row in exported.files["students.csv"][1:]}
    codes = (demo_session.scalars(select(Assessment.code)).first() or "",)
    again = {row[0] for row in read(_export(demo_session, codes=codes))["students.csv"][1:]}
    other = read(_export(demo_session, key="another-district-key-0123456789abc", codes=codes))
    assert again == first
    assert not first & {row[0] for row in other["students.csv"][1:]}


def test_an_export_is_audited_with_ids_only(demo_session: Session) -> None:
    assessment = demo_session.scalars(select(Assessment)).first()
    assert assessment is not None
    export = _export(demo_session, codes=(assessment.code,))
    rows = demo_session.execute(
        select(AuditEvent.object_type, AuditEvent.object_id, AuditEvent.scope).where(
            AuditEvent.action == "research_export"
        )
    ).all()
    district_id = demo_session.scalars(select(District.id)).one()
    assert sorted(rows) == [
        ("assessment", str(assessment.id), "cli"),
        ("district", str(district_id), "cli"),
    ]
    assert export.assessment_codes == [assessment.code]


def test_only_a_district_admin_exports_and_only_their_districts_assessments(
    session: Session,
) -> None:
    world = build_world(session)
    for role in ("school_admin", "teacher", "student", "parent"):
        with pytest.raises(Forbidden):
            research_export(session, actor=actor(session, world, role), key=KEY, min_size=2)
    admin = actor(session, world, "district_admin")
    with pytest.raises(Forbidden):
        research_export(session, actor=admin, key=KEY, min_size=2, assessment_codes=["W-E9"])
    with pytest.raises(Invalid, match="district"):
        research_export(session, actor=CLI, key=KEY, min_size=2)  # two districts: name one
    export = research_export(session, actor=admin, key=KEY, min_size=2)
    files = read(export)
    assert export.n_students == 4 and export.assessment_codes == ["W-E1"]  # not district 2's
    assert len(files["students.csv"]) == 5


def test_an_assessment_named_like_a_formula_is_inert_in_the_export(session: Session) -> None:
    world = build_world(session)
    session.get_one(Assessment, world["E1"]).name = EVIL_SCHOOL
    session.flush()
    export = research_export(
        session, actor=CLI, key=KEY, min_size=2, district_code="W-D1", assessment_codes=["W-E1"]
    )
    names = [row[1] for row in read(export)["assessments.csv"][1:]]
    assert names == ["'" + EVIL_SCHOOL]
