"""Erasure deletes the student's scan files — their scanned pages, review crops and answer crops —
once it commits: a rolled-back erasure deletes nothing, and another student's files, or a
multi-page file shared with another student's sheet, stay."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from tests.governance.world import World, build_world
from yincai.config import Settings
from yincai.db import make_engine
from yincai.marking.models import ScanBatch, ScanSheet, ScanStatus
from yincai.privacy import service

FOLDER = "scans/1-abcd"


def _sheet(batch_id: int, student_id: int, number: str, index: int, shared: str) -> ScanSheet:
    review = {"2": {"crop": f"{FOLDER}/review/{index:05d}-000.png", "read": "AB"}}
    return ScanSheet(
        scan_batch_id=batch_id,
        student_id=student_id,
        student_number=number,
        answers="{}",
        review=json.dumps(review),
        problems="[]",
        sources=json.dumps({"1": f"{index:05d}.png", "2": f"{shared}#{index + 1}"}),
        crops=json.dumps({"5": f"{FOLDER}/crops/{index:05d}-000.png"}),
    )


def _files(index: int, shared: str) -> list[str]:
    return [
        f"{FOLDER}/files/{index:05d}.png",
        f"{FOLDER}/files/{shared}",
        f"{FOLDER}/review/{index:05d}-000.png",
        f"{FOLDER}/crops/{index:05d}-000.png",
    ]


def _setup(settings: Settings) -> World:
    data_dir = Path(settings.data_dir)
    engine = make_engine(settings)
    with Session(engine) as session:
        world = build_world(session)
        batch = ScanBatch(
            assessment_id=world["E1"],
            status=ScanStatus.DONE,
            layout_json="{}",
            folder=FOLDER,
            created_at=datetime.now(UTC),
        )
        session.add(batch)
        session.flush()
        session.add(_sheet(batch.id, world["A1"], world.names["A1"][1], 0, "00009.pdf"))
        session.add(_sheet(batch.id, world["A2"], world.names["A2"][1], 1, "00009.pdf"))
        session.add(_sheet(batch.id, world["B1"], world.names["B1"][1], 2, "00008.pdf"))
        session.commit()
    engine.dispose()
    for path in _files(0, "00009.pdf") + _files(1, "00009.pdf") + _files(2, "00008.pdf"):
        (data_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / path).write_bytes(b"\x89PNG scan")
    return world


def test_erasure_deletes_the_students_scan_files_when_it_commits(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    world = _setup(settings)
    data_dir = Path(settings.data_dir)
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            service.erase(session, student_id=world["B1"], data_dir=data_dir)
            session.rollback()
        assert all((data_dir / path).exists() for path in _files(2, "00008.pdf"))
        with Session(engine) as session:
            session.commit()  # an unrelated later commit of the same kind of session: nothing
        assert all((data_dir / path).exists() for path in _files(2, "00008.pdf"))

        with Session(engine) as session:
            service.erase(session, student_id=world["B1"], data_dir=data_dir)
            assert (data_dir / _files(2, "00008.pdf")[0]).exists()  # not before the commit
            session.commit()
        assert not any((data_dir / path).exists() for path in _files(2, "00008.pdf"))

        with Session(engine) as session:
            service.erase(session, student_id=world["A1"], data_dir=data_dir)
            session.commit()
        gone = [path for path in _files(0, "00009.pdf") if "00009.pdf" not in path]
        assert not any((data_dir / path).exists() for path in gone)
        assert (data_dir / FOLDER / "files" / "00009.pdf").exists()  # A2's pages are in it too
        assert all((data_dir / path).exists() for path in _files(1, "00009.pdf"))
    finally:
        engine.dispose()
