"""Import the per-question score sheet that Chinese marking systems export.

Layout (CSV or the first sheet of an XLSX): 学号/student_number (required), 姓名/name and
班级/class (optional, checked against the roster when given), 总分/total (optional, must equal the
sum of the item scores within 0.01), 考试状态/status (optional: 缺考 marks an absentee), then one
column per assessment item headed by its label (``1``, ``13(1)``, ``选择题1``; ``第1题`` and ``T1``
also match ``1``). A cell 缺考 anywhere in a row also marks the student absent. Informational
columns (学校, 考号, 排名 …) are ignored.

A student must belong to a class that sat the assessment when the assessment lists its classes;
when it lists none, the classes of the imported students are recorded as having sat it.
Validation is vectorised over the whole score matrix and rows are written with one prepared
statement per chunk (``INSERT … ON CONFLICT DO UPDATE``), so 100 000 × 25 scores take seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import Assessment, AssessmentClass, AssessmentItem, Student
from yincai.errors import NotFound, RowError
from yincai.hub.importers.bulk import SCORE_TOLERANCE
from yincai.hub.importers.common import (
    MAX_REPORTED_ERRORS,
    ImportPlan,
    Progress,
    digest,
    raise_if_errors,
)
from yincai.hub.importers.score_diff import ScoreDiff, describe_changes
from yincai.hub.importers.scores_store import ScoreChanges, ScoreState, SittingState, load_state
from yincai.hub.importers.tabular import (
    FULL_WIDTH,
    Table,
    known_headers_of,
    match_columns,
    normalise_header,
    read_table,
)
from yincai.hub.schemas import ImportSummary
from yincai.i18n import Message, _

SCORE_COLUMNS = {
    "student_number": ("学号", "student_number", "学籍号"),
    "name": ("姓名", "name"),
    "class": ("班级", "class"),
    "total": ("总分", "total", "total_score", "总成绩"),
    "status": ("考试状态", "status", "状态"),
}
IGNORED_COLUMNS = frozenset(
    normalise_header(text)
    for text in (
        "学校",
        "学校名称",
        "学校代码",
        "school",
        "school_code",
        "考号",
        "准考证号",
        "序号",
        "排名",
        "名次",
        "班级排名",
        "年级排名",
        "学校排名",
        "区县排名",
        "班排",
        "级排",
        "校排",
        "区排",
        "客观题",
        "主观题",
        "客观分",
        "主观分",
        "客观题得分",
        "主观题得分",
        "rank",
    )
)
ABSENT_WORDS = ("缺考", "缺席", "缺", "absent")
PRESENT_WORDS = ("", "正常", "参考", "已考", "present", "normal")
TOTAL_TOLERANCE = 0.01

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class ScorePlan(ImportPlan):
    """A validated score sheet and what it changes; ``diff`` is what the preview shows."""

    changes: ScoreChanges | None = None
    diff: ScoreDiff | None = None

    def apply(self, session: Session, progress: Progress | None = None) -> None:
        assert self.changes is not None
        self.changes.apply(session, progress)

    def undo(self) -> bytes | None:
        return self.changes.undo() if self.changes is not None else None


def plan_scores(
    session: Session,
    *,
    path: Path,
    assessment_code: str,
    allowed_class_ids: frozenset[int] | None = None,
) -> ScorePlan:
    """Validate every cell of a score sheet and work out what it changes, reading only.

    ``allowed_class_ids`` (None: any) are the classes whose scores the importing person may
    write; a row of a student in another class is an error of that row.
    """
    data = path.read_bytes()
    sha256 = digest(data, assessment_code)
    assessment = session.scalars(
        select(Assessment).where(Assessment.code == assessment_code)
    ).first()
    if assessment is None:
        raise NotFound(
            _("考试 {code} 不存在").format(code=assessment_code), code="assessment.not_found"
        )
    items = list(assessment.items)
    table = read_table(path, data, known_headers=known_headers_of(SCORE_COLUMNS))
    errors: list[RowError] = []
    columns = match_columns(table, SCORE_COLUMNS, required=("student_number",), errors=errors)
    item_columns = _item_columns(table, columns, items, errors)
    raise_if_errors(path.name, errors)

    sheet = ScoreSheet(
        session, assessment, table, columns, item_columns, items, errors, allowed_class_ids
    )
    raise_if_errors(path.name, errors)
    item_ids = np.array([item.id for item in items], dtype=np.int64)
    after = ScoreState(
        assessment.id,
        sheet.student_ids,
        item_ids,
        SittingState(np.ones(len(sheet.student_ids), dtype=bool), sheet.is_absent, sheet.totals),
        sheet.scores,
    )
    before = load_state(session, assessment.id, sheet.student_ids, item_ids)
    new_class_ids = () if sheet.sitting_class_ids else tuple(sorted(set(sheet.class_ids.tolist())))
    changes = ScoreChanges(before, after, new_class_ids)
    summary = ImportSummary(
        kind="scores", file_name=path.name, sha256=sha256, n_rows=len(table.rows)
    )
    changes.count(summary)
    diff = describe_changes(session, items, changes, sheet.class_ids)
    return ScorePlan(summary=summary, assessment_id=assessment.id, changes=changes, diff=diff)


def normalise_label(text: str) -> str:
    """An item label compared loosely: ``第13（1）题`` and ``T13(1)`` both become ``13(1)``."""
    label = text.translate(FULL_WIDTH).replace(" ", "").lower()
    label = re.sub(r"^第(.+?)(?:小)?题$", r"\1", label)
    return re.sub(r"^[tq](?=\d)", "", label)


def _item_columns(
    table: Table, columns: dict[str, int], items: list[AssessmentItem], errors: list[RowError]
) -> list[int]:
    """The column of each assessment item, in item order; unknown and missing columns are errors."""
    exact = {item.label: position for position, item in enumerate(items)}
    loose = {normalise_label(item.label): position for position, item in enumerate(items)}
    found: dict[int, int] = {}
    known = set(columns.values())
    for index, header in enumerate(table.header):
        if index in known or normalise_header(header) in IGNORED_COLUMNS:
            continue
        position = exact.get(header, loose.get(normalise_label(header)))
        if position is None:
            labels = "、".join(item.label for item in items)
            errors.append(
                RowError(
                    table.file_name,
                    1,
                    header,
                    _("不是本次考试的小题（{labels}）").format(labels=labels),
                )
            )
        elif position in found:
            errors.append(RowError(table.file_name, 1, header, _("小题列重复")))
        else:
            found[position] = index
    for position, item in enumerate(items):
        if position not in found:
            reason = _("缺少该小题的列")
            errors.append(RowError(table.file_name, 1, item.label, reason))
    return [found.get(position, -1) for position in range(len(items))]


class ScoreSheet:
    """The validated sheet: one entry per row for students, a (rows × items) matrix for scores."""

    def __init__(
        self,
        session: Session,
        assessment: Assessment,
        table: Table,
        columns: dict[str, int],
        item_columns: list[int],
        items: list[AssessmentItem],
        errors: list[RowError],
        allowed_class_ids: frozenset[int] | None = None,
    ) -> None:
        self._allowed_class_ids = allowed_class_ids
        self.sitting_class_ids = set(
            session.scalars(
                select(AssessmentClass.school_class_id).where(
                    AssessmentClass.assessment_id == assessment.id
                )
            )
        )
        n_rows = len(table.rows)
        student_ids = np.zeros(n_rows, dtype=np.int64)
        class_ids = np.zeros(n_rows, dtype=np.int64)
        is_absent = np.zeros(n_rows, dtype=bool)
        self._errors = errors
        self._table = table
        self._check_students(session, assessment, columns, student_ids, class_ids, is_absent)
        cells = _cell_matrix(table.rows, item_columns)
        absent_cells = np.isin(cells, ABSENT_WORDS)
        is_absent |= absent_cells.any(axis=1)
        blank = cells == ""
        scores, is_number = _numbers(cells, blank | absent_cells)
        full = np.array([item.full_score for item in items])
        present = ~is_absent[:, None]
        headers = [table.header[index] for index in item_columns]
        self._report(present & blank, headers, _("得分为空（缺考请填“缺考”）"))
        self._report(present & ~blank & ~is_number, headers, _("不是数字"))
        self._report(present & is_number & (scores < 0), headers, _("得分为负"))
        over = present & is_number & (scores > full + SCORE_TOLERANCE)
        self._report(over, headers, _("超过该题满分（满分 {full}）"), full)
        totals = scores.sum(axis=1)
        if "total" in columns:
            is_bad = ~is_number | (scores < 0) | over  # the total is checked on sound rows only
            self._check_totals(columns["total"], totals, is_absent, present & is_bad)
        self.student_ids = student_ids
        self.class_ids = class_ids
        self.is_absent = is_absent
        self.scores = np.where(present, scores, np.nan)
        self.totals = np.where(is_absent, np.nan, totals)

    def _check_students(
        self,
        session: Session,
        assessment: Assessment,
        columns: dict[str, int],
        student_ids: npt.NDArray[np.int64],
        class_ids: npt.NDArray[np.int64],
        is_absent: BoolArray,
    ) -> None:
        table = self._table
        roster = {
            number: (student_id, name, class_id)
            for number, student_id, name, class_id in session.execute(
                select(
                    Student.student_number, Student.id, Student.name, Student.school_class_id
                ).where(Student.district_id == assessment.district_id)
            )
        }
        number_at, name_at = columns["student_number"], columns.get("name")
        status_at = columns.get("status")
        total_at = columns.get("total")
        first_row: dict[str, int] = {}
        for index, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
            student_number = cells[number_at]
            student = roster.get(student_number)
            if student_number in first_row:
                self._error(
                    number,
                    number_at,
                    _("学号与第 {row} 行重复").format(row=first_row[student_number]),
                )
                continue
            first_row[student_number] = number
            if student is None:
                self._error(
                    number, number_at, _("学号“{number}”不在名单中").format(number=student_number)
                )
                continue
            student_ids[index], class_ids[index] = student[0], student[2]
            if name_at is not None and cells[name_at] and cells[name_at] != student[1]:
                reason = _("姓名与学号不符（名单为“{name}”）").format(name=student[1])
                self._error(number, name_at, reason)
            if self.sitting_class_ids and student[2] not in self.sitting_class_ids:
                self._error(number, number_at, _("该生所在班级未参加本次考试"))
            elif self._allowed_class_ids is not None and student[2] not in self._allowed_class_ids:
                reason = _("该生不在您任教本学科的班级中，无权导入其成绩")
                self._error(number, number_at, reason)
            if status_at is not None:
                status = cells[status_at].lower()
                if status in ABSENT_WORDS:
                    is_absent[index] = True
                elif status not in PRESENT_WORDS:
                    self._error(number, status_at, _("考试状态应为 正常 或 缺考"))
            if total_at is not None and cells[total_at] in ABSENT_WORDS:
                is_absent[index] = True

    def _check_totals(
        self,
        total_at: int,
        totals: FloatArray,
        is_absent: BoolArray,
        has_bad_cell: BoolArray,
    ) -> None:
        cells = np.array([row[total_at] for row in self._table.rows], dtype=str)
        blank = (cells == "") | np.isin(cells, ABSENT_WORDS)
        given, is_number = _numbers(cells[:, None], blank[:, None])
        checked = ~is_absent & ~blank & ~has_bad_cell.any(axis=1)
        self._report(
            (checked & ~is_number[:, 0])[:, None],
            [self._table.header[total_at]],
            _("总分不是数字"),
        )
        wrong = checked & is_number[:, 0] & (np.abs(given[:, 0] - totals) > TOTAL_TOLERANCE)
        for index in np.flatnonzero(wrong)[:MAX_REPORTED_ERRORS]:
            reason = _("总分 {total} 与小题得分之和 {sum} 不符").format(
                total=f"{given[index, 0]:g}", sum=f"{totals[index]:g}"
            )
            self._error(self._table.row_numbers[index], total_at, reason)

    def _report(
        self, mask: BoolArray, headers: list[str], reason: Message, full: FloatArray | None = None
    ) -> None:
        for index, position in np.argwhere(mask)[:MAX_REPORTED_ERRORS]:
            why = reason if full is None else reason.format(full=f"{full[position]:g}")
            row = self._table.row_numbers[index]
            self._errors.append(RowError(self._table.file_name, row, headers[position], why))

    def _error(self, row: int, column: int, reason: Message) -> None:
        self._errors.append(
            RowError(self._table.file_name, row, self._table.header[column], reason)
        )


def _cell_matrix(rows: list[list[str]], item_columns: list[int]) -> npt.NDArray[np.str_]:
    if len(item_columns) == 1:
        return np.array([[row[item_columns[0]]] for row in rows], dtype=str).reshape(-1, 1)
    pick = itemgetter(*item_columns)
    return np.array([pick(row) for row in rows], dtype=str).reshape(len(rows), len(item_columns))


def _numbers(cells: npt.NDArray[np.str_], skip: BoolArray) -> tuple[FloatArray, BoolArray]:
    """Parse the cells not skipped as numbers: (values with 0 where skipped or bad, is_number)."""
    text = np.where(skip, "0", cells)
    try:
        values = text.astype(np.float64)
    except ValueError:  # rare: find the bad cells one by one
        values = np.vectorize(_float_or_nan, otypes=[np.float64])(text)
    is_number = ~skip & np.isfinite(values)
    return np.where(is_number, values, 0.0), is_number


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")
