"""``yincai demo``: build the demo district and (by default) serve it."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from yincai.accounts.models import UserAccount
from yincai.cli.serve import serve_app
from yincai.cli_support import prepared_engine, settings_of
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.build import DEMO_PASSWORD, build_demo_district
from yincai.demo.district import DISTRICT_CODE
from yincai.demo.subjects import SUBJECTS
from yincai.diagnosis.cli import fit_with_progress
from yincai.diagnosis.models import MasteryRun
from yincai.diagnosis.refresh import refresh_mastery
from yincai.domain.models import District

console = Console()
FIT_WORKERS = 2  # ``yincai demo`` targets a two-core machine


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="建好后启动平台 / start the platform after")
    ] = True,
    students: Annotated[
        int, typer.Option("--students", min=300, help="初中学生人数 / junior-high students")
    ] = 6500,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 0,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
) -> None:
    """生成示范区并启动平台 / build the demo district and serve it."""
    settings = settings_of(ctx)
    engine = prepared_engine(settings)
    try:
        _build_unless_built(engine, settings, students=students, seed=seed)
        _fit_every_subject(engine, settings)  # pages then only read estimates
        _print_logins(engine)
    finally:
        engine.dispose()
    if serve:
        serve_app(settings, host=host, port=port)


def _build_unless_built(engine: Engine, settings: Settings, *, students: int, seed: int) -> None:
    with session_scope(engine) as session:
        exists = session.scalar(select(District.id).where(District.code == DISTRICT_CODE))
    if exists:
        console.print(f"示范区已在 {settings.data_dir} 中，直接使用 / demo district already built")
    else:
        started = time.perf_counter()
        with (
            console.status("生成示范区 / building the demo district") as status,
            session_scope(engine) as session,
        ):
            summary = build_demo_district(
                session,
                ground_truth_path=settings.ground_truth_path,
                n_students=students,
                seed=seed,
                progress=lambda message: status.update(message),
            )
        seconds = time.perf_counter() - started
        table = Table(title=f"示范区已生成 / demo district built in {seconds:.0f} s")
        table.add_column("内容 / what")
        table.add_column("数量 / count", justify="right")
        for label, value in (
            ("学校 schools", summary.n_schools),
            ("班级 classes", summary.n_classes),
            ("教师 teachers", summary.n_teachers),
            ("学生 students", summary.n_students),
            ("科目 subjects", summary.n_subjects),
            ("知识点 knowledge points", summary.n_points),
            ("题目 items", summary.n_items),
            ("考试（各科试卷）exam papers", summary.n_assessments),
            ("小题得分 item scores", summary.n_scores),
            ("作业记录 homework attempts", summary.n_learning_events),
            ("监护人纸质同意书 consent forms", summary.n_consents),
            ("成长档案记录 growth-archive records", summary.n_growth_records),
        ):
            table.add_row(label, f"{value:,}")
        console.print(table)
        console.print(f"隐藏的真实掌握度 / hidden ground truth: {summary.ground_truth}")
        console.print(
            f"未交同意书（不作诊断，演示用）/ no consent form (not diagnosed): "
            f"{'、'.join(summary.without_consent)}"
        )


def _fit_every_subject(engine: Engine, settings: Settings) -> None:
    """Each subject's mastery estimates, two subjects at a time on two cores (each fit is one
    process busy with numpy; SQLite serialises their short commits)."""
    codes = [subject.code for subject in SUBJECTS]
    workers = min(FIT_WORKERS, os.cpu_count() or 1, len(codes))
    if workers <= 1:
        for code in codes:
            fit_with_progress(engine, subject_code=code)
        return
    context = multiprocessing.get_context("spawn")  # no forked copy of this process's engine
    with (
        console.status("掌握度估计 / mastery estimates") as status,
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        status.update(f"掌握度估计 / mastery estimates ({', '.join(codes)})")
        started = time.perf_counter()
        futures = [pool.submit(_fit_subject, settings, code) for code in codes]
        for future in as_completed(futures):
            code, n_students, fit_seconds = future.result()
            console.print(
                f"掌握度估计已就绪 / estimates ready ({code}): {n_students:,} 名学生 students, "
                f"校准 calibration {fit_seconds:.0f} s, "
                f"{time.perf_counter() - started:.0f} s"
            )


def _fit_subject(settings: Settings, code: str) -> tuple[str, int, float]:
    """One subject's refresh job, in a worker process: (code, students, calibration seconds)."""
    engine = make_engine(settings)
    try:
        run_id = refresh_mastery(engine, subject_code=code)
        with session_scope(engine) as session:
            run = session.get(MasteryRun, run_id)
            assert run is not None
            return code, run.n_students, run.fit_seconds or 0.0
    finally:
        engine.dispose()


def _print_logins(engine: Engine) -> None:
    with session_scope(engine) as session:
        accounts = session.scalars(select(UserAccount).order_by(UserAccount.id)).all()
        table = Table(title="演示账号 / demo logins")
        for column in ("角色 role", "用户名 username", "密码 password", "姓名 name"):
            table.add_column(column)
        for account in accounts:
            table.add_row(account.role.value, account.username, DEMO_PASSWORD, account.display_name)
    console.print(table)
