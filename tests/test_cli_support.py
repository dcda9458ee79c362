"""Every command group fails without personal data: no locals, a message with an error id."""

from __future__ import annotations

import importlib
import pkgutil
import re
import stat
from pathlib import Path
from typing import cast

import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import yincai
from yincai.cli_support import AFTER_IMPORT, GuardedGroup, after_import, command_app


def _typer_apps() -> dict[str, typer.Typer]:
    """Every Typer app defined in a ``cli`` or ``*_cli`` module of yincai (``hub.cli``, and the
    cross-capability ones in ``yincai.cli``)."""
    apps = {}
    for module in pkgutil.walk_packages(yincai.__path__, "yincai."):
        if module.name.endswith((".cli", "_cli")) or module.name.startswith("yincai.cli."):
            found = vars(importlib.import_module(module.name))
            apps |= {
                f"{module.name}.{n}": v for n, v in found.items() if isinstance(v, typer.Typer)
            }
    return apps


def test_every_command_group_hides_locals_and_guards_its_commands() -> None:
    apps = _typer_apps()
    assert {
        "yincai.cli.app",
        "yincai.cli.pdf.app",
        "yincai.hub.cli.app",
        "yincai.privacy.cli.app",
    } <= set(apps)
    for name, app in apps.items():
        assert app.pretty_exceptions_show_locals is False, name
        assert app.info.cls is GuardedGroup, name


def test_an_unexpected_error_prints_a_short_message_and_logs_the_traceback(
    tmp_path: Path,
) -> None:
    app = command_app()

    @app.callback()
    def main(ctx: typer.Context) -> None:
        from yincai.config import Settings

        ctx.obj = Settings(data_dir=tmp_path)

    @app.command()
    def fail() -> None:
        rows = [("张三", "13800000001")]  # a local that Typer would have printed
        raise KeyError(len(rows))

    result = CliRunner().invoke(app, ["fail"], prog_name="yincai")
    assert result.exit_code == 1
    assert "出现意外错误" in result.output and "张三" not in result.output
    error_id = re.search(r"错误编号 ([0-9a-f]{8})", result.output)
    assert error_id is not None
    log_path = tmp_path / "errors.log"
    log = log_path.read_text(encoding="utf-8")
    assert f"error {error_id.group(1)} in yincai fail" in log and "KeyError: 1" in log
    assert "张三" not in log and "13800000001" not in log
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_after_import_runs_the_hook_the_root_command_wired_and_nothing_without_one() -> None:
    ran: list[object] = []
    root = command_app()
    imports = command_app()

    @root.callback()
    def main(ctx: typer.Context, wired: bool = False) -> None:
        if wired:
            ctx.meta[AFTER_IMPORT] = ran.append

    @imports.command()
    def roster(ctx: typer.Context) -> None:
        after_import(ctx, cast(Session, "the session"))

    root.add_typer(imports, name="import")
    assert CliRunner().invoke(root, ["import", "roster"]).exit_code == 0
    assert ran == []
    assert CliRunner().invoke(root, ["--wired", "import", "roster"]).exit_code == 0
    assert ran == ["the session"]
