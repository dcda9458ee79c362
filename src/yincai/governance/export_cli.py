"""``yincai export research``: the operator's pseudonymised research export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session, settings_of
from yincai.governance.privacy import pseudonym_key
from yincai.governance.research import research_export

app = command_app(help="数据导出 / exports.", no_args_is_help=True)


@app.callback()
def exports() -> None:
    """数据导出 / exports (a group, so that ``yincai export research`` keeps its name)."""


@app.command("research")
def research(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="ZIP 文件 / the ZIP to write")],
    assessment: Annotated[
        list[str] | None,
        typer.Option(
            help="考试代码，可重复；缺省为全部 / assessment code, repeatable; default all"
        ),
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="区县代码（多个区县时）/ district code")
    ] = None,
) -> None:
    """化名研究数据导出 / pseudonymised research export (ZIP)."""
    settings = settings_of(ctx)
    with command_session(ctx) as session:
        export = research_export(
            session,
            actor=CLI,
            key=pseudonym_key(settings),
            min_size=settings.export_min_group,
            district_code=district,
            assessment_codes=assessment or [],
        )
    # Written once the audit rows are committed: no export leaves without its record.
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(export.content)
    Console().print(
        f"已导出 / exported {output}: {export.n_students} 名学生 / students, "
        f"{len(export.assessment_codes)} 次考试 / assessments, "
        f"{export.n_hidden_cells} 个隐藏格 / hidden cells, "
        f"{export.n_withheld_results} 条成绩未导出 / results withheld"
    )
