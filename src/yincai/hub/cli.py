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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cli_support import (
    after_import,
    command_app,
    prepared_engine,
    print_error,
    settings_of,
)
from yincai.db import session_scope
from yincai.errors import Invalid, YincaiError
from yincai.hub import import_access, import_templates
from yincai.hub import service as hub_service
from yincai.hub.schemas import ENTITY_NAMES, ImportSummary
from yincai.i18n import translate

app = command_app(
    help=(
        "导入名单、题库、考试、成绩与学习日志 / import rosters, item banks, assessments, scores "
        "and learning logs. 模板 / templates: yincai import template roster|items|assessment|"
        "scores -o 文件.xlsx"
    ),
    no_args_is_help=True,
)
console = Console()

ENTITY_ENGLISH = {
    "school": "schools",
    "school_class": "classes",
    "student": "students",
    "teacher": "teachers",
    "teaching_assignment": "assignments",
    "knowledge_point": "knowledge points",
    "item": "items",
    "assessment": "assessments",
    "assessment_item": "assessment items",
    "assessment_class": "classes sitting",
    "sitting": "sittings",
    "score": "item scores",
    "learning_event": "learning events",
    "growth_record": "growth records",
}
ENTITY_LABELS = {key: f"{name} {ENTITY_ENGLISH[key]}" for key, name in ENTITY_NAMES.items()}
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


@app.command("assessment")
def assessment(
    ctx: typer.Context,
    file: ExistingFile,
    district: Annotated[str | None, typer.Option(help="区县代码 / district code")] = None,
) -> None:
    """导入考试设置：小题、满分与参考班级（XLSX 的“考试”“小题”工作表，或 JSON/YAML）/
    import an assessment with its items and classes."""
    _run(
        ctx,
        lambda session, _: hub_service.run_import(
            session, hub_service.ImportRequest("assessment", file, district_code=district)
        ),
    )


@app.command("growth")
def growth(
    ctx: typer.Context,
    file: ExistingFile,
    district: Annotated[str | None, typer.Option(help="区县代码 / district code")] = None,
) -> None:
    """导入成长档案记录（学号、方面、日期、记录内容、记录人；CSV 或 XLSX）/
    import growth-archive records."""
    _run(
        ctx,
        lambda session, _: hub_service.run_import(
            session, hub_service.ImportRequest("growth", file, district_code=district)
        ),
    )


@app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help="roster | items | assessment | scores | growth")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 XLSX / file to write")],
    ctx: typer.Context,
    assessment: Annotated[
        str | None,
        typer.Option(help="成绩表：按这次考试的小题出列并列出学生 / score sheet of this exam"),
    ] = None,
) -> None:
    """下载导入模板（中文表头、示例行、填写说明）/ write an import template."""
    if kind == "scores" and assessment:
        engine = prepared_engine(settings_of(ctx))
        try:
            with session_scope(engine) as session:
                data = import_access.import_template(
                    session, actor=CLI, kind=kind, assessment_code=assessment
                )
        except YincaiError as error:
            print_error(error, settings_of(ctx).language)
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
    else:
        makers = {
            "roster": import_templates.roster_template,
            "items": import_templates.items_template,
            "assessment": import_templates.assessment_template,
            "scores": import_templates.scores_template,
            "growth": import_templates.growth_template,
        }
        if kind not in makers:
            console.print(f"[red]没有这种模板 / no template {kind!r}: {' | '.join(makers)}[/red]")
            raise typer.Exit(1)
        data = makers[kind]()
    output.write_bytes(data)
    console.print(f"[green]已写出模板 / template written:[/green] {output}")


@app.command("history")
def history(
    ctx: typer.Context,
    assessment: Annotated[str | None, typer.Option(help="只看这次考试 / one assessment")] = None,
    limit: Annotated[int, typer.Option(help="显示条数 / rows")] = 30,
) -> None:
    """导入记录：谁、何时、哪个文件、增改删行数 / the import history."""
    engine = prepared_engine(settings_of(ctx))
    try:
        with session_scope(engine) as session:
            page = hub_service.import_history(
                session,
                assessment_ids=hub_service.all_assessment_ids(),
                with_district_data=True,
                assessment_code=assessment,
                per_page=limit,
            )
    finally:
        engine.dispose()
    table = Table("#", "时间 time", "类型 kind", "考试 assessment", "文件 file", "SHA-256",
                  "新增 new", "修改 changed", "删除 removed", "状态 state")  # fmt: skip
    for row in page.rows:
        state = (
            f"撤销 #{row.reverts_batch_id} / reverts" if row.reverts_batch_id
            else "已撤销 / reverted" if row.is_reverted
            else "可撤销 / revertible" if row.is_revertible
            else ""
        )  # fmt: skip
        table.add_row(str(row.id), row.imported_at.strftime("%Y-%m-%d %H:%M"), row.kind,
                      row.assessment_code or "", row.file_name, row.sha256[:12], str(row.n_new),
                      str(row.n_updated), str(row.n_deleted), state)  # fmt: skip
    console.print(table)


@app.command("revert")
def revert(
    ctx: typer.Context,
    assessment: Annotated[str, typer.Option(help="考试代码 / assessment code")],
) -> None:
    """撤销某次考试最近一次成绩导入 / revert the last score import of an assessment."""
    _run(
        ctx,
        lambda session, _: hub_service.revert_last_import(session, assessment_code=assessment),
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
        datetime | None,
        typer.Option(
            help="kt 格式或无时间列的 CSV：第一次作答时间 / first attempt time (kt, CSV by order)"
        ),
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
    settings = settings_of(ctx)
    engine = prepared_engine(settings)
    try:
        with (
            _progress(verbose or sys.stdout.isatty()) as progress,
            session_scope(engine) as session,
        ):
            summary = do_import(session, progress)
        if not summary.is_unchanged:
            with Session(engine) as session:  # the estimates it made stale: a background job
                after_import(ctx, session)
    except Invalid as error:
        _print_problems(error, settings.language)
        raise typer.Exit(1) from None
    except YincaiError as error:
        print_error(error, settings.language)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    _print_summary(summary)
    if not summary.is_unchanged:
        console.print(
            "掌握度估计将由后台任务更新（yincai serve 或 yincai worker 运行时；也可运行 yincai "
            "diagnose fit）/ mastery estimates will be refreshed by the job worker"
        )


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


def _print_problems(error: Invalid, language: str) -> None:
    console.print(f"[red]{escape(error.text_in(language))}[/red]")
    if not error.details:
        return
    table = Table("文件 file", "行 row", "列 column", "原因 reason", header_style="bold red")
    for detail in error.details:
        table.add_row(
            str(detail.file),
            str(detail.row),
            str(detail.column),
            str(translate(detail.reason, language)),
        )
    console.print(table)


def _print_summary(summary: ImportSummary) -> None:
    if summary.is_unchanged:
        console.print(
            f"[yellow]{summary.file_name} 的内容与数据库一致，未做任何更改 / already up to date, "
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
