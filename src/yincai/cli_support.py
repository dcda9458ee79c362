"""What every command needs: the settings from the root callback, a migrated engine, the server,
and a command group that never prints personal data when a command fails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.error_log import report_unexpected_error
from yincai.errors import YincaiError
from yincai.i18n import translate
from yincai.migrations import upgrade
from yincai.redaction import install_redaction


class GuardedGroup(TyperGroup):
    """A command group whose commands fail quietly: a service's error prints its message; any
    other error prints a short Chinese message with an error id and exits 1, its traceback
    (without locals, redacted) going to ``<data_dir>/errors.log``. Typer would otherwise print
    the traceback with every frame's variables: rows of names, numbers and phones."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        install_redaction()
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # usage errors, exits, Ctrl-C
            raise
        except YincaiError as problem:
            print_error(problem, settings_of(ctx).language)
            raise typer.Exit(code=1) from None
        except Exception as error:
            where = " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
            report = report_unexpected_error(
                error, log_path=settings_of(ctx).error_log_path, where=where
            )
            message = translate(report.message, settings_of(ctx).language)
            Console(stderr=True).print(message, markup=False, highlight=False)
            raise typer.Exit(code=1) from None


def print_error(problem: YincaiError, language: str) -> None:
    """A service's error in red, in the interface language (the setting ``language``)."""
    text = escape(problem.text_in(language))
    Console(stderr=True).print(f"[red]{text}[/]", markup=True, highlight=False)


def command_app(**options: Any) -> typer.Typer:
    """A Typer app (the root or a capability's) that fails without showing personal data."""
    return typer.Typer(cls=GuardedGroup, pretty_exceptions_show_locals=False, **options)


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
    share the listening socket, the database and (through the environment) the settings; and
    the job worker beside them."""
    workers = settings.workers()
    with job_worker(settings):
        _serve(settings, host=host, port=port, workers=workers)


@contextmanager
def job_worker(settings: Settings) -> Iterator[None]:
    """``yincai worker`` in a child process for as long as the platform runs."""
    environment = {**os.environ, **settings.as_environment()}
    child = subprocess.Popen([sys.executable, "-m", "yincai", "worker"], env=environment)
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def _serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    from yincai.web.app import create_app

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
        print_error(problem, settings_of(ctx).language)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
