"""Following a document's build in the terminal: a command queues it for the job worker and shows
its progress; when no worker is running it builds the document itself, with the same bar, so
commands work without ``yincai serve``."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.config import Settings
from yincai.documents import service
from yincai.documents.build import build_document
from yincai.documents.models import DocumentState, GeneratedDocument
from yincai.errors import YincaiError
from yincai.i18n import _
from yincai.jobs import Jobs

POLL_S = 0.5
WAITING = "排队中 / queued"
IN_WORKER = "后台生成 / job worker"
HERE = "本机生成 / here"
BUILT = "已生成 / built"


def follow(engine: Engine, settings: Settings, document_id: int, *, console: Console) -> bytes:
    """The document's PDF once built: by the job worker when one runs, else here."""
    jobs = Jobs(settings)
    is_queued = False
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console,
    ) as bar:  # fmt: skip
        task = bar.add_task(WAITING, total=None)

        def show(n_done: int, n_total: int) -> None:
            bar.update(task, completed=n_done, total=n_total or None)

        while True:
            document = _state(engine, document_id)
            if document.state is DocumentState.DONE:
                bar.update(task, description=BUILT)
                show(document.n_total, document.n_total)
                break
            if document.state is DocumentState.FAILED:
                raise YincaiError(
                    _("生成失败：{reason}").format(reason=document.message),
                    code="document.failed",
                )
            if service.is_stalled(document):
                raise YincaiError(_("后台任务中断，请重新运行命令"), code="document.stalled")
            if document.state is DocumentState.QUEUED and not jobs.is_worker_running():
                console.print("后台任务未运行，在本机生成 / no job worker running: building here")
                bar.update(task, description=HERE)
                build_document(
                    engine, document_id, error_log=settings.error_log_path, on_progress=show
                )
                continue  # the loop reads how it ended
            if document.state is DocumentState.QUEUED and not is_queued:
                jobs.queue_document(document_id)
                is_queued = True
            if document.state is DocumentState.RUNNING:
                bar.update(task, description=IN_WORKER)
                show(document.n_done, document.n_total)
            time.sleep(POLL_S)
    with Session(engine) as session:
        return service.read_document(session, actor=CLI, document_id=document_id).content or b""


def _state(engine: Engine, document_id: int) -> GeneratedDocument:
    with Session(engine, expire_on_commit=False) as session:
        document = session.get(GeneratedDocument, document_id)
        if document is None:  # a newer version replaced it meanwhile
            raise YincaiError(_("文档已被新版本替换，请重新运行命令"), code="document.replaced")
        return document
