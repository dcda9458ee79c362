"""The ``yincai`` command: a Typer root that mounts each capability's commands, the commands
that span capabilities (``demo``, ``pdf``, ``serve``, ``worker``), and wires what follows an
import (the job queue) into every command through the context."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from yincai.analysis import cli as analysis_cli
from yincai.api import cli as api_cli
from yincai.assistant import cli as assistant_cli
from yincai.backup import cli as backup_cli
from yincai.bench import cli as bench_cli
from yincai.cli import demo as demo_cli
from yincai.cli import omr as omr_cli
from yincai.cli import pdf as pdf_cli
from yincai.cli.serve import serve_app
from yincai.cli_support import AFTER_IMPORT, command_app, prepared_engine, settings_of
from yincai.cockpit import cli as cockpit_cli
from yincai.config import Settings
from yincai.diagnosis import cli as diagnosis_cli
from yincai.governance import accounts_cli, audit_cli, export_cli
from yincai.governance import cli as governance_cli
from yincai.hub import cli as hub_cli
from yincai.jobs import Jobs
from yincai.library import cli as library_cli
from yincai.marking import cli as marking_cli
from yincai.practice import cli as practice_cli
from yincai.privacy import cli as privacy_cli

app = command_app(
    help="因材 yincai — 面向学校与区县的开源智能教育平台 / open AI-for-education platform.",
    no_args_is_help=True,
)


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="YINCAI_DATA_DIR",
            help="数据目录（SQLite 文件所在）/ folder for the embedded database and outputs.",
        ),
    ] = None,
) -> None:
    """Read the settings once and hand them to every command."""
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings
    ctx.meta[AFTER_IMPORT] = functools.partial(_after_import, settings)


def _after_import(settings: Settings, session: Session) -> None:
    """Queue what an import made stale: the job worker refreshes the mastery estimates."""
    Jobs(settings).after_import(session)


@app.command()
def init(ctx: typer.Context) -> None:
    """创建或升级数据库 / create or upgrade the database schema."""
    settings = settings_of(ctx)
    prepared_engine(settings).dispose()
    Console().print(f"数据库已就绪 / database ready: {settings.resolved_database_url()}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
) -> None:
    """启动平台 / start the web platform."""
    settings = settings_of(ctx)
    prepared_engine(settings).dispose()
    serve_app(settings, host=host, port=port)


@app.command()
def worker(ctx: typer.Context) -> None:
    """运行后台任务（导入后更新掌握度等）/ run background jobs until interrupted."""
    settings = settings_of(ctx)
    prepared_engine(settings).dispose()
    Console().print(f"[bold green]后台任务已启动 / job worker running[/] ({settings.data_dir})")
    Jobs(settings).run_worker()


app.command()(demo_cli.demo)
app.add_typer(hub_cli.app, name="import")
app.add_typer(analysis_cli.app, name="report")
app.add_typer(bench_cli.app, name="bench")
app.add_typer(governance_cli.app, name="user")
app.add_typer(accounts_cli.app, name="accounts")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(diagnosis_cli.app, name="diagnose")
app.add_typer(pdf_cli.app, name="pdf")
app.add_typer(omr_cli.app, name="omr")
app.add_typer(practice_cli.app, name="practice")
app.add_typer(library_cli.app, name="library")
app.add_typer(assistant_cli.app, name="assistant")
app.add_typer(cockpit_cli.app, name="cockpit")
app.add_typer(backup_cli.app, name="backup")
app.add_typer(marking_cli.app, name="marking")
app.add_typer(marking_cli.sheet_app, name="sheet")
app.add_typer(privacy_cli.app, name="privacy")
export_cli.app.command("oneroster")(api_cli.oneroster)
app.add_typer(export_cli.app, name="export")
app.add_typer(api_cli.app, name="api")
__all__ = ["app", "settings_of"]
