"""Downloadable import templates: XLSX workbooks with the Chinese headers every importer reads,
an example row and a sheet 填写说明 explaining each column.

The headers come from the importers' own column tables, so a template always imports. A score
template for an assessment has one column per item and may be pre-filled with its students.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from yincai.hub.importers.assessments import HEADER_FIELDS, INFO_SHEETS, ITEM_FIELDS, ITEM_SHEETS
from yincai.hub.importers.growth import GROWTH_COLUMNS
from yincai.hub.importers.items import ITEM_FIELDS as BANK_ITEM_FIELDS
from yincai.hub.importers.knowledge_points import KP_FIELDS
from yincai.hub.importers.roster import STUDENT_COLUMNS
from yincai.hub.importers.roster_teachers import TEACHER_COLUMNS
from yincai.hub.importers.scores import SCORE_COLUMNS
from yincai.i18n import _
from yincai.spreadsheets import append_row, style_header

TEMPLATE_KINDS = {
    "roster": _("学生与教师名册模板"),
    "items": _("题库模板"),
    "assessment": _("考试设置模板"),
    "scores": _("成绩表模板"),
    "growth": _("成长档案记录模板"),
}


@dataclass(frozen=True)
class Column:
    field: str
    is_required: bool
    meaning: str
    example: str


ROSTER_STUDENTS = (
    Column("school_code", True, "学校代码，全区唯一", "SFQ01"),
    Column("school", False, "学校名称（新学校必填）", "示范区第一中学"),
    Column("setting", False, "城区 / 乡镇 / 农村（新学校必填）", "城区"),
    Column("stage", False, "小学 / 初中 / 九年一贯制 / 高中（新学校必填）", "初中"),
    Column("grade", True, "七年级、初一或 7", "七年级"),
    Column("class", True, "班级名，如 1班 或 七年级（1）班；括号全角半角均可", "（1）班"),
    Column("student_number", True, "学号，全区唯一", "20260100001"),
    Column("name", True, "学生姓名", "张三"),
    Column("gender", True, "男 / 女", "男"),
    Column("birth_year", False, "出生年份", "2013"),
    Column("enrolment_year", False, "入学年份", "2025"),
    Column("guardian_name", False, "监护人姓名", "张父"),
    Column("guardian_phone", False, "监护人电话", "13800000000"),
)
ROSTER_TEACHERS = (
    Column("staff_number", True, "工号，全区唯一", "T0001"),
    Column("name", True, "教师姓名", "李老师"),
    Column("school_code", True, "学校代码", "SFQ01"),
    Column("gender", False, "男 / 女", "女"),
    Column("subject", True, "任教学科，如 数学", "数学"),
    Column(
        "classes", True, "任教班级，多个用分号隔开，如 七年级（1）班;七年级（2）班", "七年级（1）班"
    ),
    Column("head_teacher", False, "班主任：是 / 否，或所任班主任的班级名", "七年级（1）班"),
)
BANK_POINTS = (
    Column("code", True, "知识点编码，唯一", "M7A.01"),
    Column("name", True, "知识点名称", "正数和负数"),
    Column("level", False, "学科 / 章 / 节 / 知识点（默认 知识点）", "知识点"),
    Column("parent", False, "上级知识点编码", ""),
    Column("grade", False, "年级", "七年级"),
    Column("semester", False, "上 / 下", "上"),
    Column("prerequisites", False, "先修知识点编码，多个用分号隔开", ""),
    Column("subject", False, "学科（可由上级继承）", "数学"),
)
BANK_ITEMS = (
    Column("code", True, "题目编码，唯一", "M7-0001"),
    Column("type", True, "单选题 / 多选题 / 判断题 / 填空题 / 简答题 / 解答题", "单选题"),
    Column("stem", True, "题干（公式可写 LaTeX，如 $\\frac{1}{2}$）", "$-3$ 的相反数是"),
    Column("options", False, "选项，用 | 隔开（选择题必填）", "A. 3|B. -3|C. 1/3"),
    Column("answer", True, "答案：选择题写字母，判断题写 对/错", "A"),
    Column("full_score", True, "满分", "3"),
    Column("kps", False, "知识点编码，可带权重：M7A.01:0.6;M7A.02:0.4", "M7A.01"),
    Column("grade", False, "年级", "七年级"),
    Column("difficulty", False, "难度 0–1（得分率）", "0.8"),
    Column("subject", False, "学科（可由知识点推出）", "数学"),
)
ASSESSMENT_INFO = (
    Column("code", True, "考试代码，唯一（字母数字）", "2026A-M7-1"),
    Column("name", True, "考试名称", "七年级数学第一次月考"),
    Column("kind", False, "考试 / 作业 / 测验（默认 考试）", "考试"),
    Column("held_on", True, "日期", "2026-10-12"),
    Column("subject", True, "学科", "数学"),
    Column("grade", True, "年级", "七年级"),
    Column("classes", False, "参考班级：学校代码/班级名，多个用分号隔开", "SFQ01/七年级（1）班"),
    Column(
        "joint_code", False, "联考代码：同一次联考的各学科试卷填同一代码（可不填）", "2026A-J7-2"
    ),
    Column("joint_name", False, "联考名称：新联考必填，已有联考可不填", "七年级期中考试"),
)
ASSESSMENT_ITEMS = (
    Column("label", True, "题号，与成绩表的列名一致，如 1、13(1)", "1"),
    Column("full_score", True, "满分", "3"),
    Column("item_code", False, "题库中的题目编码（用于知识点诊断）", ""),
)


GROWTH_RECORDS = (
    Column("student_number", True, "学号，全区唯一", "20260100001"),
    Column(
        "dimension",
        True,
        "品德发展 / 学业发展 / 身心健康 / 艺术素养 / 劳动实践（也可写 德、智、体、美、劳）",
        "艺术素养",
    ),
    Column("recorded_on", True, "日期（年-月-日），不晚于今天", "2026-10-12"),
    Column("evidence", True, "具体表现与依据，最多 500 字", "书法作品入选校园书法展"),
    Column(
        "recorded_by", False, "记录人的身份，如 班主任、体育教师（不写姓名；默认 学校）", "美术教师"
    ),
)


def growth_template() -> bytes:
    """Growth-archive records: one row per piece of evidence; importing again changes nothing."""
    workbook = Workbook()
    _sheet(workbook.active, "成长记录", GROWTH_COLUMNS, GROWTH_RECORDS)
    _notes(workbook, [("成长记录", GROWTH_RECORDS, GROWTH_COLUMNS)])
    return _bytes(workbook)


def roster_template() -> bytes:
    workbook = Workbook()
    _sheet(workbook.active, "学生", STUDENT_COLUMNS, ROSTER_STUDENTS)
    _sheet(workbook.create_sheet(), "教师", TEACHER_COLUMNS, ROSTER_TEACHERS)
    _notes(
        workbook,
        [("学生", ROSTER_STUDENTS, STUDENT_COLUMNS), ("教师", ROSTER_TEACHERS, TEACHER_COLUMNS)],
    )
    return _bytes(workbook)


def items_template() -> bytes:
    workbook = Workbook()
    _sheet(workbook.active, "知识点", KP_FIELDS, BANK_POINTS)
    _sheet(workbook.create_sheet(), "题目", BANK_ITEM_FIELDS, BANK_ITEMS)
    _notes(workbook, [("知识点", BANK_POINTS, KP_FIELDS), ("题目", BANK_ITEMS, BANK_ITEM_FIELDS)])
    return _bytes(workbook)


def assessment_template() -> bytes:
    workbook = Workbook()
    info = workbook.active
    info.title = INFO_SHEETS[0]
    append_row(info, ["项目", "内容"])
    for column in ASSESSMENT_INFO:
        append_row(info, [HEADER_FIELDS[column.field][0], column.example])
    _style_header(info, 2)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 36
    _sheet(workbook.create_sheet(), ITEM_SHEETS[0], ITEM_FIELDS, ASSESSMENT_ITEMS)
    _notes(
        workbook,
        [("小题", ASSESSMENT_ITEMS, ITEM_FIELDS), ("考试", ASSESSMENT_INFO, HEADER_FIELDS)],
    )
    return _bytes(workbook)


@dataclass(frozen=True)
class StudentEntry:
    student_number: str
    name: str
    class_name: str


def scores_template(
    labels: Sequence[str] = ("1", "2", "3"),
    students: Sequence[StudentEntry] = (),
    *,
    title: str = "成绩",
) -> bytes:
    """A per-question score sheet: 学号, 姓名, 班级, one column per item label; with students
    the rows are pre-filled for marks to be typed in, else one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    header = [
        SCORE_COLUMNS["student_number"][0],
        SCORE_COLUMNS["name"][0],
        SCORE_COLUMNS["class"][0],
    ]
    append_row(sheet, [*header, *labels])
    if students:
        for student in students:
            append_row(sheet, [student.student_number, student.name, student.class_name])
    else:
        append_row(sheet, ["20260100001", "张三", "七年级（1）班", *["" for _ in labels]])
    for cell in sheet["A"][1:]:
        cell.number_format = "@"  # student numbers stay text (no 2.03E+10)
    _style_header(sheet, len(header) + len(labels))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["C"].width = 16
    notes = workbook.create_sheet("填写说明")
    append_row(notes, ["说明"])
    for line in (
        "每行一名学生；学号必填，姓名和班级用于核对，可留空。",
        "每道小题一列，列名为题号（如 1、13(1)；“第1题”“T1”也可识别），填写该题得分。",
        "缺考的学生在任一小题格填“缺考”，或增加一列“考试状态”填“缺考”。",
        "可增加“总分”列，系统会核对总分等于各小题得分之和。",
        "同一考试再次导入时，以最后确认导入的文件为准；表中未出现的学生成绩保持不变。",
    ):
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 90
    return _bytes(workbook)


def _sheet(
    sheet: Worksheet,
    title: str,
    aliases: Mapping[str, Sequence[str]],
    columns: Sequence[Column],
) -> None:
    sheet.title = title
    append_row(sheet, [aliases[column.field][0] for column in columns])
    append_row(sheet, [column.example for column in columns])
    _style_header(sheet, len(columns))
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, min(30, 2 * len(column.example) + 4))
        if column.field in ("student_number", "staff_number", "code", "school_code"):
            sheet.cell(row=2, column=index).number_format = "@"


def _notes(
    workbook: Workbook,
    parts: Sequence[tuple[str, Sequence[Column], Mapping[str, Sequence[str]]]],
) -> None:
    notes = workbook.create_sheet("填写说明")
    append_row(notes, ["工作表", "列名", "是否必填", "说明", "也可写作"])
    for sheet_name, columns, aliases in parts:
        for column in columns:
            names = aliases[column.field]
            append_row(notes,
                [sheet_name, names[0], "必填" if column.is_required else "选填", column.meaning,
                 "、".join(names[1:])]
            )  # fmt: skip
    _style_header(notes, 5)
    for letter, width in zip("ABCDE", (10, 14, 10, 56, 40), strict=True):
        notes.column_dimensions[letter].width = width


def _style_header(sheet: Worksheet, width: int) -> None:
    style_header(sheet, width)  # the platform's one header style, row 1 frozen


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
