"""The pseudonymised research export: student-level records and a suppressed table in one ZIP.

Who is in it: every student of the district whose grade has at least k students (k is
``export_min_group``). What identifies them is cut down to a pseudonym and a few generalised
facts, each released only where the group sharing it is large enough:

- the school becomes a pseudonym plus its setting (urban / township / rural), released for a
  student only where the table "students by school × grade" publishes that school's count for
  the student's grade; elsewhere both are blank, so the records never count a hidden cell;
- gender is released in a (school or blank, grade) group only where each gender in it has at
  least k students;
- names, student numbers, birth and enrolment years, classes and guardians are never exported;
- an assessment's results of a group are given only where at least k of the group sat it (for
  the blank group: all of it), so a small class's homework cannot single out its members.

The table is suppressed by ``governance.suppression`` with its column totals (students per
grade) published, since the records show them anyway.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from io import BytesIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import Role, UserAccount
from yincai.accounts.roles import require_role
from yincai.domain.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    District,
    Grade,
    Item,
    ItemKp,
    KnowledgePoint,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Subject,
)
from yincai.domain.queries import full_scores
from yincai.errors import Forbidden, Invalid, NotFound
from yincai.governance.privacy import pseudonymise
from yincai.governance.scope import require_scope
from yincai.governance.service import audit
from yincai.governance.suppression import SuppressedTable, suppress_small_cells
from yincai.i18n import _
from yincai.spreadsheets import Cell, csv_bytes

SCHOOL_PREFIX = "K"
STUDENT_PREFIX = "S"
README_TEMPLATE = "research_readme.txt"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ResearchExport:
    """The ZIP and what it holds, for the page and the command to report."""

    content: bytes
    n_students: int
    assessment_codes: list[str]
    n_hidden_cells: int
    n_withheld_results: int


@dataclass
class _Record:
    student_id: int
    token: str
    school_id: int
    setting: str
    grade: int
    gender: str
    school_token: str
    released_school: str = ""  # blank where the school's count for this grade is hidden
    released_gender: str = ""

    @property
    def group(self) -> tuple[str, int]:
        return self.released_school, self.grade


def research_export(
    session: Session,
    *,
    actor: Actor,
    key: str,
    min_size: int,
    district_code: str | None = None,
    assessment_codes: Sequence[str] = (),
) -> ResearchExport:
    """Build the export of one district (the actor's, or for the operator's command the named
    or only one) for the given assessments (all of the district's when none are named)."""
    district = _district(session, actor=actor, code=district_code)
    assessments = _assessments(session, actor=actor, district=district, codes=assessment_codes)
    records = _records(session, district=district, key=key, min_size=min_size)
    grades = sorted({record.grade for record in records})
    school_ids = sorted({record.school_id for record in records})
    table = _school_grade_table(records, school_ids, grades, min_size)
    _release(records, table, school_ids, grades, min_size)
    files: dict[str, bytes] = {
        "students.csv": _students_csv(records),
        "tables/students_by_school_and_grade.csv": _table_csv(table, records, school_ids, grades),
        "assessments.csv": _assessments_csv(session, assessments),
        "items.csv": _items_csv(session, assessments),
    }
    n_withheld = 0
    taken: set[str] = set()
    for assessment in assessments:
        content, withheld = _scores_csv(session, assessment, records, min_size)
        name = _file_name(assessment.code, taken)
        files[f"scores/{name}.csv"] = content
        n_withheld += withheld
    n_hidden = sum(cell is None for row in table.cells for cell in row)
    files = {
        "README.md": _readme(
            district_token=pseudonymise(district.code, key, prefix="D"),
            created_at=datetime.now(UTC),
            min_size=min_size,
            n_students=len(records),
            assessment_codes=[a.code for a in assessments],
            n_withheld=n_withheld,
        ).encode(),
        **files,
    }
    audit(session, actor=actor, action="research_export", object_type="district",
          object_id=district.id)  # fmt: skip
    for assessment in assessments:
        audit(session, actor=actor, action="research_export", object_type="assessment",
              object_id=assessment.id)  # fmt: skip
    return ResearchExport(
        content=_zip(files),
        n_students=len(records),
        assessment_codes=[a.code for a in assessments],
        n_hidden_cells=n_hidden,
        n_withheld_results=n_withheld,
    )


def exportable_assessments(session: Session, *, actor: UserAccount) -> list[Assessment]:
    """The assessments a district admin may export, newest first."""
    require_role(actor, Role.DISTRICT_ADMIN)
    return list(
        session.scalars(
            select(Assessment)
            .where(
                Assessment.district_id == actor.district_id,
                Assessment.kind != AssessmentKind.HOMEWORK,  # attempts, not score sheets
            )
            .order_by(Assessment.held_on.desc(), Assessment.code)
        )
    )


def _district(session: Session, *, actor: Actor, code: str | None) -> District:
    if isinstance(actor, UserAccount):
        require_role(actor, Role.DISTRICT_ADMIN)
        district = session.get(District, actor.district_id)
        if district is None or (code is not None and district.code != code):
            raise Forbidden(_("只能导出本区数据"), code="export.other_district")
        return district
    query = select(District).order_by(District.code)
    districts = list(session.scalars(query.where(District.code == code) if code else query))
    if not districts:
        raise NotFound(_("找不到区县 {code}").format(code=code or ""), code="district.not_found")
    if len(districts) > 1:
        raise Invalid(_("有多个区县，请用 --district 指定"), code="district.ambiguous")
    return districts[0]


def _assessments(
    session: Session, *, actor: Actor, district: District, codes: Sequence[str]
) -> list[Assessment]:
    if not codes:
        query = select(Assessment).where(
            Assessment.district_id == district.id, Assessment.kind != AssessmentKind.HOMEWORK
        )
        return list(session.scalars(query.order_by(Assessment.held_on, Assessment.code)))
    found = []
    for code in dict.fromkeys(codes):
        assessment = session.scalar(select(Assessment).where(Assessment.code == code))
        if assessment is None:
            raise NotFound(_("找不到考试 {code}").format(code=code), code="assessment.not_found")
        require_scope(session, actor=actor, assessment_id=assessment.id)
        if assessment.district_id != district.id:
            raise Forbidden(
                _("考试 {code} 不属于本区").format(code=code), code="export.other_district"
            )
        found.append(assessment)
    return found


def _records(session: Session, *, district: District, key: str, min_size: int) -> list[_Record]:
    """The district's students in grades of at least ``min_size`` students, by pseudonym."""
    rows = session.execute(
        select(
            Student.id,
            Student.student_number,
            Student.gender,
            School.id,
            School.code,
            School.setting,
            Grade.level,
        )
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .join(Grade, Grade.id == SchoolClass.grade_id)
        .where(Student.district_id == district.id)
    ).all()
    per_grade = Counter(row[6] for row in rows)
    school_tokens = {row[3]: pseudonymise(row[4], key, prefix=SCHOOL_PREFIX) for row in rows}
    records = [
        _Record(
            student_id=student_id,
            token=pseudonymise(f"{district.code}/{number}", key, prefix=STUDENT_PREFIX),
            school_id=school_id,
            setting=str(setting),
            grade=grade,
            gender=str(gender),
            school_token=school_tokens[school_id],
        )
        for student_id, number, gender, school_id, _code, setting, grade in rows
        if per_grade[grade] >= min_size
    ]
    return sorted(records, key=lambda record: record.token)


def _school_grade_table(
    records: list[_Record], school_ids: list[int], grades: list[int], min_size: int
) -> SuppressedTable:
    counts = Counter((record.school_id, record.grade) for record in records)
    rows = [[counts[school_id, grade] for grade in grades] for school_id in school_ids]
    if not rows:
        return SuppressedTable([], [], [], 0)
    return suppress_small_cells(rows, min_size, keep_column_totals=True)


def _release(
    records: list[_Record],
    table: SuppressedTable,
    school_ids: list[int],
    grades: list[int],
    min_size: int,
) -> None:
    """Blank the school where its count is hidden, and gender where a gender group is small."""
    row_of = {school_id: n for n, school_id in enumerate(school_ids)}
    column_of = {grade: n for n, grade in enumerate(grades)}
    for record in records:
        if table.cells[row_of[record.school_id]][column_of[record.grade]] is not None:
            record.released_school = record.school_token
    genders: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for record in records:
        genders[record.group][record.gender] += 1
    for record in records:
        if min(genders[record.group].values()) >= min_size:
            record.released_gender = record.gender


def _students_csv(records: list[_Record]) -> bytes:
    rows: list[list[Cell]] = [["student", "school", "setting", "grade", "gender"]]
    rows += [
        [
            r.token,
            r.released_school,
            r.setting if r.released_school else "",
            r.grade,
            r.released_gender,
        ]
        for r in records
    ]
    return csv_bytes(rows)


def _table_csv(
    table: SuppressedTable, records: list[_Record], school_ids: list[int], grades: list[int]
) -> bytes:
    labels = {record.school_id: (record.school_token, record.setting) for record in records}
    rows: list[list[Cell]] = [["school", "setting", *[f"grade_{g}" for g in grades], "total"]]
    for n, school_id in enumerate(school_ids):
        token, setting = labels[school_id]
        rows.append([token, setting, *table.cells[n], table.row_totals[n]])
    rows.append(["total", "", *table.column_totals, table.total])
    return csv_bytes(rows)


def _assessments_csv(session: Session, assessments: list[Assessment]) -> bytes:
    rows: list[list[Cell]] = [
        ["assessment", "name", "kind", "held_on", "subject", "grade", "n_items", "full_score"]
    ]
    full = full_scores(session, [assessment.id for assessment in assessments])
    for assessment in assessments:
        subject = session.get(Subject, assessment.subject_id)
        rows.append(
            [
                assessment.code,
                assessment.name,
                str(assessment.kind),
                assessment.held_on.isoformat(),
                subject.code if subject else "",
                assessment.grade_level,
                len(assessment.items),
                full.get(assessment.id, 0.0),
            ]
        )
    return csv_bytes(rows)


def _items_csv(session: Session, assessments: list[Assessment]) -> bytes:
    rows: list[list[Cell]] = [
        ["assessment", "column", "label", "full_score", "item", "item_type", "knowledge_points"]
    ]
    for assessment in assessments:
        for position, assessment_item in enumerate(_items(session, assessment), start=1):
            item = session.get(Item, assessment_item.item_id) if assessment_item.item_id else None
            kps = (
                session.scalars(
                    select(KnowledgePoint.code)
                    .join(ItemKp, ItemKp.knowledge_point_id == KnowledgePoint.id)
                    .where(ItemKp.item_id == item.id)
                    .order_by(KnowledgePoint.code)
                ).all()
                if item
                else []
            )
            rows.append(
                [
                    assessment.code,
                    f"item_{position}",
                    assessment_item.label,
                    assessment_item.full_score,
                    item.code if item else "",
                    str(item.item_type) if item else "",
                    ";".join(kps),
                ]
            )
    return csv_bytes(rows)


def _items(session: Session, assessment: Assessment) -> list[AssessmentItem]:
    return list(
        session.scalars(
            select(AssessmentItem)
            .where(AssessmentItem.assessment_id == assessment.id)
            .order_by(AssessmentItem.position)
        )
    )


def _scores_csv(
    session: Session, assessment: Assessment, records: list[_Record], min_size: int
) -> tuple[bytes, int]:
    """One row per sitting of an exported student; groups too small to show are withheld."""
    items = _items(session, assessment)
    column = {item.id: n for n, item in enumerate(items)}
    by_id = {record.student_id: record for record in records}
    sittings = {
        student_id: (is_absent, total)
        for student_id, is_absent, total in session.execute(
            select(Sitting.student_id, Sitting.is_absent, Sitting.total_score).where(
                Sitting.assessment_id == assessment.id
            )
        )
        if student_id in by_id
    }
    group_sizes = Counter(record.group for record in records)
    sat = Counter(by_id[student_id].group for student_id in sittings)
    shown = {
        group
        for group, n_sat in sat.items()
        if (n_sat == group_sizes[group] if group[0] == "" else n_sat >= min_size)
    }
    scores: dict[int, list[float | None]] = {
        student_id: [None] * len(items)
        for student_id in sittings
        if by_id[student_id].group in shown
    }
    for item_id, student_id, score in session.execute(
        select(Score.assessment_item_id, Score.student_id, Score.score).where(
            Score.assessment_item_id.in_(list(column))
        )
    ):
        if student_id in scores:
            scores[student_id][column[item_id]] = score
    header: list[Cell] = ["student", "absent", "total", *[f"item_{n + 1}" for n in column.values()]]
    rows: list[list[Cell]] = [header]
    for student_id in sorted(scores, key=lambda student_id: by_id[student_id].token):
        is_absent, total = sittings[student_id]
        rows.append([by_id[student_id].token, int(is_absent), total, *scores[student_id]])
    return csv_bytes(rows), len(sittings) - len(scores)


def _readme(
    *,
    district_token: str,
    created_at: datetime,
    min_size: int,
    n_students: int,
    assessment_codes: list[str],
    n_withheld: int,
) -> str:
    """The README.md of one export: what is in it, how pseudonyms and suppression work."""
    template = resources.files("yincai.governance").joinpath(README_TEMPLATE)
    return template.read_text(encoding="utf-8").format(
        created_at=created_at.strftime("%Y-%m-%d %H:%M"),
        district_token=district_token,
        n_students=n_students,
        assessments=", ".join(assessment_codes) or "—",
        min_size=min_size,
        n_withheld=n_withheld,
    )


def _file_name(code: str, taken: set[str]) -> str:
    name = _UNSAFE_NAME.sub("_", code).strip("._") or "assessment"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
