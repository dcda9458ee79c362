"""The library's search index: every passage with its resource's subject, grade and knowledge
points, indexed by ``yincai.retrieval`` and kept in memory per database and data version.

The version is read with one small query (number of passages, the newest id, the latest import),
so a request after an import rebuilds the index once and every other request reuses it. The
demo library (about 1,300 passages) builds in about a second, most of it jieba's tokenising.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.domain.models import KnowledgePoint, Resource, ResourceKp, Subject
from yincai.library.models import ResourceChunk
from yincai.lru import Lru
from yincai.retrieval import Document, Hit, Index, Query
from yincai.retrieval.ranking import Embedder

_INDEXES: Lru[tuple[object, ...], LibraryIndex] = Lru(4)
_BUILD = threading.Lock()


@dataclass(frozen=True)
class ChunkInfo:
    chunk_id: int
    key: str  # <resource code>#<position>
    resource_id: int
    resource_code: str
    title: str
    heading: str
    text: str
    subject_code: str
    subject_name: str
    grade: int | None
    licence: str


@dataclass(frozen=True)
class Found:
    """A passage found for a question, with how it scored."""

    chunk: ChunkInfo
    hit: Hit

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def citation(self) -> str:
        return f"{self.chunk.title} › {self.chunk.heading}"


class LibraryIndex:
    """The passages of one data version and their retrieval index."""

    def __init__(self, chunks: list[ChunkInfo], documents: list[Document], index: Index) -> None:
        self.chunks = {c.key: c for c in chunks}
        self.documents = documents
        self.index = index

    def __len__(self) -> int:
        return len(self.chunks)

    def search(self, query: Query, *, k: int = 5) -> list[Found]:
        """The ``k`` best passages; a subject given by name is matched to its code."""
        subject = query.subject
        if subject:
            by_name = {c.subject_name: c.subject_code for c in self.chunks.values()}
            subject = by_name.get(subject, subject)
        hits = self.index.search(
            Query(
                text=query.text,
                subject=subject,
                grade=query.grade,
                kp_prefix=query.kp_prefix,
                boost_grade=query.boost_grade,
                boost_kps=query.boost_kps,
            ),
            k=k,
        )
        return [Found(self.chunks[hit.key], hit) for hit in hits]


def data_version(session: Session) -> tuple[object, ...]:
    """What changes whenever a passage is added, replaced or removed."""
    n_chunks, newest = session.execute(
        select(func.count(ResourceChunk.id), func.max(ResourceChunk.id))
    ).one()
    latest = session.scalar(select(func.max(Resource.imported_at)))
    return (int(n_chunks or 0), int(newest or 0), str(latest))


def library_index(session: Session, *, embed: Embedder | None = None) -> LibraryIndex:
    """The index of the session's database at its current data version (built if needed)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), id(bind.engine), id(embed), *data_version(session))
    found = _INDEXES.get(key)
    if found is not None:
        return found
    with _BUILD:  # one build at a time: concurrent first requests wait for it
        found = _INDEXES.get(key)
        if found is None:
            found = build_index(session, embed=embed)
            _INDEXES.put(key, found, replaces=lambda old: old[:3] == key[:3])
    return found


def build_index(session: Session, *, embed: Embedder | None = None) -> LibraryIndex:
    """Read every passage with its tags and index them."""
    kps: dict[int, list[tuple[str, str]]] = {}
    for resource_id, code, name in session.execute(
        select(ResourceKp.resource_id, KnowledgePoint.code, KnowledgePoint.name)
        .join(KnowledgePoint, KnowledgePoint.id == ResourceKp.knowledge_point_id)
        .order_by(ResourceKp.resource_id, KnowledgePoint.code)
    ):
        kps.setdefault(resource_id, []).append((code, name))
    rows = session.execute(
        select(
            ResourceChunk.id,
            ResourceChunk.position,
            ResourceChunk.heading,
            ResourceChunk.text,
            ResourceChunk.tokens,
            Resource.id,
            Resource.code,
            Resource.title,
            Resource.grade_level,
            Resource.licence,
            Subject.code,
            Subject.name,
        )
        .join(Resource, Resource.id == ResourceChunk.resource_id)
        .join(Subject, Subject.id == Resource.subject_id)
        .order_by(Resource.code, ResourceChunk.position)
    ).all()
    chunks: list[ChunkInfo] = []
    documents: list[Document] = []
    for (
        chunk_id, position, heading, text, tokens,
        resource_id, resource_code, title, grade, licence, subject_code, subject_name,
    ) in rows:  # fmt: skip
        chunk = ChunkInfo(
            chunk_id=chunk_id,
            key=f"{resource_code}#{position}",
            resource_id=resource_id,
            resource_code=resource_code,
            title=title,
            heading=heading,
            text=text,
            subject_code=subject_code,
            subject_name=subject_name,
            grade=grade,
            licence=licence,
        )
        tags = kps.get(resource_id, [])
        chunks.append(chunk)
        documents.append(
            Document(
                key=chunk.key,
                text=f"{title}\n{heading}\n{text}",
                subject=subject_code,
                grade=grade,
                kp_codes=tuple(code for code, _name in tags),
                kp_names=tuple(name for _code, name in tags),
                tokens=tuple(tokens.split()),
            )
        )
    return LibraryIndex(chunks, documents, Index(documents, embed=embed))
