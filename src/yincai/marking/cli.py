"""``yincai marking …``: the progress of an assessment's online marking, and demo answers."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from yincai.accounts.actors import CLI
from yincai.accounts.models import UserAccount
from yincai.cli_support import after_import, command_app, command_session, settings_of
from yincai.db import make_engine
from yincai.hub import service as hub_service
from yincai.marking import scans, service, sheets
from yincai.marking.demo import build_demo_marking, simulate_marking
from yincai.marking.demo_scans import demo_scans
from yincai.marking.models import MarkingMode
from yincai.reports.answer_sheet import answer_sheet_pdf

app = command_app(help="网络阅卷 / online marking", no_args_is_help=True)
sheet_app = command_app(help="答题卡 / answer sheets", no_args_is_help=True)
console = Console()


class Paper(enum.StrEnum):
    A4 = "A4"
    A3 = "A3"


AssessmentArgument = Annotated[str, typer.Argument(help="考试代码 / assessment code")]


@app.command("status")
def status(ctx: typer.Context, assessment: AssessmentArgument) -> None:
    """阅卷进度 / marking progress per item and per marker."""
    with command_session(ctx) as session:
        found = hub_service.get_assessment(session, code=assessment)
        progress = service.progress(session, actor=CLI, assessment_id=found.id)
    table = Table(title=f"{found.name} · 阅卷进度 / marking progress")
    for column in (
        "小题",
        "答卷",
        "已完成",
        "待评",
        "待仲裁",
        "问题卷",
        "状态",
        "阅卷教师（已评）",
    ):
        table.add_column(column)
    for item in progress:
        table.add_row(
            item.item_label,
            str(item.n_answers),
            str(item.n_done),
            str(item.n_waiting),
            str(item.n_arbitration),
            str(item.n_problem),
            "已结束" if item.status.value == "closed" else "阅卷中",
            "，".join(f"{m.name} {m.n_marked}" for m in item.markers),
        )
    console.print(table)


@app.command("demo")
def demo(
    ctx: typer.Context,
    assessment: AssessmentArgument,
    markers: Annotated[
        str, typer.Option("--markers", help="阅卷教师用户名，逗号分隔 / marker usernames")
    ],
    leader: Annotated[str, typer.Option("--leader", help="题组长用户名 / item leader")],
    mode: Annotated[MarkingMode, typer.Option("--mode", help="阅卷模式 / mode")] = (
        MarkingMode.DOUBLE_THIRD
    ),
    tolerance: Annotated[float, typer.Option("--tolerance", help="误差范围 / tolerance")] = 1.0,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="模拟阅卷教师评完 / mark with simulated markers")
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """演示答卷 / synthetic crops of the assessment's open-ended items, ready to mark."""
    names = [name.strip() for name in markers.split(",") if name.strip()]
    with command_session(ctx) as session:
        found = hub_service.get_assessment(session, code=assessment)
        accounts = {
            account.username: account
            for account in session.scalars(
                select(UserAccount).where(UserAccount.username.in_([*names, leader]))
            )
        }
        unknown = [name for name in [*names, leader] if name not in accounts]
        if unknown:
            console.print(f"[red]用户不存在 / unknown users: {', '.join(unknown)}[/]")
            raise typer.Exit(code=2)
        built = build_demo_marking(
            session,
            actor=CLI,
            assessment_id=found.id,
            mode=mode,
            marker_ids=tuple(accounts[name].id for name in names),
            leader_id=accounts[leader].id,
            tolerance=tolerance,
            seed=seed,
        )
        n_marks = (
            simulate_marking(session, built, [accounts[name] for name in names], seed=seed)
            if simulate
            else 0
        )
    console.print(
        f"{len(built.task_ids)} 道题，{len(built.true_scores)} 份答卷（含质检卷），"
        f"模拟评分 {n_marks} 次 / items, answers (with checks), simulated marks"
    )


@app.command("demo-scans")
def demo_scans_command(
    ctx: typer.Context,
    assessment: AssessmentArgument,
    students: Annotated[int, typer.Option("--students", min=1, help="学生人数 / students")] = 40,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """演示扫描：用考生已存的作答填涂答题卡并扫描识别 / scans of filled sheets, read as a batch."""
    settings = settings_of(ctx)
    with command_session(ctx) as session:
        found = hub_service.get_assessment(session, code=assessment)
        layout = sheets.sheet_layout(session, actor=CLI, assessment_code=assessment)
        with console.status("生成扫描件 / drawing the scans"):
            pages = demo_scans(
                session, layout, assessment_id=found.id, n_students=students, seed=seed
            )
        batch = scans.start_batch(
            session,
            actor=CLI,
            assessment_id=found.id,
            files=[(page.file_name, page.png) for page in pages],
            data_dir=Path(settings.data_dir),
        )
        batch_id = batch.id
    engine = make_engine(settings)
    try:
        with console.status(f"识别 {len(pages)} 页 / reading the pages"):
            scans.read_batch(
                engine,
                batch_id,
                data_dir=Path(settings.data_dir),
                error_log=settings.error_log_path,
            )
    finally:
        engine.dispose()
    console.print(
        f"扫描批次 #{batch_id}：{len(pages)} 页，复核请打开 /scans/{batch_id} / to review"
    )


@app.command("close")
def close(
    ctx: typer.Context,
    assessment: AssessmentArgument,
    label: Annotated[str, typer.Argument(help="小题标签 / item label, e.g. 13")],
) -> None:
    """结束一道题的阅卷并写入成绩 / close an item: its scores become a score import."""
    with command_session(ctx) as session:
        found = hub_service.get_assessment(session, code=assessment)
        task = next(
            (
                p
                for p in service.progress(session, actor=CLI, assessment_id=found.id)
                if p.item_label == label
            ),
            None,
        )
        if task is None:
            console.print(f"[red]没有第{label}题的阅卷任务 / no marking task for item {label}[/]")
            raise typer.Exit(code=2)
        summary = service.close_task(session, actor=CLI, task_id=task.task_id)
        after_import(ctx, session)
    console.print(f"第{label}题已写入成绩（导入 #{summary.batch_id}）/ scores written")


@sheet_app.command("print")
def print_sheet(
    ctx: typer.Context,
    assessment: AssessmentArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF 文件 / the PDF to write")],
    paper: Annotated[
        Paper, typer.Option("--paper", help="A4，或 A3 横向两栏 / A4, or A3 landscape two-column")
    ] = Paper.A4,
    layout_json: Annotated[
        Path | None,
        typer.Option("--layout", help="另存版式 JSON，供识别使用 / save the layout for reading"),
    ] = None,
) -> None:
    """打印答题卡 / the assessment's printable answer sheet (PDF), and its layout for reading."""
    with command_session(ctx) as session:
        layout = sheets.sheet_layout(
            session, actor=CLI, assessment_code=assessment, paper=paper.value
        )
    output.write_bytes(answer_sheet_pdf(layout))
    if layout_json is not None:
        layout_json.write_text(layout.to_json(), encoding="utf-8")
    console.print(
        f"{output}: {len(layout.pages)} 页，{len(layout.fields)} 组填涂，"
        f"{len(layout.regions)} 个作答区 / pages, bubble fields, answer regions"
    )
