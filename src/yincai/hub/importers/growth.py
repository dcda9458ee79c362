"""Import growth-archive records (成长档案): one row per piece of evidence.

Columns: 学号/student_number, 方面/dimension (品德发展、学业发展、身心健康、艺术素养、劳动实践, the
one character 德/智/体/美/劳, or the code moral/academic/health/arts/labour), 日期/recorded_on
(年-月-日, not after today), 记录内容/evidence (at most 500 characters) and 记录人/recorded_by (a
role such as 班主任 or 体育教师, never a person's name; default 学校). The checks are the page's
(``growth.records``). A record is keyed by (student, dimension, day, evidence): a row already
stored is unchanged, or updated when only its recorder differs, so importing a file again
changes nothing. Every row is checked before anything is written: one bad row refuses the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import Dimension, GrowthRecord, Student
from yincai.errors import Invalid, RowError
from yincai.growth.records import (
    MAX_RECORDER_CHARS,
    check_evidence,
    parse_dimension,
    parse_recorded_on,
)
from yincai.hub.importers.common import (
    ImportPlan,
    Progress,
    digest,
    raise_if_errors,
    resolve_district,
)
from yincai.hub.importers.parsing import CHINA_TIME
from yincai.hub.importers.tabular import known_headers_of, match_columns, read_table
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

GROWTH_COLUMNS = {
    "student_number": ("学号", "student_number", "学籍号", "student_no"),
    "dimension": ("方面", "dimension", "维度", "五育"),
    "recorded_on": ("日期", "recorded_on", "记录日期", "date"),
    "evidence": ("记录内容", "evidence", "内容", "表现与依据"),
    "recorded_by": ("记录人", "recorded_by", "记录者"),
}
REQUIRED = ("student_number", "dimension", "recorded_on", "evidence")
DEFAULT_RECORDER = "学校"  # a row without a recorder: recorded by the school


@dataclass(frozen=True)
class _Key:
    student_id: int
    dimension: Dimension
    recorded_on: date
    evidence: str


@dataclass
class GrowthPlan(ImportPlan):
    """Validated records: those not stored yet and those whose recorder changed."""

    new: list[dict[str, object]] = field(default_factory=list)
    changed: list[dict[str, object]] = field(default_factory=list)

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        if self.new:
            session.execute(insert(GrowthRecord), self.new)
        if self.changed:
            session.execute(update(GrowthRecord), self.changed)
        if progress is not None:
            total = len(self.new) + len(self.changed)
            progress(total, total)


def plan_growth(
    session: Session, *, path: Path, district_code: str | None, today: date | None = None
) -> GrowthPlan:
    """Validate every row of a growth-record file and work out what it adds or changes, reading
    only (``today``: the latest day a record may have, by default today in China)."""
    today = today or datetime.now(CHINA_TIME).date()
    data = path.read_bytes()
    district = resolve_district(session, district_code)
    table = read_table(path, data, known_headers=known_headers_of(GROWTH_COLUMNS))
    errors: list[RowError] = []
    columns = match_columns(table, GROWTH_COLUMNS, required=REQUIRED, errors=errors)
    raise_if_errors(path.name, errors)
    headers = {name: table.header[index] for name, index in columns.items()}
    roster = dict(
        session.execute(
            select(Student.student_number, Student.id).where(Student.district_id == district.id)
        ).all()
    )
    first_row: dict[_Key, int] = {}
    rows: list[tuple[_Key, str]] = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[columns[name]] if name in columns else ""

        def refuse(name: str, reason: str, number: int = number) -> None:
            errors.append(RowError(table.file_name, number, headers.get(name, name), reason))

        student_id = roster.get(cell("student_number"))
        if student_id is None:
            reason = _("学号“{number}”不在名单中").format(number=cell("student_number")[:30])
            refuse("student_number", reason)
        values: dict[str, object] = {}
        for name, check in (
            ("dimension", parse_dimension),
            ("recorded_on", lambda text: parse_recorded_on(text, today=today)),
            ("evidence", check_evidence),
        ):
            try:
                values[name] = check(cell(name))
            except Invalid as error:
                refuse(name, error.message)
        recorder = cell("recorded_by") or DEFAULT_RECORDER
        if len(recorder) > MAX_RECORDER_CHARS:
            reason = _("记录人过长：最多 {max} 字").format(max=MAX_RECORDER_CHARS)
            refuse("recorded_by", reason)
        if student_id is None or len(values) < 3 or len(recorder) > MAX_RECORDER_CHARS:
            continue
        key = _Key(student_id, values["dimension"], values["recorded_on"], values["evidence"])  # type: ignore[arg-type]
        if key in first_row:
            refuse("evidence", _("与第 {row} 行是同一条记录").format(row=first_row[key]))
            continue
        first_row[key] = number
        rows.append((key, recorder))
    raise_if_errors(path.name, errors)

    summary = ImportSummary(
        kind="growth", file_name=path.name, sha256=digest(data), n_rows=len(table.rows)
    )
    plan = GrowthPlan(summary=summary)
    stored = _stored(session, sorted({key.student_id for key, _recorder in rows}))
    counts = summary.count("growth_record")
    for key, recorder in rows:
        known = stored.get(key)
        if known is None:
            plan.new.append(
                {
                    "student_id": key.student_id,
                    "dimension": key.dimension,
                    "recorded_on": key.recorded_on,
                    "evidence": key.evidence,
                    "recorded_by": recorder,
                }
            )
            counts.new += 1
        elif known[1] != recorder:
            plan.changed.append({"id": known[0], "recorded_by": recorder})
            counts.updated += 1
        else:
            counts.unchanged += 1
    return plan


def _stored(session: Session, student_ids: list[int]) -> dict[_Key, tuple[int, str]]:
    """The stored records of the students, by key: (id, recorder)."""
    stored: dict[_Key, tuple[int, str]] = {}
    chunk_size = 5_000  # bound parameters per query
    for start in range(0, len(student_ids), chunk_size):
        chunk = student_ids[start : start + chunk_size]
        for record in session.scalars(
            select(GrowthRecord).where(GrowthRecord.student_id.in_(chunk))
        ):
            key = _Key(record.student_id, record.dimension, record.recorded_on, record.evidence)
            stored.setdefault(key, (record.id, record.recorded_by))
    return stored
