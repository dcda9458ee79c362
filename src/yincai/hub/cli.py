"""``yincai import …``: load rosters, item banks, score sheets and learning logs from files.

Each command checks the whole file first; if anything is wrong it prints every problem with its
row and column, writes nothing and exits with status 1. Importing the same file again changes
nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yincai.cli_support import command_app, settings_of
from yincai.db import make_engine, session_scope
from yincai.errors import Invalid, YincaiError
from yincai.hub import service as hub_service
from yincai.hub.schemas import ImportSummary

app = command_app(
    help="导入名单、题库、成绩与学习日志 / import rosters, item banks, scores and learning logs.",
    no_args_is_help=True,
)
console = Console()

ENTITY_LABELS = {
    "school": "学校 schools",
    "school_class": "班级 classes",
    "student": "学生 students",
    "teacher": "教师 teachers",
    "teaching_assignment": "任课 assignments",
    "knowledge_point": "知识点 knowledge points",
    "item": "题目 items",
    "sitting": "参考记录 sittings",
    "score": "小题得分 item scores",
    "learning_event": "学习记录 learning events",
}
ExistingFile = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="文件 / file")
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="显示进度条 / show a progress bar")]


@app.command("roster")
def roster(
    ctx: typer.Context,
    file: ExistingFile,
    district: Annotated[
        str | None, typer.Option(help="区县代码（缺省为唯一的区县）/ district code")
    ] = None,
    district_name: Annotated[
        str | None, typer.Option(help="新建区县时的名称 / name of a new district")
    ] = None,
) -> None:
    """导入学生/教师名单（XLSX 的“学生”“教师”工作表，或 CSV）/ import a roster."""
    _run(
        ctx,
        lambda session, _: hub_service.import_roster(
            session, path=file, district_code=district, district_name=district_name
        ),
    )


@app.command("items")
def items(
    ctx: typer.Context,
    file: ExistingFile,
    subject: Annotated[str | None, typer.Option(help="缺省学科，如 数学 / default subject")] = None,
) -> None:
    """导入题库与知识点（XLSX、JSON 或 YAML）/ import an item bank with knowledge points."""
    _run(ctx, lambda session, _: hub_service.import_items(session, path=file, subject_code=subject))


@app.command("scores")
def scores(
    ctx: typer.Context,
    file: ExistingFile,
    assessment: Annotated[str, typer.Option(help="考试代码 / assessment code")],
    verbose: Verbose = False,
) -> None:
    """导入阅卷系统导出的小题分表 / import a per-question score sheet."""
    _run(
        ctx,
        lambda session, progress: hub_service.import_scores(
            session, path=file, assessment_code=assessment, progress=progress
        ),
        verbose=verbose,
    )


@app.command("logs")
def logs(
    ctx: typer.Context,
    file: ExistingFile,
    format: Annotated[
        hub_service.LogFormat, typer.Option("--format", help="csv | xapi | kt")
    ] = hub_service.LogFormat.CSV,
    source: Annotated[
        str | None, typer.Option(help="数据来源（缺省为格式名）/ source system")
    ] = None,
    students: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="kt 格式：每行一个学号 / student numbers"),
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(help="kt 格式：第一次作答时间 / first attempt time")
    ] = None,
    district: Annotated[str | None, typer.Option(help="区县代码 / district code")] = None,
    verbose: Verbose = False,
) -> None:
    """导入学习日志（CSV、xAPI 或知识追踪三行格式）/ import learning logs."""
    _run(
        ctx,
        lambda session, progress: hub_service.import_logs(
            session,
            path=file,
            format=format,
            source=source,
            students_path=students,
            start_at=start,
            district_code=district,
            progress=progress,
        ),
        verbose=verbose,
    )


ProgressCallback = Callable[[int, int], None]


def _run(
    ctx: typer.Context,
    do_import: Callable[..., ImportSummary],
    *,
    verbose: bool = False,
) -> None:
    engine = make_engine(settings_of(ctx))
    try:
        with (
            _progress(verbose or sys.stdout.isatty()) as progress,
            session_scope(engine) as session,
        ):
            summary = do_import(session, progress)
    except Invalid as error:
        _print_problems(error)
        raise typer.Exit(1) from None
    except YincaiError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    _print_summary(summary)


@contextmanager
def _progress(is_shown: bool) -> Iterator[ProgressCallback | None]:
    if not is_shown:
        yield None
        return
    with Progress(
        TextColumn("写入 / writing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("write", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _print_problems(error: Invalid) -> None:
    console.print(f"[red]{error.message}[/red]")
    if not error.details:
        return
    table = Table("文件 file", "行 row", "列 column", "原因 reason", header_style="bold red")
    for detail in error.details:
        table.add_row(str(detail.file), str(detail.row), str(detail.column), str(detail.reason))
    console.print(table)


def _print_summary(summary: ImportSummary) -> None:
    if summary.is_already_imported:
        console.print(
            f"[yellow]{summary.file_name} 已导入过，未做任何更改 / already imported, "
            "nothing changed[/yellow]"
        )
    table = Table(
        "",
        "新增 new",
        "更新 updated",
        "未变 unchanged",
        "删除 deleted",
        title=f"{summary.file_name}：{summary.n_rows} 行 rows",
    )
    for entity, counts in summary.counts.items():
        table.add_row(
            ENTITY_LABELS.get(entity, entity),
            str(counts.new),
            str(counts.updated),
            str(counts.unchanged),
            str(counts.deleted),
        )
    console.print(table)
    for warning in summary.warnings:
        console.print(f"[yellow]{warning}[/yellow]")
