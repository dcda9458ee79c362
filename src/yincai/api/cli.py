"""``yincai export oneroster``: the district's OneRoster 1.2 CSV ZIP, written by the operator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from yincai.accounts.actors import CLI
from yincai.api.oneroster import export_oneroster
from yincai.cli_support import command_session


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
