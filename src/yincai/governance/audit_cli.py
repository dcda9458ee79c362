"""``yincai audit ...``: check the audit log's hash chain, seal pending rows, purge old ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

import typer
from rich.console import Console

from yincai.cli_support import command_app, command_session
from yincai.governance import service
from yincai.governance.audit import MIN_RETENTION_DAYS

app = command_app(help="审计日志 / the audit log.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """校验审计链：有记录被改动或删除时以非零状态退出 / check the hash chain; exit 1 when a
    row was changed or removed."""
    with command_session(ctx) as session:
        report = service.verify_audit_chain(session)
    if report.problem is not None:
        Console(stderr=True).print(
            f"[red]审计链校验失败 / audit chain broken:[/] {report.problem.message}"
        )
        raise typer.Exit(code=1)
    Console().print(
        f"审计链完好 / audit chain intact: {report.n_rows} 条 rows (至第 {report.head_seq} 条 / "
        f"up to row {report.head_seq})"
    )


@app.command("seal")
def seal(ctx: typer.Context) -> None:
    """把尚未入链的记录封入审计链 / seal rows not yet in the chain (e.g. after an upgrade)."""
    with command_session(ctx) as session:
        n_sealed = service.seal_audit_events(session)
    Console().print(f"已封存 / sealed: {n_sealed}")


@app.command("purge")
def purge(
    ctx: typer.Context,
    before: Annotated[
        datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=f"删除此日期之前的记录（至少保留 {MIN_RETENTION_DAYS} 天）/ delete records before "
            "this date (UTC)",
        ),
    ],
) -> None:
    """清理过期审计记录，审计链仍可校验 / delete expired audit records; the chain stays
    verifiable."""
    cutoff = datetime.combine(date(before.year, before.month, before.day), time(), tzinfo=UTC)
    with command_session(ctx) as session:
        n_deleted = service.purge_audit_events(session, before=cutoff)
    Console().print(
        f"已删除 / deleted: {n_deleted} 条审计记录 / audit records before {cutoff:%Y-%m-%d}"
    )
