"""What every command needs: the settings from the root callback, a migrated engine, the server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


def uvicorn_options(*, host: str, port: int) -> dict[str, Any]:
    """What ``yincai serve`` hands uvicorn. ``proxy_headers=False``: uvicorn would otherwise take
    the client's address from ``X-Forwarded-For`` whenever the peer is 127.0.0.1, letting anyone
    on loopback pick a new address per login attempt. The app reads those headers itself, from
    the configured ``trusted_proxies`` only (``yincai.web.proxies``)."""
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": False,
        "forwarded_allow_ips": "",
    }


def serve_app(settings: Settings, *, host: str, port: int) -> None:
    """The platform on ``host:port``: one process, or ``settings.workers()`` processes that
    share the listening socket, the database and (through the environment) the settings."""
    import uvicorn

    from yincai.web.app import create_app

    workers = settings.workers()
    Console().print(
        f"[bold green]因材已启动 / yincai is running:[/] http://{host}:{port}/ "
        f"({workers} 个进程 / processes)"
    )
    options = uvicorn_options(host=host, port=port)
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Worker processes build their settings from the environment: hand these on, with one
    # secret key for all (each would otherwise draw its own and reject the others' cookies).
    shared = settings.model_copy(update={"secret_key": settings.effective_secret_key()})
    os.environ.update(shared.as_environment())
    uvicorn.run(
        "yincai.web.app:create_app_from_environment",
        factory=True,
        workers=workers,
        **options,
    )


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
