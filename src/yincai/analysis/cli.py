"""``yincai report …``: exam and student reports in the terminal, optionally as XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from yincai.accounts.actors import CLI
from yincai.analysis import service
from yincai.analysis.exam import ExamReport
from yincai.analysis.student import StudentReport, TeacherStudentReport
from yincai.analysis.xlsx import write_exam_workbook
from yincai.cli_support import command_app, command_session

app = command_app(help="考试与学生报告 / exam and student reports", no_args_is_help=True)
console = Console()


def _number(value: float | None, pattern: str = "{:.1f}") -> str:
    return "—" if value is None else pattern.format(value)


def _percent(value: float | None) -> str:
    return _number(value, "{:.1%}")


@app.command("exam")
def exam(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="考试代码 / assessment code")],
    school: Annotated[str | None, typer.Option("--school", help="学校代码 / school code")] = None,
    class_name: Annotated[str | None, typer.Option("--class", help="班级 / class name")] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="另存为 XLSX / save as a workbook")
    ] = None,
    no_ranks: Annotated[
        bool, typer.Option("--no-ranks", help="不显示一分一段表 / leave out the rank table")
    ] = False,
) -> None:
    """考试分析报告 / the exam report of the district, a school or a class."""
    with command_session(ctx) as session:
        scope = service.resolve_scope(session, school_code=school, class_name=class_name)
        report = service.exam_report(
            session,
            actor=CLI,
            assessment_code=code,
            surface="cli",
            scope=scope,
            show_ranks=not no_ranks,
        )
        details = None
        if xlsx is not None:  # the workbook carries the 成绩单 and the other sections too
            details = service.exam_details_by_id(
                session,
                actor=CLI,
                assessment_id=service.assessment_id_of(session, code),
                surface="xlsx",
                school_id=scope.school_id if scope.kind == "school" else None,
                school_class_id=scope.school_class_id,
                show_ranks=not no_ranks,
            ).details
    _print_exam(report)
    if xlsx is not None:
        console.print(f"写入 / wrote {write_exam_workbook(report, xlsx, details)}")


@app.command("student")
def student(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="学号 / student number")],
    exam_code: Annotated[str, typer.Option("--exam", help="考试代码 / assessment code")],
    audience: Annotated[
        str, typer.Option(help="读者 teacher 或 family / who reads it: teacher or family")
    ] = "teacher",
    ranks: Annotated[
        bool, typer.Option("--ranks", help="教师版显示名次 / show ranks (teacher copy)")
    ] = False,
    mastery: Annotated[
        bool,
        typer.Option(
            "--mastery/--no-mastery",
            help="附知识点掌握度（首次需标定模型）/ add mastery (calibrates the model first)",
        ),
    ] = False,
) -> None:
    """学生成绩报告 / one student's report on one exam."""
    chosen: Literal["teacher", "family"] = "family" if audience == "family" else "teacher"
    with command_session(ctx) as session:
        report = service.student_report(
            session,
            actor=CLI,
            student_number=number,
            assessment_code=exam_code,
            surface="cli",
            audience=chosen,
            show_ranks=ranks,
            include_mastery=mastery,
        )
    _print_student(report)


def _print_exam(report: ExamReport) -> None:
    console.print(f"[bold]{report.code} {report.name}[/] — {report.scope_title}")
    overview = Table(title="总体 / overview")
    for column in ("范围", "参考", "缺考", "平均分", "标准差", "最高", "最低"):
        overview.add_column(column, justify="right")
    for column in ("优秀率", "良好率", "及格率"):
        overview.add_column(column, justify="right")
    for title, summary in ((report.scope_title, report.summary), ("全体", report.reference)):
        overview.add_row(
            title,
            str(summary.n_participants),
            str(summary.n_absent),
            _number(summary.mean),
            _number(summary.sd),
            _number(summary.max),
            _number(summary.min),
            _percent(summary.rates.excellent_rate),
            _percent(summary.rates.good_rate),
            _percent(summary.rates.pass_rate),
        )
    console.print(overview)
    items = Table(title=f"小题分析 / items (α = {_number(report.items.alpha, '{:.3f}')})")
    for column in ("题号", "满分", "得分率", "全体", "区分度", "点二列", "问题"):
        items.add_column(column)
    for item in report.items.items:
        items.add_row(
            item.label,
            f"{item.full_score:g}",
            _percent(item.score_rate),
            _percent(item.reference_score_rate),
            _number(item.discrimination, "{:.2f}"),
            _number(item.point_biserial, "{:.2f}"),
            "；".join(flag.reason for flag in item.flags),
        )
    console.print(items)
    classes = Table(title="班级对比 / classes")
    for column in ("学校", "班级", "参考", "平均分", "均分差", "Hedges g", "显著"):
        classes.add_column(column)
    for row in report.classes:
        classes.add_row(
            row.school_name,
            row.name,
            str(row.n_participants),
            _number(row.mean),
            _number(row.mean_difference),
            _number(row.hedges_g, "{:.2f}"),
            "是" if row.is_significant else "",
        )
    console.print(classes)
    if report.progress is not None:
        console.print(
            f"增值 / value added since {report.progress.previous_code}: "
            + "，".join(
                f"{group.name} {_number(group.value_added, '{:+.2f}')}"
                for group in report.progress.classes
            )
        )
    if report.absentees:
        console.print("缺考 / absent: " + "，".join(a.name for a in report.absentees))


def _print_student(report: StudentReport) -> None:
    console.print(
        f"[bold]{report.name}[/] {report.school_name} {report.class_name} — "
        f"{report.exam_code} {report.exam_name}"
    )
    if report.is_absent:
        console.print("缺考 / absent")
        return
    console.print(
        f"总分 {_number(report.total, '{:g}')} / {report.full_score:g}  等级 {report.band}  "
        f"班级平均 {_number(report.class_mean)}"
    )
    if report.progress is not None:
        console.print(
            f"较 {report.progress.previous_code}：等级 {report.progress.previous_band} → "
            f"{report.band}，标准分变化 {_number(report.progress.z_change, '{:+.2f}')}"
        )
    if isinstance(report, TeacherStudentReport) and report.ranks is not None:
        ranks = report.ranks
        console.print(
            f"名次 班级 {ranks.class_rank}/{ranks.n_class}  学校 {ranks.school_rank}/"
            f"{ranks.n_school}  全区 {ranks.district_rank}/{ranks.n_district}"
        )
    mistakes = Table(title="错题本 / mistakes book")
    for column in ("题号", "得分", "满分", "知识点", "正确答案"):
        mistakes.add_column(column)
    for mistake in report.mistakes:
        mistakes.add_row(
            mistake.label,
            "未作答" if mistake.is_unanswered else f"{mistake.score:g}",
            f"{mistake.full_score:g}",
            "、".join(mistake.knowledge_points),
            mistake.correct_answer or "",
        )
    console.print(mistakes)
    if report.mastery is None:
        console.print(report.mastery_note)
    elif report.weak_points:
        console.print("薄弱知识点 / weak points: " + "、".join(report.weak_points))
