"""``yincai diagnose …``: knowledge-point mastery of a student, or of everyone who sat an exam."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session, prepared_engine, settings_of
from yincai.diagnosis import levels, views
from yincai.diagnosis.models import MasteryRun

app = command_app(help="知识点掌握诊断 / knowledge-point mastery", no_args_is_help=True)
console = Console()

AsOf = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="只用此日及以前的证据 / evidence up to"),
]
Subject = Annotated[str, typer.Option("--subject", help="科目代码 / subject code")]


def _on(as_of: datetime | None) -> date | None:
    return as_of.date() if as_of is not None else None


@app.command("fit")
def fit(ctx: typer.Context, subject: Subject = "MATH") -> None:
    """现在计算并保存全部学生的掌握度估计 / calibrate and store every student's estimates now."""
    engine = prepared_engine(settings_of(ctx))
    try:
        fit_with_progress(engine, subject_code=subject)
    finally:
        engine.dispose()


def fit_with_progress(engine: Engine, *, subject_code: str) -> None:
    """The refresh job in the foreground, with a progress bar (``diagnose fit``, ``demo``)."""
    from yincai.diagnosis.refresh import refresh_mastery

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=console,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"掌握度估计 / mastery estimates ({subject_code})", total=1.0)
        run_id = refresh_mastery(
            engine,
            subject_code=subject_code,
            on_progress=lambda share: bar.update(task, completed=share),
        )
        bar.update(task, completed=1.0)
    with Session(engine) as session:
        run = session.get(MasteryRun, run_id)
        assert run is not None
        console.print(
            f"掌握度估计已就绪 / estimates ready: {run.n_students:,} 名学生 students, "
            f"校准 calibration {run.fit_seconds:.0f} s"
        )


@app.command("student")
def student(ctx: typer.Context, number: str, as_of: AsOf = None, subject: Subject = "MATH") -> None:
    """一名学生各知识点的掌握度与可信区间 / one student's mastery of each knowledge point."""
    with command_session(ctx) as session:
        view = views.mastery_of_student(
            session, actor=CLI, student_number=number, as_of=_on(as_of), subject_code=subject
        )
    rows, state = view.rows, view.state
    table = Table(title=f"学生 {number} 知识点掌握 / mastery")
    for column in (
        "知识点 code",
        "名称 name",
        "掌握情况 band",
        "掌握度 level",
        f"{levels.CREDIBLE_PERCENT}% 可信区间 interval",
        "证据 n",
        "最近 last",
    ):
        table.add_column(column)
    met = [row for row in rows if row.is_taught]
    for row in sorted(met, key=lambda r: (r.n_evidence == 0, r.mastery)):
        table.add_row(
            row.kp_code,
            row.kp_name,
            row.band_word,
            f"{row.mastery:.0%}",
            f"{row.level_low:.0%}–{row.level_high:.0%}",
            str(row.n_evidence),
            row.last_seen_on.isoformat() if row.last_seen_on else "—",
        )
    console.print(table)
    if len(met) < len(rows):
        console.print(
            f"另有 {len(rows) - len(met)} 个知识点尚未学习，未列出 / "
            f"{len(rows) - len(met)} points not yet taught are not listed"
        )
    if state is not None and state.is_refreshing and state.ready is not None:
        console.print(
            f"[yellow]这是 {state.ready.finished_at:%Y-%m-%d %H:%M} 计算的估计，之后导入的数据尚未"
            "计入（由后台任务更新，或运行 yincai diagnose fit）/ computed before the latest "
            "import: a refresh is due[/yellow]"
        )


@app.command("assessment")
def assessment(
    ctx: typer.Context, code: str, as_of: AsOf = None, subject: Subject = "MATH"
) -> None:
    """一次考试所考知识点的掌握情况 / mastery of an exam's knowledge points by its sitters."""
    with command_session(ctx) as session:
        found = views.mastery_of_assessment(
            session, actor=CLI, assessment_code=code, as_of=_on(as_of), subject_code=subject
        )
    result, on = found.table, found.as_of
    table = Table(title=f"{code}：{found.n_sitters} 名考生 / sitters, as of {on.isoformat()}")
    for column in ("知识点 code", "平均掌握度 mean level", "需要巩固人数 needs work"):
        table.add_column(column)
    columns = [k for k, kp_id in enumerate(result.kp_ids) if kp_id in found.kp_ids]
    # Students without a guardian's consent hold only the prior: they are left out of the means.
    blocked = set(result.without_consent)
    rows = [i for i, s in enumerate(result.student_ids) if s not in blocked]
    mastery = result.mastery[rows]
    for k in sorted(columns, key=lambda k: float(mastery[:, k].mean())) if rows else []:
        share = mastery[:, k]
        n_weak = sum(levels.is_weak(float(v)) for v in share)
        table.add_row(result.kp_codes[k], f"{share.mean():.0%}", str(n_weak))
    console.print(table)
    if result.without_consent:
        console.print(
            f"{len(result.without_consent)} 名未满 14 周岁的考生未获监护人同意，未计入 / "
            "sitters under 14 without a guardian's consent are left out"
        )
