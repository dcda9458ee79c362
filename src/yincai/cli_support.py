"""What every command needs: the settings from the root callback, a migrated engine, the hook
that follows an import, and a command group that never prints personal data when a command
fails. Serving the platform is ``yincai.cli.serve``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

AFTER_IMPORT = "yincai.after_import"  # ctx.meta key, shared by every nested context
ImportHook = Callable[[Session], None]


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


def after_import(ctx: typer.Context, session: Session) -> None:
    """Run what the root command wired to follow an import that changed data (queueing the
    refresh of the estimates it made stale); nothing when a sub-app runs on its own."""
    hook = ctx.meta.get(AFTER_IMPORT)
    if hook is not None:
        hook(session)


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
