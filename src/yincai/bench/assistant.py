"""``yincai bench assistant``: retrieval on the demo library against the labelled questions.

The demo library (subjects, curricula and the lesson notes of every knowledge point) is imported
into a fresh SQLite database in a temporary folder, then each labelled question is answered
through the library service as the assistant answers it without a language model: the best
passages and the sentences quoted from them. Rows: recall@5, MRR and the p95 of one answer,
once with the asker's subject and grade (as the assistant knows them) and once with none.
"""

from __future__ import annotations

import tempfile
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.library import import_demo_library
from yincai.demo.subjects import SUBJECTS
from yincai.domain.models import Subject
from yincai.hub import service as hub_service
from yincai.library import service
from yincai.migrations import upgrade
from yincai.retrieval import Query
from yincai.retrieval.evaluation import Labelled, evaluate, parse_questions

QUESTIONS = Path("tests/library/questions.jsonl")  # the labelled set, from the repository root
K = 5


def run(questions_path: Path = QUESTIONS) -> list[dict[str, Any]]:
    """Recall@5, MRR and p95 (ms) of answering every labelled question, with and without the
    asker's subject and grade."""
    questions = parse_questions(questions_path.read_text(encoding="utf-8").splitlines())
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Settings(data_dir=Path(folder), warm_up=False))
        try:
            upgrade(engine)
            with session_scope(engine) as session:
                n_chunks = load_demo_library(session)
            with Session(engine) as session:
                service.search(session, Query("预热"))  # jieba and the index, before timing
                rows = []
                for case, use_context in (("subject + grade", True), ("no context", False)):
                    result = evaluate(partial(_answer, session, use_context), questions, k=K)
                    rows.append(
                        {
                            "suite": "assistant",
                            "case": case,
                            "metrics": {
                                "questions": result.n_questions,
                                "passages": n_chunks,
                                "recall_at_5": round(result.recall_at_k, 4),
                                "mrr": round(result.mrr, 4),
                                "p95_ms": round(result.p95_ms, 2),
                            },
                        }
                    )
        finally:
            engine.dispose()
    return rows


def load_demo_library(session: Session) -> int:
    """Subjects, curricula and the demo library into an empty database; the passages stored."""
    session.add_all(Subject(code=s.code, name=s.name) for s in SUBJECTS)
    session.flush()
    for subject in SUBJECTS:
        with resources.as_file(subject.curriculum_source) as path:
            hub_service.import_items(session, path=path, origin="benchmark")
    result = import_demo_library(session)
    return result.n_chunks


def _answer(session: Session, use_context: bool, labelled: Labelled) -> list[str]:
    query = (
        Query(labelled.question, subject=labelled.subject, boost_grade=labelled.grade)
        if use_context
        else Query(labelled.question)
    )
    answer = service.answer(session, query, n_passages=K)
    return [found.chunk.key for found in answer.passages]
