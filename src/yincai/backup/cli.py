"""``yincai backup …``: a consistent online backup of the database in one file, and its restore
into an empty database (checked table by table)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yincai.backup.service import Manifest, create_backup, restore_backup
from yincai.cli_support import command_app, print_error, settings_of
from yincai.errors import YincaiError

app = command_app(
    help="备份与恢复数据库 / back up and restore the database.",
    no_args_is_help=True,
)
console = Console()


@app.command("create")
def create(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件（新建，.zip）/ backup file to write")],
) -> None:
    """在线备份数据库（平台可照常使用）/ back up the database while the platform runs."""
    try:
        manifest = create_backup(settings_of(ctx), file)
    except YincaiError as error:
        print_error(error, settings_of(ctx).language)
        raise typer.Exit(1) from None
    _print(manifest, f"已备份到 / backed up to {file}")


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="备份文件 / backup file")
    ],
) -> None:
    """恢复备份到空数据库并逐表核对行数 / restore into an empty database, checked table by table."""
    try:
        manifest = restore_backup(settings_of(ctx), file)
    except YincaiError as error:
        print_error(error, settings_of(ctx).language)
        raise typer.Exit(1) from None
    _print(manifest, "已恢复，各表行数与备份一致 / restored; every table matches the backup")


def _print(manifest: Manifest, headline: str) -> None:
    console.print(f"[green]{headline}[/]")
    console.print(
        f"{manifest.created_at} · {manifest.backend} · 版本 revision {manifest.revision} · "
        f"yincai {manifest.yincai_version}"
    )
    table = Table("表 table", "行数 rows")
    for name, count in manifest.row_counts.items():
        if count:
            table.add_row(name, str(count))
    console.print(table)
