"""An exam report's tables as an XLSX workbook: 总体, 一分一段, 小题分析, 知识点, 班级对比."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from yincai.analysis.exam import ExamReport
from yincai.analysis.totals import TotalSummary
from yincai.spreadsheets import Cell, append_row

ITEM_HEADER = ["题号", "满分", "作答人数", "平均分", "得分率", "全体得分率", "区分度", "点二列相关"]
ITEM_HEADER += ["选项分布", "问题"]
CLASS_HEADER = ["学校", "班级", "参考人数", "缺考人数", "平均分", "标准差", "最高分", "最低分"]
CLASS_HEADER += ["优秀率", "良好率", "及格率", "均分差", "Cohen d", "Hedges g", "p 值", "差异显著"]


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Cell]]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    return sheet


def _summary_rows(summary: TotalSummary) -> list[Cell]:
    rates = summary.rates
    return [
        summary.n_participants,
        summary.n_absent,
        summary.mean,
        summary.median,
        summary.sd,
        summary.max,
        summary.min,
        summary.score_rate,
        rates.excellent_rate,
        rates.good_rate,
        rates.pass_rate,
    ]


def exam_workbook(report: ExamReport) -> Workbook:
    """The workbook of one report; the 一分一段 sheet is left out when ranks are not shown."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    summary_header = ["范围", "参考人数", "缺考人数", "平均分", "中位数", "标准差", "最高分"]
    summary_header += ["最低分", "得分率", "优秀率", "良好率", "及格率"]
    overview = _sheet(
        workbook,
        "总体",
        summary_header,
        [
            [report.scope_title, *_summary_rows(report.summary)],
            ["全体", *_summary_rows(report.reference)],
        ],
    )
    append_row(overview, [])
    append_row(overview, ["考试", f"{report.code} {report.name}", "满分", report.full_score])
    append_row(overview, ["信度 α", report.items.alpha, "测量标准误", report.items.sem])
    append_row(overview, ["缺考学生", *(f"{a.class_name} {a.name}" for a in report.absentees)])
    if report.shows_ranks:
        _sheet(
            workbook,
            "一分一段",
            ["分数", "人数", "累计人数", "名次"],
            [[row.score, row.count, row.cumulative, row.rank] for row in report.score_bands],
        )
    _sheet(
        workbook,
        "小题分析",
        ITEM_HEADER,
        [
            [
                item.label,
                item.full_score,
                item.n_answered,
                item.mean,
                item.score_rate,
                item.reference_score_rate,
                item.discrimination,
                item.point_biserial,
                " ".join(f"{o.option}{'*' if o.is_key else ''}:{o.count}" for o in item.options),
                "；".join(flag.reason for flag in item.flags),
            ]
            for item in report.items.items
        ],
    )
    _sheet(
        workbook,
        "知识点",
        ["代码", "知识点", "题数", "得分率", "全体得分率", *report.knowledge.groups],
        [
            [
                row.code,
                row.name,
                row.n_items,
                row.score_rate,
                row.reference_score_rate,
                *row.group_rates,
            ]
            for row in report.knowledge.rows
        ],
    )
    _sheet(
        workbook,
        "班级对比",
        CLASS_HEADER,
        [
            [
                row.school_name,
                row.name,
                row.n_participants,
                row.n_absent,
                row.mean,
                row.sd,
                row.max,
                row.min,
                row.excellent_rate,
                row.good_rate,
                row.pass_rate,
                row.mean_difference,
                row.cohens_d,
                row.hedges_g,
                row.p_value,
                "是" if row.is_significant else "否",
            ]
            for row in report.classes
        ],
    )
    return workbook


def write_exam_workbook(report: ExamReport, path: Path) -> Path:
    """Save the report's workbook at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exam_workbook(report).save(path)
    return path


def exam_workbook_bytes(report: ExamReport) -> bytes:
    """The workbook as bytes, for a download."""
    buffer = BytesIO()
    exam_workbook(report).save(buffer)
    return buffer.getvalue()
