"""Import an item bank: knowledge points (with prerequisites) and items tagged with them.

Layouts: an XLSX workbook with sheets 知识点/knowledge_points and 题目/items, or a JSON/YAML
document ``{subject: 数学, knowledge_points: [...], items: [...]}`` using the same field names
(docs/content-format.md; a curriculum alone is such a file without items). Item fields:
编码/code, 题型/type, 题干/stem (LaTeX kept as written), 选项/options (a list, or one cell with an
option per line or separated by "|"; "A." prefixes are dropped), 答案/answer (option letters for
choice items, 对/错 for true-false, stored as 正确/错误), 满分/full_score, 知识点/kps
("M7A.01:0.6;M7A.02:0.4", or a mapping of code to weight; without weights each of n tags weighs
1/n), 年级/grade, 难度/difficulty. A JSON/YAML document is read strictly: an unknown key is an
error, not silently dropped.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import Item, ItemKp, ItemType, KnowledgePoint, Subject
from yincai.errors import RowError, reason_of
from yincai.hub.importers.common import ImportPlan, Progress, digest, raise_if_errors
from yincai.hub.importers.knowledge_points import (
    KP_FIELDS,
    KpChanges,
    KpRow,
    apply_knowledge_points,
    check_knowledge_points,
    codes_of,
    plan_knowledge_points,
)
from yincai.hub.importers.parsing import parse_bool, parse_grade, parse_item_type, parse_number
from yincai.hub.importers.records import Record, read_records
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

ITEM_FIELDS = {
    "code": ("编码", "code", "题目编码", "题号"),
    "type": ("题型", "type", "item_type"),
    "stem": ("题干", "stem"),
    "options": ("选项", "options"),
    "answer": ("答案", "answer"),
    "full_score": ("满分", "full_score", "分值"),
    "kps": ("知识点", "kps", "knowledge_points"),
    "grade": ("年级", "grade", "grade_level"),
    "difficulty": ("难度", "difficulty"),
    "subject": ("学科", "subject"),
}
SECTIONS = {
    "kps": (("knowledge_points", "知识点", "kps"), KP_FIELDS),
    "items": (("items", "题目", "试题"), ITEM_FIELDS),
}
WEIGHT_TOLERANCE = 0.01
_OPTION_LABEL = re.compile(r"^\s*[A-Za-z]\s*[.．、:：)）]\s*")
_LETTERS = "ABCDEFGHIJ"
SETTING_KEYS = ("subject", "学科")  # the top-level keys of a JSON/YAML bank besides its sections
TRUE_FALSE_ANSWERS = {True: "正确", False: "错误"}  # as answer keys print them


@dataclass(frozen=True)
class ItemRow:
    code: str
    subject_code: str
    item_type: ItemType
    stem: str
    options: list[str]
    answer: str
    full_score: float
    grade_level: int | None
    difficulty: float | None
    kps: dict[str, float]  # code → weight


@dataclass
class ItemsPlan(ImportPlan):
    """A validated item bank and what it changes."""

    kps: KpChanges | None = None
    new_items: list[ItemRow] = dataclasses.field(default_factory=list)
    changed_items: list[tuple[int, ItemRow]] = dataclasses.field(default_factory=list)

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        assert self.kps is not None
        subjects = SubjectBook(session)
        kp_ids = apply_knowledge_points(session, self.kps, subjects)
        _apply_items(session, self, kp_ids, subjects)


def plan_items(session: Session, *, path: Path, subject_code: str | None = None) -> ItemsPlan:
    """Validate a whole item bank and work out what it changes, reading only."""
    data = path.read_bytes()
    sha256 = digest(data, subject_code or "")
    errors: list[RowError] = []
    records, settings = read_records(path, data, SECTIONS, errors, setting_keys=SETTING_KEYS)
    raise_if_errors(path.name, errors)
    subjects = SubjectBook(session)
    default_subject = None
    default_text = subject_code or settings.get("subject") or settings.get("学科")
    if default_text:
        try:
            default_subject = subjects.code_of(str(default_text))
        except ValueError as problem:
            errors.append(RowError(path.name, 1, "subject", reason_of(problem)))
    kps = check_knowledge_points(session, records["kps"], subjects, default_subject, errors)
    items = _check_items(session, records["items"], kps, subjects, default_subject, errors)
    raise_if_errors(path.name, errors)

    n_rows = len(records["kps"]) + len(records["items"])
    summary = ImportSummary(kind="items", file_name=path.name, sha256=sha256, n_rows=n_rows)
    plan = ItemsPlan(summary=summary, kps=plan_knowledge_points(session, kps, summary))
    _plan_items(session, items, plan)
    return plan


def _check_items(
    session: Session,
    records: list[Record],
    kps: dict[str, KpRow],
    subjects: SubjectBook,
    default_subject: str | None,
    errors: list[RowError],
) -> list[ItemRow]:
    query = select(KnowledgePoint.code, Subject.code).join(
        Subject, Subject.id == KnowledgePoint.subject_id
    )
    stored_kps = dict(session.execute(query).all())
    kp_subjects = {**stored_kps, **{code: str(row.subject_code) for code, row in kps.items()}}
    rows: list[ItemRow] = []
    first_row: dict[str, int] = {}
    for record in records:
        before = len(errors)
        code = record.text("code")
        for field in ("code", "type", "stem", "answer", "full_score"):
            if not record.text(field):
                errors.append(record.error(field, _("不能为空")))
        if code in first_row:
            errors.append(
                record.error("code", _("编码与第 {row} 行重复").format(row=first_row[code]))
            )
        elif code:
            first_row[code] = record.row
        item_type = _parse(record, "type", parse_item_type, errors)
        full_score = _parse(record, "full_score", parse_number, errors)
        if full_score is not None and full_score <= 0:
            errors.append(record.error("full_score", _("满分须大于 0")))
        grade = _parse(record, "grade", parse_grade, errors)
        difficulty = _parse(record, "difficulty", parse_number, errors)
        if difficulty is not None and not 0 <= difficulty <= 1:
            errors.append(record.error("difficulty", _("难度应在 0–1 之间")))
        subject = _parse(record, "subject", subjects.code_of, errors)
        options = _options(record.values.get("options"))
        answer = _answer(record, item_type, options, errors) if item_type else ""
        weights = _weights(record, kp_subjects, errors)
        subject = (
            subject
            or next((kp_subjects[c] for c in weights if c in kp_subjects), None)
            or default_subject
        )
        if subject is None and len(errors) == before:
            errors.append(record.error("subject", _("无法确定学科")))
        if len(errors) > before or item_type is None or full_score is None or subject is None:
            continue
        rows.append(
            ItemRow(
                code,
                subject,
                item_type,
                record.text("stem"),
                options,
                answer,
                full_score,
                grade,
                difficulty,
                weights,
            )
        )
    return rows


def _parse(record: Record, field: str, parse: Any, errors: list[RowError]) -> Any:
    text = record.text(field)
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as problem:
        errors.append(record.error(field, reason_of(problem)))
        return None


def _options(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [str(value[key]).strip() for key in sorted(value)]
    parts = value if isinstance(value, list) else re.split(r"\n|\|", str(value))
    return [_OPTION_LABEL.sub("", str(part)).strip() for part in parts if str(part).strip()]


def _answer(record: Record, item_type: ItemType, options: list[str], errors: list[RowError]) -> str:
    """The answer in stored form: option letters ("AC") for choice items, 正确/错误, or text."""
    text = record.text("answer")
    if item_type is ItemType.TRUE_FALSE:
        try:
            return TRUE_FALSE_ANSWERS[parse_bool(text)]
        except ValueError as problem:
            errors.append(record.error("answer", reason_of(problem)))
            return ""
    if item_type not in (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE):
        return text
    if len(options) < 2:
        errors.append(record.error("options", _("选择题至少需要两个选项")))
        return ""
    letters = re.sub(r"[\s,，、;；]", "", text).upper()
    allowed = _LETTERS[: len(options)]
    if not letters or any(letter not in allowed for letter in letters):
        reason = _("答案“{text}”不在选项 {first}–{last} 中").format(
            text=text, first=allowed[0], last=allowed[-1]
        )
        errors.append(record.error("answer", reason))
    elif len(set(letters)) != len(letters):
        errors.append(record.error("answer", _("答案中有重复选项")))
    elif item_type is ItemType.SINGLE_CHOICE and len(letters) != 1:
        errors.append(record.error("answer", _("单选题只能有一个答案")))
    return "".join(sorted(letters))


def _weights(record: Record, known: dict[str, str], errors: list[RowError]) -> dict[str, float]:
    """Knowledge-point weights: all given and summing to 1, or none given (then 1/n each)."""
    value = record.values.get("kps")
    pairs: list[tuple[str, str | None]] = []
    if isinstance(value, dict):
        pairs = [(str(code), str(weight)) for code, weight in value.items()]
    else:
        for part in codes_of(value):
            code, _colon, text = part.replace("：", ":").partition(":")
            pairs.append((code.strip(), text.strip() or None))
    weights: dict[str, float] = {}
    for code, weight in pairs:
        if code not in known:
            errors.append(record.error("kps", _("知识点“{code}”不存在").format(code=code)))
        elif code in weights:
            errors.append(record.error("kps", _("知识点“{code}”重复").format(code=code)))
        try:
            weights[code] = parse_number(weight) if weight is not None else float("nan")
        except ValueError:
            errors.append(record.error("kps", _("权重“{weight}”不是数字").format(weight=weight)))
    given = [w for w in weights.values() if w == w]
    if not weights:
        return {}
    if not given:
        return {code: 1 / len(weights) for code in weights}
    if len(given) != len(weights):
        errors.append(record.error("kps", _("权重须全部给出或全部省略")))
    elif any(w <= 0 for w in given):
        errors.append(record.error("kps", _("权重须大于 0")))
    elif abs(sum(given) - 1) > WEIGHT_TOLERANCE:
        reason = _("权重之和为 {total}，应为 1").format(total=f"{sum(given):g}")
        errors.append(record.error("kps", reason))
    return weights


def _plan_items(session: Session, rows: list[ItemRow], plan: ItemsPlan) -> None:
    kp_codes = dict(session.execute(select(KnowledgePoint.id, KnowledgePoint.code)).all())
    tags: dict[int, list[tuple[str, float]]] = {}
    for item_id, kp_id, weight in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
    ):
        tags.setdefault(item_id, []).append((kp_codes[kp_id], round(weight, 6)))
    stored = {
        item.code: (item.id, (*_item_values(item, subject), sorted(tags.get(item.id, []))))
        for item, subject in session.execute(
            select(Item, Subject.code).join(Subject, Subject.id == Item.subject_id)
        )
    }
    counts = plan.summary.count("item")
    for row in rows:
        known = stored.get(row.code)
        if known is None:
            plan.new_items.append(row)
            counts.new += 1
        elif known[1] != (*_row_values(row), _row_tags(row)):
            plan.changed_items.append((known[0], row))
            counts.updated += 1
        else:
            counts.unchanged += 1


def _apply_items(
    session: Session, plan: ItemsPlan, kp_ids: dict[str, int], subjects: SubjectBook
) -> None:
    rows = [*plan.new_items, *(row for _, row in plan.changed_items)]
    subject_ids = {row.subject_code: subjects.get(row.subject_code).id for row in rows}
    if plan.new_items:
        session.execute(
            insert(Item),
            [{"code": row.code, **_item_columns(row, subject_ids)} for row in plan.new_items],
        )
    if plan.changed_items:
        session.execute(
            update(Item),
            [
                {"id": item_id, **_item_columns(row, subject_ids)}
                for item_id, row in plan.changed_items
            ],
        )
    if not rows:
        return
    item_ids = dict(
        session.execute(
            select(Item.code, Item.id).where(Item.code.in_([row.code for row in rows]))
        ).all()
    )
    session.execute(delete(ItemKp).where(ItemKp.item_id.in_(list(item_ids.values()))))
    links = [
        {"item_id": item_ids[row.code], "knowledge_point_id": kp_ids[code], "weight": weight}
        for row in rows
        for code, weight in _row_tags(row)
    ]
    if links:
        session.execute(insert(ItemKp), links)


def _item_columns(row: ItemRow, subject_ids: dict[str, int]) -> dict[str, object]:
    return {
        "subject_id": subject_ids[row.subject_code],
        "item_type": row.item_type,
        "stem": row.stem,
        "options": row.options,
        "answer": row.answer,
        "full_score": row.full_score,
        "grade_level": row.grade_level,
        "difficulty": row.difficulty,
    }


def _item_values(item: Item, subject_code: str) -> tuple[Any, ...]:
    return (
        subject_code,
        item.item_type,
        item.stem,
        list(item.options),
        item.answer,
        item.full_score,
        item.grade_level,
        item.difficulty,
    )


def _row_values(row: ItemRow) -> tuple[Any, ...]:
    return (
        row.subject_code,
        row.item_type,
        row.stem,
        row.options,
        row.answer,
        row.full_score,
        row.grade_level,
        row.difficulty,
    )


def _row_tags(row: ItemRow) -> list[tuple[str, float]]:
    return sorted((code, round(weight, 6)) for code, weight in row.kps.items())
