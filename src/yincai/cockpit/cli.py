"""``yincai cockpit …``: the early warnings and the cockpit's headline numbers in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session
from yincai.cockpit import service
from yincai.cockpit.detection import KIND_NAMES, WarningKind

app = command_app(help="数据驾驶舱与预警 / cockpit and early warnings", no_args_is_help=True)
console = Console()


@app.command("warnings")
def warnings(
    ctx: typer.Context,
    district: Annotated[
        str | None, typer.Option("--district", help="区代码 / district code")
    ] = None,
    kind: Annotated[
        WarningKind | None, typer.Option("--kind", help="只看一类 / one kind only")
    ] = None,
    sensitive: Annotated[
        bool, typer.Option("--sensitive", help="敏感模式 / miss fewer, more false alarms")
    ] = False,
) -> None:
    """预警列表 / the district's early warnings, open ones first."""
    with command_session(ctx) as session:
        found = service.early_warnings(
            session,
            actor=CLI,
            district_code=district,
            kind=kind,
            is_sensitive=sensitive,
        )
    table = Table(title=f"预警 / early warnings ({len(found)})")
    for column in ("等级", "类别", "对象"):
        table.add_column(column, no_wrap=True)
    table.add_column("原因", min_width=40)
    table.add_column("证据", no_wrap=True)
    table.add_column("已确认")
    for warning in found:
        table.add_row(
            "[red]高[/]" if warning.severity is service.Severity.HIGH else "中",
            KIND_NAMES[warning.kind],
            warning.title,
            warning.reason,
            warning.link,
            "✓" if warning.acknowledgement else "",
        )
    console.print(table)
