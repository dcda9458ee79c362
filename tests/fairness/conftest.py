"""The fairness report on the shared demo district: computed once per backend by the job (one
subject, maths, to keep the suite fast; the job runs every subject the same way), then removed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from yincai.accounts.actors import CLI
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.fairness import outcomes, service
from yincai.fairness.build import build_report
from yincai.fairness.models import FairnessReport
from yincai.jobs import Jobs


def clear_reports(engine: Engine, settings: Settings) -> None:
    """No report stored and none queued."""
    Jobs(settings).queue.flush()
    with session_scope(engine) as session:
        session.execute(delete(FairnessReport))


@pytest.fixture(scope="module")
def maths_only() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outcomes, "subjects_with_exams", lambda session, district_id: ["MATH"])
        yield


@pytest.fixture(scope="module")
def computed(
    demo_settings: Settings, maths_only: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, int]]:
    """The demo's report computed by the job (the engine and the report's id)."""
    engine = make_engine(demo_settings)
    clear_reports(engine, demo_settings)
    with session_scope(engine) as session:
        report_id = service.request_report(
            session, actor=CLI, min_group=demo_settings.export_min_group
        ).report.id
    log = Path(tmp_path_factory.mktemp("fairness")) / "errors.log"
    assert build_report(engine, report_id, min_group=demo_settings.export_min_group, error_log=log)
    yield engine, report_id
    clear_reports(engine, demo_settings)
    engine.dispose()
