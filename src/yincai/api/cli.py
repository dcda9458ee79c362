"""``yincai export oneroster`` (the district's OneRoster 1.2 CSV ZIP, following its build by the
job worker, or building it here when none runs) and ``yincai api token-…`` (API tokens of
``/api/v1``), run by the operator."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.accounts.models import UserAccount
from yincai.api import service
from yincai.cli_support import command_app, command_session, prepared_engine, settings_of
from yincai.config import Settings
from yincai.errors import NotFound, YincaiError
from yincai.exports import service as exports_service
from yincai.exports.build import build_export
from yincai.exports.models import ExportState, OneRosterExportRequest
from yincai.i18n import _
from yincai.jobs import Jobs

POLL_S = 0.5
WAITING = "排队中 / queued"
IN_WORKER = "后台生成 / job worker"
HERE = "本机生成 / here"
BUILT = "已生成 / built"


def oneroster(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("-o", "--out", help="ZIP 文件 / the ZIP to write")],
    names: Annotated[
        bool,
        typer.Option(help="导出姓名（默认不导出）/ include given and family names (default off)"),
    ] = False,
    results: Annotated[bool, typer.Option(help="导出成绩 / include line items and results")] = True,
    district: Annotated[
        str | None, typer.Option(help="区县代码（多个区县时）/ district code")
    ] = None,
) -> None:
    """OneRoster 1.2 名册与成绩导出 / OneRoster 1.2 CSV export (rosters and gradebook, ZIP).

    由后台任务生成并显示进度；后台任务未运行时在本机生成。同一数据版本已生成的直接写出。
    Built by the job worker with a progress bar (here when no worker runs); an export already
    built from the current data is written at once."""
    console = Console()
    settings = settings_of(ctx)
    with command_session(ctx) as session:
        requested = exports_service.request_oneroster(
            session,
            actor=CLI,
            with_names=names,
            with_results=results,
            district_code=district,
            data_dir=Path(settings.data_dir),
        )
        export_id = requested.export.id
    engine = prepared_engine(settings)
    try:
        follow(engine, settings, export_id, console=console)
    finally:
        engine.dispose()
    with command_session(ctx) as session:
        download = exports_service.read_export(
            session, actor=CLI, export_id=export_id, data_dir=Path(settings.data_dir)
        )
    # Written once the audit row is committed: no export leaves without its record.
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(download.content)
    counts = ", ".join(f"{name} {n}" for name, n in _row_counts(download.content).items())
    console.print(f"已导出 / exported {out}: {counts}")


def follow(engine: Engine, settings: Settings, export_id: int, *, console: Console) -> None:
    """Wait for the export's build with a progress bar: the job worker's when one runs, else a
    build here."""
    jobs = Jobs(settings)
    is_queued = False
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=console,
    ) as bar:  # fmt: skip
        task = bar.add_task(WAITING, total=1.0)

        def show(share: float) -> None:
            bar.update(task, completed=share)

        while True:
            export = _state(engine, export_id)
            if export.state is ExportState.DONE:
                bar.update(task, description=BUILT, completed=1.0)
                return
            if export.state is ExportState.FAILED:
                raise YincaiError(
                    _("导出失败：{reason}").format(reason=export.message),
                    code="oneroster_export.failed",
                )
            if exports_service.is_stalled(export):
                raise YincaiError(
                    _("后台任务中断，请重新运行命令"), code="oneroster_export.stalled"
                )
            if export.state is ExportState.QUEUED and not jobs.is_worker_running():
                console.print("后台任务未运行，在本机生成 / no job worker running: building here")
                bar.update(task, description=HERE)
                build_export(
                    engine,
                    export_id,
                    data_dir=Path(settings.data_dir),
                    error_log=settings.error_log_path,
                    on_progress=show,
                )
                continue  # the loop reads how it ended
            if export.state is ExportState.QUEUED and not is_queued:
                jobs.queue_oneroster(export_id)
                is_queued = True
            if export.state is ExportState.RUNNING:
                bar.update(task, description=IN_WORKER)
                show(export.progress)
            time.sleep(POLL_S)


def _state(engine: Engine, export_id: int) -> OneRosterExportRequest:
    with Session(engine, expire_on_commit=False) as session:
        export = session.get(OneRosterExportRequest, export_id)
        if export is None:  # an erasure deleted it meanwhile
            raise YincaiError(_("导出已被删除，请重新运行命令"), code="oneroster_export.deleted")
        return export


def _row_counts(content: bytes) -> dict[str, int]:
    """Data rows per file of the ZIP (its header left out)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).count(b"\n") - 1
            for name in archive.namelist()
            if name != "manifest.csv"
        }


app = command_app(help="接口令牌 / API tokens of /api/v1.", no_args_is_help=True)


@app.command("token-create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="绑定的教职工账号 / staff account to bind")],
    name: Annotated[str, typer.Option(help="用途 / what the token is for")],
    days: Annotated[int, typer.Option(help="有效天数 / days valid")] = 365,
) -> None:
    """创建接口令牌（只显示一次）/ create an API token (shown once)."""
    with command_session(ctx) as session:
        account = session.scalars(
            select(UserAccount).where(UserAccount.username == username)
        ).first()
        if account is None:
            raise NotFound(
                _("账号 {username} 不存在").format(username=username),
                code="user_account.not_found",
            )
        row, token = service.create_token(
            session, actor=CLI, user_account_id=account.id, name=name, days=days
        )
        token_id = row.id
    Console().print(f"令牌 / token {token_id}: {token}")


@app.command("token-revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="令牌编号 / token id")]
) -> None:
    """吊销接口令牌 / revoke an API token."""
    with command_session(ctx) as session:
        service.revoke_token(session, actor=CLI, token_id=token_id)
    Console().print(f"已吊销 / revoked {token_id}")
