"""``yincai export oneroster`` (the district's OneRoster 1.2 CSV ZIP) and ``yincai api token-…``
(API tokens of ``/api/v1``), run by the operator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from yincai.accounts.actors import CLI
from yincai.accounts.models import UserAccount
from yincai.api import service
from yincai.api.oneroster import export_oneroster
from yincai.cli_support import command_app, command_session
from yincai.errors import NotFound
from yincai.i18n import _


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
    """OneRoster 1.2 名册与成绩导出 / OneRoster 1.2 CSV export (rosters and gradebook, ZIP)."""
    with command_session(ctx) as session:
        export = export_oneroster(
            session, actor=CLI, with_names=names, with_results=results, district_code=district
        )
    # Written once the audit row is committed: no export leaves without its record.
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(export.content)
    counts = ", ".join(f"{name} {n}" for name, n in export.counts.items())
    Console().print(f"已导出 / exported {out}: {counts}")


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
