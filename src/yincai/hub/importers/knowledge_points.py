"""The knowledge-point part of an item bank: a tree (subject → chapter → section → point) with
prerequisite links, checked for unknown codes and cycles before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from yincai.errors import RowError
from yincai.hub.importers.parsing import parse_grade, parse_kp_level, split_list
from yincai.hub.importers.records import Record
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.models import KnowledgePoint, KpLevel, KpPrerequisite
from yincai.hub.schemas import ImportSummary

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
SEMESTERS = {"上": 1, "上学期": 1, "1": 1, "第一学期": 1, "下": 2, "下学期": 2, "2": 2, "第二学期": 2}


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
    subject_code: str


def check_knowledge_points(
    session: Session,
    records: list[Record],
    subjects: SubjectBook,
    default_subject: str | None,
    errors: list[RowError],
) -> dict[str, KpRow]:
    """Parse the knowledge points; return them by code (stored ones are known by code too)."""
    stored = dict(
        session.execute(
            select(KnowledgePoint.code, KnowledgePoint.subject_id)
        ).tuples()
    )
    stored_subjects = {subject_id: code for code, subject_id in _subject_codes(session)}
    rows: dict[str, KpRow] = {}
    parsed: list[tuple[Record, dict[str, object]]] = []
    for record in records:
        before = len(errors)
        code = record.text("code")
        values: dict[str, object] = {"code": code}
        if not code:
            errors.append(record.error("code", "不能为空 / must not be empty"))
        elif code in {r.code for r, _ in [(rows.get(code), None)] if r} or any(
            v["code"] == code for _, v in parsed
        ):
            errors.append(record.error("code", "知识点编码重复 / duplicate code"))
        if not record.text("name"):
            errors.append(record.error("name", "不能为空 / must not be empty"))
        for field, parse in (("level", parse_kp_level), ("grade", parse_grade)):
            try:
                values[field] = parse(record.text(field)) if record.text(field) else None
            except ValueError as problem:
                errors.append(record.error(field, str(problem)))
        semester = record.text("semester")
        if semester and semester not in SEMESTERS:
            errors.append(record.error("semester", "学期应为 上/下 或 1/2 / semester 1 or 2"))
        subject = record.text("subject")
        if subject:
            try:
                values["subject"] = subjects.code_of(subject)
            except ValueError as problem:
                errors.append(record.error("subject", str(problem)))
        if len(errors) == before:
            parsed.append((record, values))
    file_codes = {str(values["code"]) for _, values in parsed}
    known = file_codes | set(stored)
    subject_of: dict[str, str | None] = {
        code: stored_subjects.get(subject_id) for code, subject_id in stored.items()
    }
    for record, values in parsed:
        subject_of[str(values["code"])] = values.get("subject")  # type: ignore[assignment]
    for record, values in parsed:
        code = str(values["code"])
        parent = record.text("parent") or None
        prerequisites = tuple(_codes(record.values.get("prerequisites")))
        if parent is not None and parent not in known:
            errors.append(record.error("parent", f"上级知识点“{parent}”不存在 / unknown parent"))
        for prerequisite in prerequisites:
            if prerequisite == code:
                errors.append(record.error("prerequisites", "不能以自身为先修 / self prerequisite"))
            elif prerequisite not in known:
                reason = f"先修知识点“{prerequisite}”不存在 / unknown knowledge point"
                errors.append(record.error("prerequisites", reason))
        subject_code = _inherited_subject(code, parent, values, record, subject_of, rows)
        subject_code = subject_code or default_subject
        if subject_code is None:
            errors.append(record.error("subject", "无法确定学科 / subject unknown"))
            continue
        level = values.get("level") or KpLevel.POINT
        grade = values.get("grade")
        semester = SEMESTERS.get(record.text("semester"))
        rows[code] = KpRow(
            record, code, record.text("name"), level, parent,  # type: ignore[arg-type]
            grade, semester, prerequisites, subject_code,  # type: ignore[arg-type]
        )  # fmt: skip
    _check_cycles(session, rows, errors)
    return rows
