"""``yincai audit verify / seal / purge``: exit codes a cron job or an inspector can rely on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.governance.audit_rows import write_old_audit_rows
from tests.governance.test_chain import _tamper, _write
from yincai.config import Settings
from yincai.db import make_engine
from yincai.governance import audit_cli
from yincai.governance.models import AuditEvent, AuditSeal


def _run(settings: Settings, *arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(audit_cli.app, list(arguments), obj=settings)
    return result.exit_code, result.output


def test_verify_exits_0_on_an_intact_log_and_1_after_an_update_or_a_delete(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    _write(engine, 5)
    with Session(engine) as session:
        seqs = dict(session.execute(select(AuditSeal.seq, AuditSeal.event_id)).all())
    engine.dispose()
    code, output = _run(settings, "verify")
    assert code == 0 and "完好" in output and "5" in output
    _tamper(settings, f"UPDATE audit_event SET scope = 'district:9' WHERE id = {seqs[2]}")
    code, output = _run(settings, "verify")
    assert code == 1 and f"审计记录 {seqs[2]}" in output and "被改动" in output


def test_verify_exits_1_when_the_newest_row_was_deleted(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    _write(engine, 3)
    with Session(engine) as session:
        newest = session.scalar(select(func.max(AuditEvent.id)))
    engine.dispose()
    _tamper(
        settings,
        f"DELETE FROM audit_event_student WHERE event_id = {newest}",
        f"DELETE FROM audit_seal WHERE event_id = {newest}",
        f"DELETE FROM audit_event WHERE id = {newest}",
    )
    code, output = _run(settings, "verify")
    assert code == 1 and "第 3 至 3 条" in output


def test_purge_refuses_a_recent_cutoff_and_keeps_the_chain_verifiable(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    engine = make_engine(settings)
    write_old_audit_rows(engine, [500, 400, 20])
    engine.dispose()
    recent = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")
    code, output = _run(settings, "purge", "--before", recent)
    assert code == 1 and "183" in output
    cutoff = (datetime.now(UTC) - timedelta(days=300)).strftime("%Y-%m-%d")
    code, output = _run(settings, "purge", "--before", cutoff)
    assert code == 0 and "2" in output
    code, output = _run(settings, "verify")
    assert code == 0, output


def test_seal_chains_rows_written_without_the_key(make_database: Callable[[], Settings]) -> None:
    settings = make_database()
    engine = make_engine(settings)
    engine.update_execution_options(yincai_audit_key=b"")
    _write(engine, 2)
    engine.dispose()
    assert _run(settings, "seal") == (0, "已封存 / sealed: 2\n")
    assert _run(settings, "seal")[1] == "已封存 / sealed: 0\n"
