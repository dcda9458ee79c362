"""Import learning logs: attempts from homework, practice apps and benchmark datasets.

Formats:

- ``csv``: 学号/student_number, 题目/item or 知识点/skill (or both), 正确/correct (1/0, 对/错,
  true/false) or 得分/score (with 满分/full_score; without it the score must already lie in [0, 1]),
  时间/timestamp (ISO 8601; without a zone it is Beijing time); optionally 作业编号/assignment, the
  code of the homework (an assessment of kind 作业 set to the student's class) the attempt answers.
  A CSV with an order column and no time column is a public log's long layout (pyBKT's
  ``user_id, skill_name, correct, order_id``; the ASSISTments exports with ``problem_id`` and
  ``skill_id``, multi-skill rows ``10_13`` or one row per skill sharing an ``order_id``): rows of a
  student with one order are one attempt, the student's i-th attempt happens ``start_at`` + i
  minutes, and the activity is the problem, or else each of the attempt's skills.
- ``xapi``: a JSON list of xAPI statements, or ``{"statements": [...]}``. Statements whose verb id
  ends in ``answered`` or ``completed`` count; the student number is ``actor.account.name`` or the
  part before ``@`` of ``actor.mbox``; the activity is the last path segment of ``object.id``;
  ``result.success`` and ``result.score`` (``scaled``, or ``raw``/``max``) give the outcome.
- ``kt``: the three-line knowledge-tracing format (attempt count; skill or question ids; 0/1
  answers) with neither student ids nor times: the k-th sequence belongs to the k-th number of the
  ``students`` file (one per line), attempt i happens ``start_at`` + i minutes, and the activity is
  ``"<source>:<id>"``.

Activities resolve to an item or knowledge point when they (or, for ``kt``, the bare id) equal its
code. Without a score the stored score is 1 or 0 from correctness; without correctness an attempt
is correct when it scores full marks. Events are keyed by (student, source, activity, time).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    Item,
    KnowledgePoint,
    LearningEvent,
    Student,
)
from yincai.errors import RowError
from yincai.hub.importers.common import (
    ImportPlan,
    Progress,
    digest,
    raise_if_errors,
    resolve_district,
)
from yincai.hub.importers.log_formats import Attempt, read_csv_log, read_kt_log, read_xapi_log
from yincai.hub.schemas import ImportSummary
from yincai.i18n import Message, _

WRITE_CHUNK = 20_000


class LogFormat(enum.StrEnum):
    CSV = "csv"
    XAPI = "xapi"
    KT = "kt"


LOG_FORMAT_NAMES = {
    LogFormat.CSV: _("表格（学号、题目、时间、对错）"),
    LogFormat.XAPI: _("xAPI 学习记录"),
    LogFormat.KT: _("知识追踪数据集（每名学生三行）"),
}


@dataclass(frozen=True)
class _Key:
    student_id: int
    activity: str
    occurred_at: datetime  # naive UTC, as both databases give it back comparably


@dataclass
class LogsPlan(ImportPlan):
    """Validated attempts: those not stored yet and those whose outcome changed."""

    new: list[dict[str, object]] = field(default_factory=list)
    changed: list[dict[str, object]] = field(default_factory=list)

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        total = len(self.new) + len(self.changed)
        for start in range(0, len(self.new), WRITE_CHUNK):
            session.execute(insert(LearningEvent), self.new[start : start + WRITE_CHUNK])
            if progress is not None:
                progress(min(start + WRITE_CHUNK, len(self.new)), total)
        if self.changed:
            session.execute(update(LearningEvent), self.changed)
        if progress is not None:
            progress(total, total)


def plan_logs(
    session: Session,
    *,
    path: Path,
    format: LogFormat | str = LogFormat.CSV,
    source: str | None = None,
    district_code: str | None = None,
    students_path: Path | None = None,
    start_at: datetime | None = None,
) -> LogsPlan:
    """Validate every attempt of a log file and work out which learning events it adds or
    changes, reading only.

    ``source`` (default: the format name) tells apart systems whose activity ids could clash;
    ``students_path`` is for the ``kt`` format only, ``start_at`` for it and for CSV logs
    without times.
    """
    log_format = LogFormat(format)
    source = source or log_format.value
    data = path.read_bytes()
    students_data = students_path.read_bytes() if students_path is not None else b""
    start = start_at.isoformat() if start_at else ""
    sha256 = digest(data, log_format.value, source, students_data.decode("utf-8", "replace"), start)
    district = resolve_district(session, district_code)
    errors: list[RowError] = []
    if log_format is LogFormat.CSV:
        attempts = read_csv_log(path, data, errors, start_at=start_at)
    elif log_format is LogFormat.XAPI:
        attempts = read_xapi_log(path, data, errors)
    else:
        attempts = read_kt_log(path, data, source, students_path, students_data, start_at, errors)
    roster = {
        number: (student_id, class_id)
        for number, student_id, class_id in session.execute(
            select(Student.student_number, Student.id, Student.school_class_id).where(
                Student.district_id == district.id
            )
        ).all()
    }
    homework = _homework_of(session, district.id, {a.assignment for a in attempts if a.assignment})
    first_row: dict[_Key, int] = {}
    keys: list[_Key] = []
    for attempt in attempts:
        student_id, class_id = roster.get(attempt.student_number, (None, None))
        if student_id is None:
            reason = _("学号“{number}”不在名单中").format(number=attempt.student_number)
            errors.append(RowError(attempt.file, attempt.row, attempt.student_column, reason))
            continue
        if attempt.assignment is not None:
            refusal = _assignment_refusal(homework.get(attempt.assignment), class_id)
            if refusal is not None:
                refusal = refusal.format(code=attempt.assignment)
                errors.append(
                    RowError(attempt.file, attempt.row, attempt.assignment_column, refusal)
                )
                continue
        key = _Key(student_id, attempt.activity, attempt.occurred_at.replace(tzinfo=None))
        if key in first_row:
            reason = _("与第 {row} 行是同一次作答").format(row=first_row[key])
            errors.append(RowError(attempt.file, attempt.row, attempt.activity_column, reason))
            continue
        first_row[key] = attempt.row
        keys.append(key)
    raise_if_errors(path.name, errors)

    summary = ImportSummary(kind="logs", file_name=path.name, sha256=sha256, n_rows=len(attempts))
    plan = LogsPlan(summary=summary)
    assignment_ids = {code: found[0] for code, found in homework.items()}
    _plan_events(session, source, attempts, keys, plan, assignment_ids)
    return plan


def _assignment_refusal(
    found: tuple[int, bool, set[int]] | None, class_id: int | None
) -> Message | None:
    """Why an attempt cannot answer the homework its row names (None: it can)."""
    if found is None:
        return _("作业编号“{code}”不存在")
    if not found[1]:
        return _("“{code}”不是作业")
    if class_id not in found[2]:
        return _("作业“{code}”没有布置给该学生的班级")
    return None


def _homework_of(
    session: Session, district_id: int, codes: set[str | None]
) -> dict[str, tuple[int, bool, set[int]]]:
    """Code → (id, is homework, the classes it was set to) of the assessments named."""
    wanted = sorted(code for code in codes if code)
    if not wanted:
        return {}
    found: dict[str, tuple[int, bool, set[int]]] = {}
    for code, assessment_id, kind, class_id in session.execute(
        select(Assessment.code, Assessment.id, Assessment.kind, AssessmentClass.school_class_id)
        .outerjoin(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .where(Assessment.district_id == district_id, Assessment.code.in_(wanted))
    ).all():
        entry = found.setdefault(code, (assessment_id, kind == AssessmentKind.HOMEWORK, set()))
        if class_id is not None:
            entry[2].add(class_id)
    return found


def _plan_events(
    session: Session,
    source: str,
    attempts: list[Attempt],
    keys: list[_Key],
    plan: LogsPlan,
    assignment_ids: dict[str, int],
) -> None:
    items = dict(session.execute(select(Item.code, Item.id)).all())
    kps = dict(session.execute(select(KnowledgePoint.code, KnowledgePoint.id)).all())
    stored = _stored_events(session, source, sorted({key.student_id for key in keys}))
    new, changed = plan.new, plan.changed
    counts = plan.summary.count("learning_event")
    for attempt, key in zip(attempts, keys, strict=True):
        values: dict[str, object] = {
            "item_id": items.get(attempt.activity, items.get(attempt.bare_id)),
            "knowledge_point_id": kps.get(
                attempt.skill or attempt.activity, kps.get(attempt.bare_id)
            ),
            "is_correct": attempt.is_correct,
            "score": attempt.score,
        }
        known = stored.get(key)
        # a log without the assignment column keeps the link an earlier import made
        values["assessment_id"] = (
            assignment_ids[attempt.assignment]
            if attempt.assignment is not None
            else (known[-1] if known is not None else None)
        )
        if known is None:
            new.append(
                {
                    "student_id": key.student_id,
                    "source": source,
                    "activity": key.activity,
                    "occurred_at": attempt.occurred_at,
                    **values,
                }
            )
            counts.new += 1
        elif known[1:] != tuple(values.values()):
            changed.append({"id": known[0], **values})
            counts.updated += 1
        else:
            counts.unchanged += 1


def _stored_events(
    session: Session, source: str, student_ids: list[int]
) -> dict[_Key, tuple[object, ...]]:
    stored: dict[_Key, tuple[object, ...]] = {}
    for start in range(0, len(student_ids), WRITE_CHUNK):
        chunk = student_ids[start : start + WRITE_CHUNK]
        for event in session.execute(
            select(
                LearningEvent.student_id,
                LearningEvent.activity,
                LearningEvent.occurred_at,
                LearningEvent.id,
                LearningEvent.item_id,
                LearningEvent.knowledge_point_id,
                LearningEvent.is_correct,
                LearningEvent.score,
                LearningEvent.assessment_id,
            ).where(LearningEvent.source == source, LearningEvent.student_id.in_(chunk))
        ):
            moment = event.occurred_at
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            stored[_Key(event.student_id, event.activity, moment)] = tuple(event[3:])
    return stored
