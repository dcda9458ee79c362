"""Ranking chunks of teaching material for a question: BM25 over jieba tokens, hard filters
(subject, grade, knowledge point), boosts (the asker's grade and knowledge points, and the points
the question names), and optional dense embeddings fused with BM25 (hybrid).

Scores of one query compare with each other only. BM25 is scaled by its best candidate to [0, 1]
so it can be fused with cosine similarity; boosts multiply, so a chunk without a matching word
stays at zero however well it is tagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from numpy.typing import NDArray

from yincai.retrieval.tokens import content_tokens, tokenize

FloatArray = NDArray[np.float64]
Embedder = Callable[[Sequence[str]], NDArray[np.floating]]

# BM25 parameters: Lucene's defaults (Robertson's k1 1.2, length normalisation b 0.75)
K1, B = 1.2, 0.75
# A knowledge point the question names (most of its name's words are in the question) lifts its
# chunks by up to this factor: students ask about a point by its name. Chosen with the mention
# threshold on a small grid over the labelled questions (tests/library): 0.5–3 and 0.5–0.8 all
# give recall@5 0.90–0.93, so the exact value matters little.
MENTION_BOOST = 0.5
MENTION_MIN_OVERLAP = 0.8  # share of the name's words the question must contain
KP_BOOST = 0.5  # chunks of the points the asker works on (e.g. the item in front of them)
GRADE_BOOST = 0.3  # chunks of the asker's grade before the same text for another grade
DENSE_WEIGHT = 0.4  # hybrid: weight of the cosine similarity beside the scaled BM25
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


@dataclass(frozen=True)
class Document:
    """One chunk to search: ``key`` names it; ``text`` includes its title and heading;
    ``tokens``, when given, are ``tokenize(text)`` computed ahead (e.g. stored on import)."""

    key: str
    text: str
    subject: str = ""
    grade: int | None = None
    kp_codes: tuple[str, ...] = ()
    kp_names: tuple[str, ...] = ()
    tokens: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Query:
    """A question with its filters (``subject``, ``grade``, ``kp_prefix``: only chunks that
    match) and its context (``boost_grade``, ``boost_kps``: chunks that match come first)."""

    text: str
    subject: str | None = None
    grade: int | None = None
    kp_prefix: str | None = None  # a point's code, or a chapter's: every point below it
    boost_grade: int | None = None
    boost_kps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A ranked chunk: its final ``score``, the scaled BM25 and cosine parts (``dense`` is None
    without embeddings) and the knowledge points the question named that it carries."""

    key: str
    score: float
    lexical: float
    dense: float | None
    mentioned: tuple[str, ...]


class Index:
    """A BM25 index of documents, with their tags for filters and boosts.

    ``embed`` (texts → array (n_texts, dim)) turns on hybrid ranking: documents are embedded
    once here, each query when it is asked.
    """

    def __init__(self, documents: Sequence[Document], *, embed: Embedder | None = None) -> None:
        self.documents = list(documents)
        self.embed = embed
        self._subjects = np.array([d.subject for d in self.documents], dtype=object)
        self._grades = np.array(
            [-1 if d.grade is None else d.grade for d in self.documents], dtype=np.int64
        )
        self._bm25 = bm25s.BM25(k1=K1, b=B)
        if self.documents:
            corpus = [
                list(d.tokens if d.tokens is not None else tokenize(d.text)) or ["\u3000"]
                for d in self.documents
            ]
            self._bm25.index(corpus, show_progress=False)
        # knowledge point code → its name's content words, and the documents it tags
        self._kp_words: dict[str, frozenset[str]] = {}
        self._kp_documents: dict[str, list[int]] = {}
        for position, document in enumerate(self.documents):
            for code, name in zip(document.kp_codes, document.kp_names, strict=False):
                if code not in self._kp_words:
                    self._kp_words[code] = frozenset(content_tokens(_BRACKETED.sub("", name)))
                self._kp_documents.setdefault(code, []).append(position)
        self._vectors: FloatArray | None = None
        if embed is not None and self.documents:
            self._vectors = _normalised(embed([d.text for d in self.documents]))

    def __len__(self) -> int:
        return len(self.documents)

    def search(self, query: Query, *, k: int = 5) -> list[Hit]:
        """The ``k`` best documents for ``query``, best first; only those with a score above 0."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        words = tokenize(query.text)
        if not self.documents or not words:
            return []
        lexical = np.asarray(self._bm25.get_scores(words), dtype=np.float64)
        allowed = self._allowed(query)
        lexical = np.where(allowed, lexical, 0.0)
        best = float(lexical.max())
        if best > 0:
            lexical = lexical / best
        score = lexical.copy()
        dense: FloatArray | None = None
        if self._vectors is not None and self.embed is not None:
            vector = _normalised(self.embed([query.text]))[0]
            dense = np.where(allowed, np.clip(self._vectors @ vector, 0.0, None), 0.0)
            score = (1 - DENSE_WEIGHT) * lexical + DENSE_WEIGHT * dense
        mentions = self._mentions(set(words), query.subject)
        boost = np.ones(len(self.documents))
        mentioned_at: dict[int, list[str]] = {}
        for code, strength in mentions.items():
            for position in self._kp_documents[code]:
                boost[position] = max(boost[position], 1 + MENTION_BOOST * strength)
                mentioned_at.setdefault(position, []).append(code)
        if query.boost_kps:
            tagged = self._tagged(query.boost_kps)
            boost[tagged] *= 1 + KP_BOOST
        if query.boost_grade is not None:
            boost[self._grades == query.boost_grade] *= 1 + GRADE_BOOST
        score = np.where(allowed, score * boost, 0.0)
        order = np.argsort(-score, kind="stable")[:k]
        return [
            Hit(
                key=self.documents[i].key,
                score=float(score[i]),
                lexical=float(lexical[i]),
                dense=None if dense is None else float(dense[i]),
                mentioned=tuple(mentioned_at.get(int(i), ())),
            )
            for i in order
            if score[i] > 0
        ]

    def _allowed(self, query: Query) -> NDArray[np.bool_]:
        allowed = np.ones(len(self.documents), dtype=bool)
        if query.subject:
            allowed &= self._subjects == query.subject
        if query.grade is not None:
            allowed &= self._grades == query.grade
        if query.kp_prefix:
            allowed &= self._tagged_mask((query.kp_prefix,))
        return allowed

    def _tagged(self, prefixes: Sequence[str]) -> NDArray[np.intp]:
        return np.flatnonzero(self._tagged_mask(prefixes))

    def _tagged_mask(self, prefixes: Sequence[str]) -> NDArray[np.bool_]:
        mask = np.zeros(len(self.documents), dtype=bool)
        for code, positions in self._kp_documents.items():
            if any(_within(code, prefix) for prefix in prefixes):
                mask[positions] = True
        return mask

    def _mentions(self, words: set[str], subject: str | None) -> dict[str, float]:
        """Knowledge points whose name's words the question mostly contains, with the share."""
        found: dict[str, float] = {}
        for code, name_words in self._kp_words.items():
            if not name_words:
                continue
            share = len(name_words & words) / len(name_words)
            if share >= MENTION_MIN_OVERLAP:
                found[code] = share
        if subject:
            subjects = {
                code: self.documents[positions[0]].subject
                for code, positions in self._kp_documents.items()
            }
            found = {code: s for code, s in found.items() if subjects[code] == subject}
        return found


def _within(code: str, prefix: str) -> bool:
    """``code`` is ``prefix`` or a point below it (codes extend their parent's by ``.``)."""
    return code == prefix or code.startswith(prefix + ".")


def _normalised(vectors: NDArray[np.floating]) -> FloatArray:
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"embeddings must be (n_texts, dim), got shape {array.shape}")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.where(norms > 0, norms, 1.0)
