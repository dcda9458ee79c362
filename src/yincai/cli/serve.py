"""``yincai serve``: the platform on one address, in one or several processes, with the job
worker beside them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

from yincai.config import Settings

WORKER_HEALTHCHECK_S = 120


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

    from yincai.app import create_app

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
        "yincai.app:create_app_from_environment",
        factory=True,
        workers=workers,
        # uvicorn kills a worker that does not answer its ping in time (5 s by default), and a
        # spawned worker answers only once it has imported the platform: on a busy two-core
        # server that takes longer, and the workers were restarted forever, never serving.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        **options,
    )
