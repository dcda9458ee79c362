"""``yincai pdf …``: exam reports, student reports and practice booklets as PDF files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from yincai.accounts.actors import CLI
from yincai.analysis import service as analysis_service
from yincai.analysis.exam_pdf import exam_report_pdf
from yincai.analysis.student_pdf import student_report_pdf
from yincai.cli.documents import follow
from yincai.cli_support import command_app, command_session, prepared_engine, settings_of
from yincai.documents import service as documents_service

app = command_app(help="PDF 报告与练习册 / PDF reports and practice booklets", no_args_is_help=True)
console = Console()

OutputOption = Annotated[Path, typer.Option("-o", "--output", help="PDF 文件 / the PDF to write")]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    console.print(f"写入 / wrote {path} ({len(data) // 1024} KB)")


@app.command("exam")
def exam(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="考试代码 / assessment code")],
    output: OutputOption,
    school: Annotated[str | None, typer.Option("--school", help="学校代码 / school code")] = None,
    class_name: Annotated[str | None, typer.Option("--class", help="班级 / class name")] = None,
    no_ranks: Annotated[
        bool, typer.Option("--no-ranks", help="不含一分一段表 / leave out the rank table")
    ] = False,
) -> None:
    """考试分析报告 PDF / the exam report of the district, a school or a class."""
    with command_session(ctx) as session:
        scope = analysis_service.resolve_scope(session, school_code=school, class_name=class_name)
        report = analysis_service.exam_report(
            session,
            actor=CLI,
            assessment_code=code,
            surface="pdf",
            scope=scope,
            show_ranks=not no_ranks,
        )
    _write(output, exam_report_pdf(report))


@app.command("student")
def student(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="学号 / student number")],
    exam_code: Annotated[str, typer.Option("--exam", help="考试代码 / assessment code")],
    output: OutputOption,
    audience: Annotated[
        str, typer.Option(help="读者 family（默认）或 teacher / who reads it: family or teacher")
    ] = "family",
    ranks: Annotated[
        bool, typer.Option("--ranks", help="教师版显示名次 / show ranks (teacher copy only)")
    ] = False,
    mastery: Annotated[
        bool,
        typer.Option(
            "--mastery/--no-mastery",
            help="附知识点掌握度（首次需标定模型）/ add mastery (calibrates the model first)",
        ),
    ] = False,
) -> None:
    """学生成绩报告单 PDF（默认家长版，不含名次）/ one student's report, family copy by default."""
    chosen: Literal["teacher", "family"] = "teacher" if audience == "teacher" else "family"
    with command_session(ctx) as session:
        report = analysis_service.student_report(
            session,
            actor=CLI,
            student_number=number,
            assessment_code=exam_code,
            surface="pdf",
            audience=chosen,
            show_ranks=ranks and chosen == "teacher",
            include_mastery=mastery,
        )
    _write(output, student_report_pdf(report))


@app.command("booklet")
def booklet(
    ctx: typer.Context,
    school: Annotated[str, typer.Option("--school", help="学校代码 / school code")],
    class_name: Annotated[str, typer.Option("--class", help="班级 / class name")],
    output: OutputOption,
    n_items: Annotated[int, typer.Option("-n", min=1, max=40, help="每人题数 / items each")] = 10,
) -> None:
    """全班个性化练习册 PDF（每人一册，答案附后）/ a class's personalised practice booklets.

    由后台任务生成并显示进度；后台任务未运行时在本机生成。同一数据版本已生成的直接写出。
    Built by the job worker with a progress bar (here when no worker runs); a booklet already
    built from the current data is written at once."""
    with command_session(ctx) as session:
        requested = documents_service.request_class_booklet_by_name(
            session, actor=CLI, school_code=school, class_name=class_name, n_items=n_items
        )
        document_id = requested.document.id
    settings = settings_of(ctx)
    engine = prepared_engine(settings)
    try:
        _write(output, follow(engine, settings, document_id, console=console))
    finally:
        engine.dispose()
