"""A joint-exam report as an XLSX workbook: 总体, 学生总分, 学科, 偏科, 班级对比 (and 学校对比),
the same figures as the page (every student, unpaged), header frozen, numbers formatted."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from yincai.analysis.joint import BalanceRow, JointReport
from yincai.spreadsheets import Cell, append_row

SCORE_FORMAT = "0.0"
Z_FORMAT = "0.00"
RATE_FORMAT = "0.0%"
OVERVIEW_HEADER = ["范围", "学生数", "完整参考人数", "缺科人数", "总分满分", "平均分", "中位数"]
OVERVIEW_HEADER += ["标准差", "最高分", "最低分", "优秀率", "良好率", "及格率"]
SUBJECT_HEADER = ["学科", "满分", "参考人数", "缺考人数", "平均分", "标准差", "得分率", "优秀率"]
SUBJECT_HEADER += ["良好率", "及格率", "平均标准分", "对照平均标准分"]
COMPARISON_HEADER = ["学校", "名称", "学生数", "完整参考人数", "总分平均分", "总分排位"]
COMPARISON_HEADER += ["均衡指数", "均衡排位"]


def _sheet(
    workbook: Workbook,
    title: str,
    header: list[str],
    rows: list[list[Cell]],
    formats: dict[int, str] | None = None,
) -> Worksheet:
    """A sheet with a bold, frozen header; ``formats`` maps a column (0-based) to its format."""
    sheet = workbook.create_sheet(title)
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(
            min_row=2, min_col=column + 1, max_col=column + 1, max_row=sheet.max_row
        ):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    return sheet


def joint_workbook(report: JointReport) -> Workbook:
    """The workbook of one joint-exam report (ranks left out when the page hides them)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    summary, rates = report.summary, report.summary.rates
    overview = _sheet(
        workbook,
        "总体",
        OVERVIEW_HEADER,
        [
            [
                report.scope_title,
                report.n_students,
                summary.n_participants,
                summary.n_absent,
                report.full_score,
                summary.mean,
                summary.median,
                summary.sd,
                summary.max,
                summary.min,
                rates.excellent_rate,
                rates.good_rate,
                rates.pass_rate,
            ]
        ],
        {5: SCORE_FORMAT, 6: SCORE_FORMAT, 7: SCORE_FORMAT, 10: RATE_FORMAT, 11: RATE_FORMAT}
        | {12: RATE_FORMAT},
    )
    append_row(overview, [])
    append_row(overview, ["联考", f"{report.code} {report.name}", "日期", str(report.held_on)])
    append_row(overview, ["偏科标准", f"最强与最弱学科标准分相差 ≥ {report.lopsided_spread:g}"])
    subjects = [subject.name for subject in report.subjects]
    n = len(subjects)
    ranks = ["班级名次", "学校名次", "全区名次"] if report.shows_ranks else []
    header = ["学号", "姓名", "学校", "班级", "总分", *ranks, *subjects]
    header += [f"{name}标准分" for name in subjects] + ["偏科", "薄弱学科", "缺考学科"]
    first_score = 5 + len(ranks)
    _sheet(
        workbook,
        "学生总分",
        header,
        [
            [
                line.student_number,
                line.name,
                line.school_name,
                line.class_name,
                line.total,
                *(
                    [line.class_rank, line.school_rank, line.district_rank]
                    if report.shows_ranks
                    else []
                ),
                *line.scores,
                *line.z,
                "是" if line.is_lopsided else "",
                line.weak_subject or "",
                "、".join(line.missing),
            ]
            for line in report.students
        ],
        {4: SCORE_FORMAT}
        | {first_score + k: SCORE_FORMAT for k in range(n)}
        | {first_score + n + k: Z_FORMAT for k in range(n)},
    )
    _sheet(
        workbook,
        "学科",
        SUBJECT_HEADER,
        [
            [
                stats.name,
                stats.full_score,
                stats.n_sat,
                stats.n_missing,
                stats.mean,
                stats.sd,
                stats.score_rate,
                stats.rates.excellent_rate,
                stats.rates.good_rate,
                stats.rates.pass_rate,
                stats.mean_z,
                stats.reference_mean_z,
            ]
            for stats in report.subject_stats
        ],
        {4: SCORE_FORMAT, 5: SCORE_FORMAT, 6: RATE_FORMAT, 7: RATE_FORMAT, 8: RATE_FORMAT}
        | {9: RATE_FORMAT, 10: Z_FORMAT, 11: Z_FORMAT},
    )
    _sheet(
        workbook,
        "偏科",
        ["学号", "姓名", "班级", "优势学科", "薄弱学科", "标准分极差"]
        + [f"{name}强弱" for name in subjects],
        [
            [
                line.student_number,
                line.name,
                line.class_name,
                line.strong_subject or "",
                line.weak_subject or "",
                line.spread,
                *line.strengths,
            ]
            for line in report.lopsided
        ],
        {5 + k: Z_FORMAT for k in range(n + 1)},
    )
    _comparison_sheet(workbook, "班级对比", report.classes, subjects)
    if report.schools:
        _comparison_sheet(workbook, "学校对比", report.schools, subjects)
    return workbook


def _comparison_sheet(
    workbook: Workbook, title: str, rows: list[BalanceRow], subjects: list[str]
) -> None:
    _sheet(
        workbook,
        title,
        [*COMPARISON_HEADER, *(f"{name}平均标准分" for name in subjects)],
        [
            [
                row.school_name,
                row.name,
                row.n_students,
                row.n_complete,
                row.total_mean,
                row.total_rank,
                row.balanced_index,
                row.balanced_rank,
                *row.subject_z,
            ]
            for row in rows
        ],
        {4: SCORE_FORMAT, 6: Z_FORMAT} | {8 + k: Z_FORMAT for k in range(len(subjects))},
    )


def joint_workbook_bytes(report: JointReport) -> bytes:
    """The workbook as bytes, for a download."""
    buffer = BytesIO()
    joint_workbook(report).save(buffer)
    return buffer.getvalue()
