"""Run one score import in a process of its own (the test kills it part-way): the same service
and unit of work as ``yincai import scores``, without the CLI's start-up cost."""

from __future__ import annotations

import sys
from pathlib import Path

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.hub import service as hub_service

if __name__ == "__main__":
    engine = make_engine(Settings())
    with session_scope(engine) as session:
        hub_service.import_scores(session, path=Path(sys.argv[1]), assessment_code=sys.argv[2])
    engine.dispose()
