"""The job worker (a real ``yincai worker`` process) builds a queued booklet; the command follows
the build, and builds the booklet itself when no worker runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.documents.conftest import pdf_text, smallest_junior_class
from yincai.accounts.actors import CLI
from yincai.cli import pdf as pdf_cli
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.documents import service
from yincai.documents.models import DocumentState, GeneratedDocument
from yincai.domain.models import School, SchoolClass
from yincai.jobs import Jobs

WORKER_TIMEOUT_S = 180


def _environment(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "YINCAI_DATA_DIR": str(settings.data_dir)}
    for name, value in (("YINCAI_DATABASE_URL", settings.database_url),
                        ("YINCAI_DATABASE_SCHEMA", settings.database_schema)):  # fmt: skip
        env.pop(name, None)
        if value:
            env[name] = value
    return env


def _state(engine: Engine, document_id: int) -> GeneratedDocument:
    with Session(engine) as session:
        return session.get_one(GeneratedDocument, document_id)


def test_a_worker_process_picks_up_a_queued_booklet_and_builds_it(
    small_district: Settings,
) -> None:
    engine = make_engine(small_district)
    class_id, names = smallest_junior_class(engine)
    with session_scope(engine) as session:
        requested = service.request_class_booklet(session, actor=CLI, school_class_id=class_id)
        document_id = requested.document.id
    jobs = Jobs(small_district)
    jobs.queue_document(document_id)
    assert not jobs.is_worker_running() and jobs.pending() == 1
    worker = subprocess.Popen(
        [sys.executable, "-m", "yincai", "worker"],
        env=_environment(small_district),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen_running = False
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while (state := _state(engine, document_id).state) is not DocumentState.DONE:
            seen_running = seen_running or jobs.is_worker_running()
            assert state is not DocumentState.FAILED, _state(engine, document_id).message
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker did not build the booklet"
            time.sleep(0.5)
        seen_running = seen_running or jobs.is_worker_running()
    finally:
        worker.terminate()
        worker.communicate(timeout=20)  # also closes the pipe
    with Session(engine) as session:
        document = service.read_document(session, actor=CLI, document_id=document_id)
        text = pdf_text(document.content or b"")
    engine.dispose()
    assert seen_running and all(name in text for name in names)
    assert jobs.pending() == 0 and not jobs.is_worker_running()  # the worker said goodbye


def test_the_command_builds_the_booklet_itself_when_no_worker_runs_then_reuses_it(
    demo_settings: Settings, demo_engine: Engine, tmp_path: Path
) -> None:
    class_id, names = smallest_junior_class(demo_engine)
    with Session(demo_engine) as session:
        school, class_name = session.execute(
            select(School.code, SchoolClass.name)
            .join(SchoolClass, SchoolClass.school_id == School.id)
            .where(SchoolClass.id == class_id)
        ).one()
    runner = CliRunner()
    arguments = ["booklet", "--school", school, "--class", class_name, "-o"]
    first = runner.invoke(pdf_cli.app, [*arguments, str(tmp_path / "a.pdf")], obj=demo_settings)
    again = runner.invoke(pdf_cli.app, [*arguments, str(tmp_path / "b.pdf")], obj=demo_settings)
    with Session(demo_engine) as session:
        n_documents = session.scalar(select(func.count()).select_from(GeneratedDocument))
    assert first.exit_code == 0, first.output
    assert (
        "后台任务未运行，在本机生成" in first.output
        and f"{len(names)}/{len(names)}" in first.output
    )
    assert all(name in pdf_text((tmp_path / "a.pdf").read_bytes()) for name in names)
    assert again.exit_code == 0 and "本机生成" not in again.output  # built: written at once
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()
    assert n_documents == 1
