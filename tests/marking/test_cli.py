"""``yincai marking``: demo answers marked by simulated markers, the progress table, closing
an item into the hub."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.marking.world import build_marking_world
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import Score
from yincai.marking import cli


def test_demo_status_and_close(make_database: Callable[[], Settings]) -> None:
    settings = make_database()
    engine = make_engine(settings)
    with Session(engine) as session:
        mw = build_marking_world(session, n_students=4, n_markers=2)
        session.commit()
    runner = CliRunner()
    built = runner.invoke(
        cli.app,
        [
            "demo",
            "W-MK1",
            "--markers",
            "w-marker1,w-marker2",
            "--leader",
            "w-marker0",
            "--mode",
            "single",
            "--simulate",
        ],
        obj=settings,
    )
    assert built.exit_code == 0, built.output
    assert "3 道题" in built.output
    status = runner.invoke(cli.app, ["status", "W-MK1"], obj=settings)
    assert status.exit_code == 0, status.output
    assert "阅卷中" in status.output and "阅卷教师1" in status.output
    missing = runner.invoke(cli.app, ["close", "W-MK1", "99"], obj=settings)
    assert missing.exit_code == 2
    closed = runner.invoke(cli.app, ["close", "W-MK1", "13"], obj=settings)
    assert closed.exit_code == 0, closed.output
    with Session(engine) as session:
        n_scores = len(
            session.scalars(select(Score).where(Score.assessment_item_id == mw.item_ids[0])).all()
        )
    engine.dispose()
    assert n_scores == 4
