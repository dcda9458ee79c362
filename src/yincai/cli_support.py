"""What every command needs: the settings from the root callback, a migrated engine, the server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.errors import YincaiError
from yincai.migrations import upgrade


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root callback built (defaults when a sub-app runs on its own)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def prepared_engine(settings: Settings) -> Engine:
    """An engine on a database whose schema is up to date (created on first use)."""
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def serve_app(settings: Settings, *, host: str, port: int) -> None:
    import uvicorn

    from yincai.web.app import create_app

    Console().print(f"[bold green]因材已启动 / yincai is running:[/] http://{host}:{port}/")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@contextmanager
def command_session(ctx: typer.Context) -> Iterator[Session]:
    """A command's unit of work: a migrated database, one commit, and a service's error printed
    in red with exit code 1 (nothing written)."""
    engine = prepared_engine(settings_of(ctx))
    try:
        with session_scope(engine) as session:
            yield session
    except YincaiError as problem:
        Console(stderr=True).print(f"[red]{problem.message}[/]")
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
