"""The knowledge-point part of an item bank: a tree (subject → chapter → section → point) with
prerequisite links, checked for unknown codes and cycles before anything is stored.

A knowledge point's place in its file is its teaching order (``position``): within a grade and
semester, points are taught in file order. A point that leaves out its subject, grade or
semester takes its parent's (from the file, or as stored), so a curriculum names them once per
chapter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import KnowledgePoint, KpLevel, KpPrerequisite, Subject
from yincai.errors import RowError, reason_of
from yincai.hub.importers.parsing import parse_grade, parse_kp_level, split_list
from yincai.hub.importers.records import Record
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

KP_FIELDS = {
    "code": ("编码", "code", "知识点编码", "代码"),
    "name": ("名称", "name", "知识点名称", "知识点"),
    "level": ("层级", "level"),
    "parent": ("上级编码", "parent", "parent_code", "上级"),
    "grade": ("年级", "grade", "grade_level"),
    "semester": ("学期", "semester"),
    "prerequisites": ("先修知识点", "prerequisites", "先修", "前置知识点"),
    "subject": ("学科", "subject"),
}
SEMESTERS = {
    "上": 1,
    "上学期": 1,
    "1": 1,
    "第一学期": 1,
    "下": 2,
    "下学期": 2,
    "2": 2,
    "第二学期": 2,
}


@dataclass(frozen=True)
class KpRow:
    record: Record
    code: str
    name: str
    level: KpLevel
    parent: str | None
    grade_level: int | None
    semester: int | None
    prerequisites: tuple[str, ...]
    subject_code: str | None
    position: int


def codes_of(value: Any) -> list[str]:
    """Codes from "a;b；c" or a JSON/YAML list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(code).strip() for code in value if str(code).strip()]
    return split_list(str(value))


def check_knowledge_points(
    session: Session,
    records: list[Record],
    subjects: SubjectBook,
    default_subject: str | None,
    errors: list[RowError],
) -> dict[str, KpRow]:
    """Parse the knowledge points and check their links; return them by code."""
    stored = dict(
        session.execute(
            select(KnowledgePoint.code, Subject.code).join(
                Subject, Subject.id == KnowledgePoint.subject_id
            )
        ).all()
    )
    rows: dict[str, KpRow] = {}
    for position, record in enumerate(records):
        row = _parse(record, position, subjects, errors)
        if row is None:
            continue
        if row.code in rows:
            first = rows[row.code].record.row
            errors.append(record.error("code", _("编码与第 {row} 行重复").format(row=first)))
            continue
        rows[row.code] = row
    known = set(rows) | set(stored)
    for row in rows.values():
        record = row.record
        if row.parent is not None and row.parent not in known:
            errors.append(
                record.error("parent", _("上级“{parent}”不存在").format(parent=row.parent))
            )
        for code in row.prerequisites:
            if code == row.code:
                errors.append(record.error("prerequisites", _("不能以自身为先修")))
            elif code not in known:
                reason = _("先修知识点“{code}”不存在").format(code=code)
                errors.append(record.error("prerequisites", reason))
    for code, row in list(rows.items()):
        subject_code = _inherited_subject(row, rows, stored, errors) or default_subject
        if subject_code is None:
            errors.append(row.record.error("subject", _("无法确定学科")))
        rows[code] = dataclasses.replace(row, subject_code=subject_code)
    _inherit_grade_and_semester(session, rows)
    _check_cycles(session, rows, errors)
    return rows


@dataclass
class KpChanges:
    """Knowledge points new or changed (values, parent or prerequisites), by code."""

    new: list[KpRow] = dataclasses.field(default_factory=list)
    changed: list[KpRow] = dataclasses.field(default_factory=list)


def plan_knowledge_points(
    session: Session, rows: dict[str, KpRow], summary: ImportSummary
) -> KpChanges:
    """Compare the file's knowledge points with the stored ones, reading only."""
    codes = dict(session.execute(select(KnowledgePoint.id, KnowledgePoint.code)).all())
    stored = {
        code: (subject, name, level, grade, semester, position, codes.get(parent or 0))
        for code, subject, name, level, grade, semester, position, parent in session.execute(
            select(
                KnowledgePoint.code,
                Subject.code,
                KnowledgePoint.name,
                KnowledgePoint.level,
                KnowledgePoint.grade_level,
                KnowledgePoint.semester,
                KnowledgePoint.position,
                KnowledgePoint.parent_id,
            ).join(Subject, Subject.id == KnowledgePoint.subject_id)
        )
    }
    prerequisites = {
        codes[kp_id]: {codes[p] for p in links} for kp_id, links in _prerequisites(session).items()
    }
    changes = KpChanges()
    counts = summary.count("knowledge_point")
    for code, row in rows.items():
        if code not in stored:
            changes.new.append(row)
            counts.new += 1
        elif stored[code] != _values(row) or prerequisites.get(code, set()) != set(
            row.prerequisites
        ):
            changes.changed.append(row)
            counts.updated += 1
        else:
            counts.unchanged += 1
    return changes


def apply_knowledge_points(
    session: Session, changes: KpChanges, subjects: SubjectBook
) -> dict[str, int]:
    """Write the planned knowledge points and their links; return every id by code."""
    rows = [*changes.new, *changes.changed]
    subject_ids = {str(row.subject_code): subjects.get(str(row.subject_code)).id for row in rows}
    if changes.new:
        session.execute(
            insert(KnowledgePoint),
            [{"code": row.code, **_columns(row, subject_ids)} for row in changes.new],
        )
    ids = dict(session.execute(select(KnowledgePoint.code, KnowledgePoint.id)).all())
    if changes.changed:
        session.execute(
            update(KnowledgePoint),
            [{"id": ids[row.code], **_columns(row, subject_ids)} for row in changes.changed],
        )
    if rows:
        session.execute(
            update(KnowledgePoint),
            [
                {"id": ids[row.code], "parent_id": ids[row.parent] if row.parent else None}
                for row in rows
            ],
        )
        session.execute(
            delete(KpPrerequisite).where(
                KpPrerequisite.knowledge_point_id.in_([ids[row.code] for row in rows])
            )
        )
    links = [
        {"knowledge_point_id": ids[row.code], "prerequisite_id": ids[p]}
        for row in rows
        for p in row.prerequisites
    ]
    if links:
        session.execute(insert(KpPrerequisite), links)
    return ids


def _values(row: KpRow) -> tuple[object, ...]:
    return (
        row.subject_code,
        row.name,
        row.level,
        row.grade_level,
        row.semester,
        row.position,
        row.parent,
    )


def _columns(row: KpRow, subject_ids: dict[str, int]) -> dict[str, object]:
    return {
        "subject_id": subject_ids[str(row.subject_code)],
        "name": row.name,
        "level": row.level,
        "grade_level": row.grade_level,
        "semester": row.semester,
        "position": row.position,
    }


def _parse(
    record: Record, position: int, subjects: SubjectBook, errors: list[RowError]
) -> KpRow | None:
    before = len(errors)
    values: dict[str, Any] = {}
    for field in ("code", "name"):
        if not record.text(field):
            errors.append(record.error(field, _("不能为空")))
    if len(record.text("code")) > 40:
        errors.append(record.error("code", _("编码超过 40 个字符")))
    for field, parse in (
        ("level", parse_kp_level),
        ("grade", parse_grade),
        ("subject", subjects.code_of),
    ):
        try:
            values[field] = parse(record.text(field)) if record.text(field) else None
        except ValueError as problem:
            errors.append(record.error(field, reason_of(problem)))
    semester = record.text("semester")
    if semester and semester not in SEMESTERS:
        errors.append(record.error("semester", _("学期应为 上/下 或 1/2")))
    if len(errors) > before:
        return None
    return KpRow(
        record,
        record.text("code"),
        record.text("name"),
        values["level"] or KpLevel.POINT,
        record.text("parent") or None,
        values["grade"],
        SEMESTERS.get(semester),
        tuple(codes_of(record.values.get("prerequisites"))),
        values["subject"],
        position,
    )


def _inherited_subject(
    row: KpRow,
    rows: dict[str, KpRow],
    stored: dict[str, str],
    errors: list[RowError],
) -> str | None:
    """The row's own subject, else its nearest ancestor's; a loop of parents is an error."""
    seen = {row.code}
    current: KpRow | None = row
    parent = row.parent
    while current is not None:
        if current.subject_code is not None:
            return current.subject_code
        parent = current.parent
        if parent is None or parent in seen:
            if parent is not None:
                errors.append(row.record.error("parent", _("上级关系成环")))
            return None
        seen.add(parent)
        current = rows.get(parent)
    return stored.get(parent) if parent is not None else None


def _inherit_grade_and_semester(session: Session, rows: dict[str, KpRow]) -> None:
    """Give each row without a grade or semester its nearest ancestor's (a parent loop, already
    reported, just stops the search)."""
    stored = {
        code: (grade, semester)
        for code, grade, semester in session.execute(
            select(KnowledgePoint.code, KnowledgePoint.grade_level, KnowledgePoint.semester)
        )
    }

    def ancestors(row: KpRow) -> Iterator[tuple[int | None, int | None]]:
        seen = {row.code}
        parent = row.parent
        while parent is not None and parent not in seen:
            seen.add(parent)
            if parent in rows:
                yield rows[parent].grade_level, rows[parent].semester
                parent = rows[parent].parent
            else:
                yield stored.get(parent, (None, None))
                return

    resolved: dict[str, KpRow] = {}
    for code, row in rows.items():
        grade, semester = row.grade_level, row.semester
        for parent_grade, parent_semester in ancestors(row):
            if grade is not None and semester is not None:
                break
            grade = parent_grade if grade is None else grade
            semester = parent_semester if semester is None else semester
        resolved[code] = dataclasses.replace(row, grade_level=grade, semester=semester)
    rows.update(resolved)


def _check_cycles(session: Session, rows: dict[str, KpRow], errors: list[RowError]) -> None:
    """Report every prerequisite cycle on the rows of the knowledge points in it."""
    graph = {code: list(row.prerequisites) for code, row in rows.items()}
    codes = dict(session.execute(select(KnowledgePoint.id, KnowledgePoint.code)).all())
    for kp_id, prerequisite_ids in _prerequisites(session).items():
        if codes[kp_id] not in rows:
            graph[codes[kp_id]] = [codes[p] for p in prerequisite_ids]
    state: dict[str, int] = {}  # 1 while on the current path, 2 once finished
    reported: set[str] = set()
    for start in rows:
        if start in state:
            continue
        path = [start]
        pending = [iter(graph.get(start, []))]
        state[start] = 1
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                reason = _("先修关系成环：{cycle}").format(cycle=" → ".join(cycle))
                for member in cycle[:-1]:
                    if member in rows and member not in reported:
                        reported.add(member)
                        errors.append(rows[member].record.error("prerequisites", reason))
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(graph.get(nxt, [])))


def _prerequisites(session: Session) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    for kp_id, prerequisite_id in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        links.setdefault(kp_id, set()).add(prerequisite_id)
    return links
