"""Assessments (exams, homework, quizzes) with their items and the classes that sit them, created
from a form or from a spreadsheet.

Spreadsheet layout: a sheet 考试 of two columns (项目, 内容) with the rows 考试代码, 考试名称,
类型 (考试/作业/测验), 日期, 学科, 年级 and 参考班级 (``学校代码/班级名``, several separated by
``;``), for homework optionally 截止时间 (ISO 8601, Beijing time without a zone; 日期 is the day
it is set), optionally 联考代码 and 联考名称 (the joint exam, 联考, whose 总分 the paper counts
towards: an existing code joins it, a new code with a name creates it), and a sheet 小题 with 题号,
满分 and optionally 题目编码 (an item of the bank). The same fields may come as a JSON/YAML document
``{code, name, kind, date, subject, grade, classes: [...], due_at, joint_exam_code,
joint_exam_name, items: [{label, full_score, item_code}]}``. Importing the same assessment again
changes nothing; an existing code with other content is an error (its scores would no longer fit),
except that an existing paper of no joint exam may be joined to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Item,
    JointExam,
    School,
    SchoolClass,
    Subject,
)
from yincai.errors import RowError, reason_of
from yincai.hub.importers.common import ImportPlan, Progress, digest, raise_if_errors
from yincai.hub.importers.parsing import (
    CHINA_TIME,
    canonical_class_name,
    parse_grade,
    parse_number,
    parse_timestamp,
    split_list,
)
from yincai.hub.importers.records import Record, read_records
from yincai.hub.importers.subjects import SubjectBook
from yincai.hub.importers.tabular import find_sheet, is_excel, normalise_header, read_sheets
from yincai.hub.schemas import AssessmentItemSpec, ImportSummary
from yincai.i18n import _, join

KIND_WORDS = {
    "考试": AssessmentKind.EXAM,
    "作业": AssessmentKind.HOMEWORK,
    "测验": AssessmentKind.QUIZ,
    **{kind.value: kind for kind in AssessmentKind},
}
HEADER_FIELDS = {
    "code": ("考试代码", "code"),
    "name": ("考试名称", "name"),
    "kind": ("类型", "kind"),
    "held_on": ("日期", "date", "held_on", "考试日期"),
    "subject": ("学科", "subject"),
    "grade": ("年级", "grade"),
    "classes": ("参考班级", "classes"),
    "due_at": ("截止时间", "due_at", "due"),
    "joint_code": ("联考代码", "joint_exam_code", "joint_code"),
    "joint_name": ("联考名称", "joint_exam_name", "joint_name"),
}
ITEM_FIELDS = {
    "label": ("题号", "label", "小题"),
    "full_score": ("满分", "full_score", "分值"),
    "item_code": ("题目编码", "item_code", "item"),
}
INFO_SHEETS = ("考试", "assessment", "考试信息")
ITEM_SHEETS = ("小题", "items")


@dataclass(frozen=True)
class AssessmentSpec:
    """An assessment as a form or a file describes it."""

    code: str
    name: str
    kind: AssessmentKind
    held_on: date
    subject_code: str  # a code or name (数学 / math)
    grade_level: int
    items: tuple[AssessmentItemSpec, ...]
    classes: tuple[tuple[str, str], ...] = ()  # (school code, class name)
    due_at: datetime | None = None  # homework: hand in by (UTC)
    joint_code: str | None = None  # the joint exam (联考) the paper belongs to
    joint_name: str | None = None  # needed when the code is new


@dataclass(frozen=True)
class Resolved:
    """What a checked spec refers to in the database."""

    subject_code: str
    bank_ids: dict[str, int]
    class_ids: tuple[int, ...]
    joint_exam_id: int | None = None  # an existing joint exam to join (None: new, or none)


def check_assessment(
    session: Session, spec: AssessmentSpec, district_id: int, problems: list[str]
) -> Resolved | None:
    """Add every problem of ``spec`` to ``problems`` (reads only); what it refers to if sound."""
    before = len(problems)
    if not spec.code.strip() or len(spec.code) > 40:
        problems.append(_("考试代码须为 1–40 个字符"))
    if not spec.name.strip() or len(spec.name) > 100:
        problems.append(_("考试名称须为 1–100 个字符"))
    if not 1 <= spec.grade_level <= 12:
        problems.append(_("年级应为 1–12（不是 {grade}）").format(grade=spec.grade_level))
    if not spec.items:
        problems.append(_("至少需要一道小题"))
    labels = [item.label for item in spec.items]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        problems.append(_("小题题号重复：{labels}").format(labels=join(repeated, "、")))
    subject_code = ""
    try:
        subject_code = SubjectBook(session).code_of(spec.subject_code)
    except ValueError as problem:
        problems.append(reason_of(problem))
    wanted = [item.item_code for item in spec.items if item.item_code]
    bank = dict(session.execute(select(Item.code, Item.id).where(Item.code.in_(wanted))).all())
    unknown = [code for code in wanted if code not in bank]
    if unknown:
        problems.append(
            _("题库中没有这些题目：{codes}").format(
                codes=join([str(code) for code in unknown], "、")
            )
        )
    stored = {
        (school_code, canonical_class_name(name)): class_id
        for school_code, name, class_id in session.execute(
            select(School.code, SchoolClass.name, SchoolClass.id)
            .join(SchoolClass, SchoolClass.school_id == School.id)
            .where(School.district_id == district_id)
        )
    }
    keys = [(school, canonical_class_name(name)) for school, name in spec.classes]
    missing = [f"{school}/{name}" for school, name in keys if (school, name) not in stored]
    if missing:
        problems.append(_("班级不存在：{classes}").format(classes=join(missing, "、")))
    joint_exam_id = _check_joint(session, spec, district_id, subject_code, problems)
    if len(problems) > before:
        return None
    return Resolved(subject_code, bank, tuple(sorted({stored[key] for key in keys})), joint_exam_id)


def _check_joint(
    session: Session, spec: AssessmentSpec, district_id: int, subject_code: str, problems: list[str]
) -> int | None:
    """Problems of the joint-exam columns; the id of the existing joint exam named, if any."""
    code, name = (spec.joint_code or "").strip(), (spec.joint_name or "").strip()
    if not code:
        if name:
            problems.append(_("填写了联考名称，也须填写联考代码"))
        return None
    if len(code) > 40:
        problems.append(_("联考代码须为 1–40 个字符"))
    if len(name) > 100:
        problems.append(_("联考名称不能超过 100 个字符"))
    joint = session.scalars(select(JointExam).where(JointExam.code == code)).first()
    if joint is None:
        if not name:
            problems.append(_("联考 {code} 是新的，须填写联考名称").format(code=code))
        return None
    if joint.district_id != district_id or joint.grade_level != spec.grade_level:
        problems.append(
            _("联考 {code} 属于另一个区县或年级（{grade} 年级）").format(
                code=code, grade=joint.grade_level
            )
        )
    if name and name != joint.name:
        problems.append(
            _("联考 {code} 的名称是“{stored}”，不是“{name}”").format(
                code=code, stored=joint.name, name=name
            )
        )
    clash = session.execute(
        select(Assessment.code)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(
            Assessment.joint_exam_id == joint.id,
            Subject.code == subject_code,
            Assessment.code != spec.code.strip(),
        )
    ).first()
    if clash is not None:
        problems.append(_("联考 {code} 已有该学科的试卷 {paper}").format(code=code, paper=clash[0]))
    return joint.id


def store_assessment(
    session: Session, spec: AssessmentSpec, resolved: Resolved, district_id: int
) -> Assessment:
    """Write a checked assessment, its items and its classes."""
    subject = SubjectBook(session).get(resolved.subject_code)
    assessment = Assessment(
        joint_exam_id=store_joint_exam(session, spec, resolved, district_id),
        code=spec.code.strip(),
        name=spec.name.strip(),
        kind=spec.kind,
        held_on=spec.held_on,
        due_at=spec.due_at,
        subject_id=subject.id,
        grade_level=spec.grade_level,
        district_id=district_id,
    )
    assessment.items = [
        AssessmentItem(
            position=position,
            label=item.label,
            full_score=item.full_score,
            item_id=resolved.bank_ids[item.item_code] if item.item_code else None,
        )
        for position, item in enumerate(spec.items, start=1)
    ]
    session.add(assessment)
    session.flush()
    session.add_all(
        AssessmentClass(assessment_id=assessment.id, school_class_id=class_id)
        for class_id in resolved.class_ids
    )
    session.flush()
    return assessment


def store_joint_exam(
    session: Session, spec: AssessmentSpec, resolved: Resolved, district_id: int
) -> int | None:
    """The joint exam a checked spec names: the existing one (dated by its earliest paper), or
    a new one; None when it names none."""
    if not spec.joint_code or not spec.joint_code.strip():
        return None
    if resolved.joint_exam_id is not None:
        joint = session.get(JointExam, resolved.joint_exam_id)
        assert joint is not None  # checked in the same transaction
        joint.held_on = min(joint.held_on, spec.held_on)
        return joint.id
    joint = JointExam(
        code=spec.joint_code.strip(),
        name=(spec.joint_name or "").strip(),
        district_id=district_id,
        grade_level=spec.grade_level,
        held_on=spec.held_on,
    )
    session.add(joint)
    session.flush()
    return joint.id


@dataclass
class AssessmentPlan(ImportPlan):
    """An assessment file: to be created, or already stored as it is."""

    spec: AssessmentSpec | None = None
    resolved: Resolved | None = None
    district_id: int = 0
    joins_joint_exam: bool = False  # an existing paper joins the joint exam named

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        assert self.spec is not None and self.resolved is not None
        if self.joins_joint_exam:
            existing = session.get(Assessment, self.assessment_id)
            assert existing is not None
            existing.joint_exam_id = store_joint_exam(
                session, self.spec, self.resolved, self.district_id
            )
            session.flush()
            return
        assessment = store_assessment(session, self.spec, self.resolved, self.district_id)
        self.assessment_id = assessment.id


def plan_assessment(session: Session, *, path: Path, district_id: int) -> AssessmentPlan:
    """Read and check an assessment file and say whether it creates one (reads only)."""
    data = path.read_bytes()
    errors: list[RowError] = []
    spec = _read_spec(path, data, errors)
    raise_if_errors(path.name, errors)
    assert spec is not None
    problems: list[str] = []
    resolved = check_assessment(session, spec, district_id, problems)
    existing = session.scalars(select(Assessment).where(Assessment.code == spec.code)).first()
    summary = ImportSummary(kind="assessment", file_name=path.name, sha256=digest(data), n_rows=1)
    plan = AssessmentPlan(summary=summary, spec=spec, resolved=resolved, district_id=district_id)
    if existing is not None:
        if not _same(session, existing, spec, resolved):
            problems.append(
                _("考试代码 {code} 已存在且内容不同；请换一个代码").format(code=spec.code)
            )
        else:
            plan.assessment_id = existing.id
            joint_id = resolved.joint_exam_id if resolved else None
            if spec.joint_code and existing.joint_exam_id is None:
                plan.joins_joint_exam = True
                summary.count("assessment").updated = 1
                if joint_id is None:
                    summary.count("joint_exam").new = 1
            else:
                summary.count("assessment").unchanged = 1
    raise_if_errors(path.name, [RowError(path.name, 1, "", problem) for problem in problems])
    if existing is None:
        summary.count("assessment").new = 1
        summary.count("assessment_item").new = len(spec.items)
        summary.count("assessment_class").new = len(resolved.class_ids if resolved else ())
        if spec.joint_code and resolved is not None and resolved.joint_exam_id is None:
            summary.count("joint_exam").new = 1
    return plan


def _same(
    session: Session, existing: Assessment, spec: AssessmentSpec, resolved: Resolved | None
) -> bool:
    if resolved is None:
        return False
    subject = session.get(Subject, existing.subject_id)
    items = [(item.label, item.full_score) for item in existing.items]
    classes = set(
        session.scalars(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == existing.id
            )
        )
    )
    joint_code = (spec.joint_code or "").strip()
    if existing.joint_exam_id is not None and joint_code:
        joint = session.get(JointExam, existing.joint_exam_id)
        if joint is None or joint.code != joint_code:
            return False  # a paper never moves to another joint exam by a re-import
    return (
        existing.name == spec.name.strip()
        and existing.kind == spec.kind
        and existing.held_on == spec.held_on
        and subject is not None
        and subject.code == resolved.subject_code
        and existing.grade_level == spec.grade_level
        and items == [(item.label, item.full_score) for item in spec.items]
        and classes == set(resolved.class_ids)
        and _utc(existing.due_at) == spec.due_at
    )


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time in UTC (SQLite gives it back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _read_spec(path: Path, data: bytes, errors: list[RowError]) -> AssessmentSpec | None:
    sections = {"items": (ITEM_SHEETS, ITEM_FIELDS)}
    records, settings = read_records(path, data, sections, errors)
    if is_excel(path):
        settings = _info_sheet(path, data, errors)
    values = {
        field: next(
            (
                settings[normalise_header(alias)]
                for alias in aliases
                if normalise_header(alias) in settings
            ),
            None,
        )
        for field, aliases in HEADER_FIELDS.items()
    }
    where = f"{path.name}[{INFO_SHEETS[0]}]"

    def problem(field: str, reason: str) -> None:
        errors.append(RowError(where, 1, HEADER_FIELDS[field][0], reason))

    for field in ("code", "name", "held_on", "subject", "grade"):
        if values[field] in (None, ""):
            problem(field, _("不能为空"))
    kind = KIND_WORDS.get(str(values["kind"] or "考试").strip())
    if kind is None:
        problem("kind", _("类型应为 考试、作业 或 测验"))
    held_on = _date(values["held_on"], problem)
    grade = None
    if values["grade"] not in (None, ""):
        try:
            grade = parse_grade(str(values["grade"]))
        except ValueError as reason:
            problem("grade", reason_of(reason))
    classes = _classes(values["classes"], problem)
    due_at = _due_at(values["due_at"], kind, held_on, problem)
    items = _items(records["items"], errors)
    if not records["items"]:
        errors.append(RowError(path.name, 1, ITEM_SHEETS[0], _("没有小题")))
    if errors or kind is None or held_on is None or grade is None:
        return None
    return AssessmentSpec(
        code=str(values["code"]).strip(),
        name=str(values["name"]).strip(),
        kind=kind,
        held_on=held_on,
        subject_code=str(values["subject"]).strip(),
        grade_level=grade,
        items=tuple(items),
        classes=tuple(classes),
        due_at=due_at,
        joint_code=_optional_text(values["joint_code"]),
        joint_name=_optional_text(values["joint_name"]),
    )


def _due_at(
    value: Any, kind: AssessmentKind | None, held_on: date | None, problem: Any
) -> datetime | None:
    """The due time of homework (UTC): given only for homework, and not before the day set."""
    if value in (None, ""):
        return None
    if kind is not AssessmentKind.HOMEWORK:
        problem("due_at", _("只有作业才有截止时间"))
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=CHINA_TIME)
        due = moment.astimezone(UTC)
    else:
        try:
            due = parse_timestamp(str(value))
        except ValueError as reason:
            problem("due_at", reason_of(reason))
            return None
    if held_on is not None and due.astimezone(CHINA_TIME).date() < held_on:
        problem("due_at", _("截止时间不能早于布置日期"))
        return None
    return due


def _optional_text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _info_sheet(path: Path, data: bytes, errors: list[RowError]) -> dict[str, Any]:
    sheets = read_sheets(path, data)
    table = find_sheet(sheets, INFO_SHEETS)
    if table is None:
        errors.append(RowError(path.name, 1, INFO_SHEETS[0], _("缺少“考试”工作表")))
        return {}
    pairs = [table.header, *table.rows]
    return {normalise_header(row[0]): row[1] for row in pairs if len(row) >= 2 and row[0]}


def _date(value: Any, problem: Any) -> date | None:
    if isinstance(value, date):
        return value
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10].replace("/", "-"))
    except ValueError:
        problem("held_on", _("“{value}”不是日期，应写作 2026-09-15").format(value=value))
        return None


def _classes(value: Any, problem: Any) -> list[tuple[str, str]]:
    texts = value if isinstance(value, list) else split_list(str(value or ""))
    classes = []
    for text in texts:
        school, _slash, name = str(text).replace("／", "/").partition("/")
        if not name.strip():
            problem("classes", _("“{text}”应写作 学校代码/班级名").format(text=text))
            continue
        classes.append((school.strip(), name.strip()))
    return classes


def _items(records: list[Record], errors: list[RowError]) -> list[AssessmentItemSpec]:
    items = []
    for record in records:
        label = record.text("label")
        if not label or len(label) > 20:
            errors.append(record.error("label", _("题号须为 1–20 个字符")))
            continue
        try:
            full_score = parse_number(record.text("full_score"))
        except ValueError as problem:
            errors.append(record.error("full_score", reason_of(problem)))
            continue
        if full_score <= 0:
            errors.append(record.error("full_score", _("满分须大于 0")))
            continue
        item_code = record.text("item_code") or None
        items.append(AssessmentItemSpec(label=label, full_score=full_score, item_code=item_code))
    return items
