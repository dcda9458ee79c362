"""The labelled questions on the demo library: realistic questions from students and teachers of
every demo subject, each with the passages that answer it; retrieval must find them (issue 14:
recall@5 ≥ 0.9, MRR ≥ 0.75). ``yincai bench assistant`` measures the same through the service."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from yincai.demo.library import demo_index
from yincai.demo.subjects import SUBJECTS
from yincai.retrieval import Index, Query
from yincai.retrieval.evaluation import Labelled, evaluate, parse_questions

QUESTIONS = Path(__file__).parent / "questions.jsonl"
CODES = {subject.name: subject.code for subject in SUBJECTS}


@pytest.fixture(scope="module")
def index() -> Index:
    return demo_index()


@pytest.fixture(scope="module")
def questions() -> list[Labelled]:
    return parse_questions(QUESTIONS.read_text(encoding="utf-8").splitlines())


def test_the_labelled_set_is_large_varied_and_names_real_passages(
    index: Index, questions: list[Labelled]
) -> None:
    keys = {document.key for document in index.documents}
    assert len(questions) >= 150
    assert len({q.question for q in questions}) == len(questions)
    assert set(Counter(q.subject for q in questions)) == set(CODES)
    assert min(Counter(q.subject for q in questions).values()) >= 15
    assert {q.asker for q in questions} == {"student", "teacher"}
    assert all(q.relevant and set(q.relevant) <= keys for q in questions)


def test_retrieval_finds_the_answering_passages(index: Index, questions: list[Labelled]) -> None:
    def rank(labelled: Labelled) -> list[str]:
        query = Query(
            labelled.question, subject=CODES[labelled.subject or ""], boost_grade=labelled.grade
        )
        return [hit.key for hit in index.search(query, k=5)]

    result = evaluate(rank, questions, k=5)
    assert result.recall_at_k >= 0.9, result.misses
    assert result.mrr >= 0.75, result.misses
