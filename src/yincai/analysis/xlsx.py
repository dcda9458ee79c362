"""An exam report's tables as an XLSX workbook: 总体, 一分一段, 小题分析, 知识点, 班级对比, and
with the report's details 成绩单 (every student, 小题分), 分数线, 临界生, 分数段, 试卷讲评 and
班级与教师对比. Numbers are stored rounded to what the page shows (rates as fractions in
percent format); every sheet has a frozen header row and fitted columns."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from yincai.analysis.classes import SideBySideRow
from yincai.analysis.details import ExamDetails
from yincai.analysis.exam import ExamReport
from yincai.analysis.totals import TotalSummary
from yincai.spreadsheets import (
    INTEGER,
    PERCENT,
    SCORE,
    SCORE_2,
    SCORE_3,
    Cell,
    Column,
    append_row,
    rounded,
    write_table,
)

ITEM_COLUMNS = [
    Column("题号"),
    Column("满分", SCORE),
    Column("作答人数", INTEGER),
    Column("平均分", SCORE_2),
    Column("得分率", PERCENT),
    Column("全体得分率", PERCENT),
    Column("区分度", SCORE_2),
    Column("点二列相关", SCORE_2),
    Column("选项分布", width=36),
    Column("问题", width=60),
]
CLASS_COLUMNS = [
    Column("学校"),
    Column("班级"),
    Column("参考人数", INTEGER),
    Column("缺考人数", INTEGER),
    Column("平均分", SCORE),
    Column("标准差", SCORE),
    Column("最高分", SCORE),
    Column("最低分", SCORE),
    Column("优秀率", PERCENT),
    Column("良好率", PERCENT),
    Column("及格率", PERCENT),
    Column("低分率", PERCENT),
    Column("均分差", SCORE),
    Column("Cohen d", SCORE_2),
    Column("Hedges g", SCORE_2),
    Column("p 值", SCORE_3),
    Column("差异显著"),
]
SUMMARY_COLUMNS = [
    Column("范围"),
    Column("参考人数", INTEGER),
    Column("缺考人数", INTEGER),
    Column("平均分", SCORE),
    Column("中位数", SCORE),
    Column("标准差", SCORE),
    Column("最高分", SCORE),
    Column("最低分", SCORE),
    Column("得分率", PERCENT),
    Column("优秀率", PERCENT),
    Column("良好率", PERCENT),
    Column("及格率", PERCENT),
    Column("低分率", PERCENT),
]
BAND_COLUMNS = [
    Column("分数", SCORE),
    Column("人数", INTEGER),
    Column("累计人数", INTEGER),
    Column("名次", INTEGER),
]
# Kept for readers of the header alone (tests, the CLI's column list).
ITEM_HEADER = [column.header for column in ITEM_COLUMNS]
CLASS_HEADER = [column.header for column in CLASS_COLUMNS]
RANK_HEADERS = {"class": "班级名次", "school": "学校名次", "district": "全区名次"}


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
        rates.low_rate,
    ]


def option_text(report: ExamReport, index: int) -> str:
    """The 选项分布 of one item: each option with its share, the key starred."""
    item = report.items.items[index]
    return " ".join(
        f"{o.option}{'*' if o.is_key else ''} {o.share:.1%}" if o.share is not None else o.option
        for o in item.options
    )


def exam_workbook(report: ExamReport, details: ExamDetails | None = None) -> Workbook:
    """The workbook of one report; the 一分一段 sheet and the ranks of the 成绩单 are left out
    when ranks are not shown."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    overview = workbook.create_sheet("总体")
    write_table(
        overview,
        SUMMARY_COLUMNS,
        [
            [report.scope_title, *_summary_rows(report.summary)],
            ["全体", *_summary_rows(report.reference)],
        ],
    )
    append_row(overview, [])
    append_row(overview, ["考试", f"{report.code} {report.name}", "满分", report.full_score])
    append_row(
        overview,
        [
            "信度 α",
            rounded(report.items.alpha, SCORE_2),
            "测量标准误",
            rounded(report.items.sem, SCORE_2),
        ],
    )
    append_row(overview, ["缺考学生", *(f"{a.class_name} {a.name}" for a in report.absentees)])
    if report.shows_ranks:
        write_table(
            workbook.create_sheet("一分一段"),
            BAND_COLUMNS,
            [[row.score, row.count, row.cumulative, row.rank] for row in report.score_bands],
        )
    write_table(
        workbook.create_sheet("小题分析"),
        ITEM_COLUMNS,
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
                option_text(report, index),
                "；".join(flag.reason for flag in item.flags),
            ]
            for index, item in enumerate(report.items.items)
        ],
    )
    write_table(
        workbook.create_sheet("知识点"),
        [
            Column("代码"),
            Column("知识点"),
            Column("题数", INTEGER),
            Column("得分率", PERCENT),
            Column("全体得分率", PERCENT),
            *(Column(group, PERCENT) for group in report.knowledge.groups),
        ],
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
    write_table(
        workbook.create_sheet("班级对比"),
        CLASS_COLUMNS,
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
                row.low_rate,
                row.mean_difference,
                row.cohens_d,
                row.hedges_g,
                row.p_value,
                "是" if row.is_significant else "否",
            ]
            for row in report.classes
        ],
    )
    if details is not None:
        _detail_sheets(workbook, details)
    return workbook


def _detail_sheets(workbook: Workbook, details: ExamDetails) -> None:
    transcript = details.transcript
    levels = transcript.rank_levels
    write_table(
        workbook.create_sheet("成绩单"),
        [
            Column("学号"),
            Column("姓名"),
            Column("班级"),
            Column("总分", SCORE),
            *(Column(RANK_HEADERS[level], INTEGER) for level in levels),
            *(
                Column(f"{label}（{full:g}分）", SCORE)
                for label, full in zip(transcript.item_labels, transcript.full_scores, strict=True)
            ),
        ],
        [
            [
                row.student_number,
                row.name,
                row.class_name,
                "缺考" if row.is_absent else row.total,
                *(
                    {"class": row.class_rank, "school": row.school_rank}.get(
                        level, row.district_rank
                    )
                    for level in levels
                ),
                *row.item_scores,
            ]
            for row in transcript.rows
        ],
        frozen_columns=2,
    )
    table = details.lines
    write_table(
        workbook.create_sheet("分数线"),
        [
            Column("范围"),
            Column("参考人数", INTEGER),
            *(
                column
                for line in table.lines
                for column in (
                    Column(f"{line.name}（≥{line.cutoff:g}）人数", INTEGER),
                    Column(f"{line.name}比率", PERCENT),
                )
            ),
        ],
        [
            [
                row.name or "本范围",
                row.n_participants,
                *(
                    value
                    for count, share in zip(row.counts, row.shares, strict=True)
                    for value in (count, share)
                ),
            ]
            for row in table.rows
        ],
    )
    border = details.borderline
    write_table(
        workbook.create_sheet("临界生"),
        [
            Column("班级"),
            Column("分数线"),
            Column("线下/线上"),
            Column("学号"),
            Column("姓名"),
            Column("总分", SCORE),
            Column("与线差", SCORE),
        ],
        [
            [
                group.class_name,
                f"{group.line}（{group.cutoff:g}）",
                side,
                s.student_number,
                s.name,
                s.total,
                s.gap,
            ]
            for group in border.groups
            for side, students in (("线下", group.below), ("线上", group.above))
            for s in students
        ],
        frozen_columns=1,
    )
    bands = details.bands
    write_table(
        workbook.create_sheet("分数段"),
        [
            Column("分数段"),
            *(
                column
                for group in bands.groups
                for column in (
                    Column(f"{group}人数", INTEGER),
                    Column(f"{group}累计", INTEGER),
                )
            ),
        ],
        [
            [
                label,
                *(
                    value
                    for count, total in zip(bands.counts[k], bands.cumulative[k], strict=True)
                    for value in (count, total)
                ),
            ]
            for k, label in enumerate(bands.labels)
        ],
        frozen_columns=1,
    )
    write_table(
        workbook.create_sheet("试卷讲评"),
        [
            Column("题号"),
            Column("满分", SCORE),
            Column("作答人数", INTEGER),
            Column("得分率", PERCENT),
            Column("选项/得分"),
            Column("正确答案/满分"),
            Column("人数", INTEGER),
            Column("比率", PERCENT),
            Column("典型错误答案", width=30),
            Column("学生", width=60),
        ],
        [
            [
                item.label,
                item.full_score,
                item.n_answered,
                item.score_rate,
                row.answer,
                "是" if row.is_key else "",
                row.count,
                row.share,
                "、".join(f"{w.answer}（{w.count}）" for w in item.wrong_answers) if k == 0 else "",
                "、".join(row.students),
            ]
            for item in details.review
            for k, row in enumerate(item.rows)
        ],
        frozen_columns=1,
    )
    side = details.side_by_side
    rate_columns = [
        Column("参考人数", INTEGER),
        Column("平均分", SCORE),
        Column("优秀率", PERCENT),
        Column("良好率", PERCENT),
        Column("及格率", PERCENT),
        Column("低分率", PERCENT),
        Column("名次", INTEGER),
        Column("与均分差", SCORE),
    ]
    sheet = workbook.create_sheet("班级与教师对比")
    groups_title = "学校" if side.by_school else "班级"
    write_table(
        sheet,
        [Column(groups_title), Column("" if side.by_school else "任课教师"), *rate_columns],
        [_side_row(row) for row in side.groups],
    )
    if side.teachers:
        append_row(sheet, [])
        write_table(
            sheet, [Column("任课教师"), Column("任教班级"), *rate_columns],
            [_side_row(row) for row in side.teachers],
        )  # fmt: skip
        sheet.freeze_panes = "A2"


def _side_row(row: SideBySideRow) -> list[Cell]:
    return [
        row.name,
        "、".join(row.detail),
        row.n_participants,
        row.mean,
        row.excellent_rate,
        row.good_rate,
        row.pass_rate,
        row.low_rate,
        row.rank,
        row.mean_difference,
    ]


def write_exam_workbook(report: ExamReport, path: Path, details: ExamDetails | None = None) -> Path:
    """Save the report's workbook at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exam_workbook(report, details).save(path)
    return path


def exam_workbook_bytes(report: ExamReport, details: ExamDetails | None = None) -> bytes:
    """The workbook as bytes, for a download."""
    buffer = BytesIO()
    exam_workbook(report, details).save(buffer)
    return buffer.getvalue()
