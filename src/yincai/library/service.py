"""The resource library's services: import files, browse with filters, read one resource,
search its passages and answer a question from them without a language model.

Importing validates every file before it writes anything (``Invalid`` lists each problem by
file) and is idempotent: a file whose text and tags are unchanged is left as it is, a changed
one replaces its passages. Reading needs a signed-in account of any role: the library holds
teaching material, no personal data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.domain.models import KnowledgePoint, Resource, ResourceKp, Subject
from yincai.errors import Invalid, NotFound, RowError, reason_of
from yincai.governance import service as governance_service
from yincai.hub.importers.parsing import parse_grade
from yincai.i18n import _
from yincai.library.chunking import passages_of
from yincai.library.documents import ParsedFile, read_file
from yincai.library.models import ResourceChunk
from yincai.library.search import Found, library_index
from yincai.retrieval import Query, content_tokens, tokenize
from yincai.retrieval.ranking import Embedder
from yincai.retrieval.tokens import TOKENS_VERSION

DEFAULT_KIND = "资料"
DEFAULT_LICENCE = "未注明"
PAGE_SIZE = 20
_CODE_CHARS = re.compile(r"[^\w.\-]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# sentences that state a mistake (the notes label them so): quoted only after the facts
MISTAKE_MARKERS = ("常见错误", "错误说法", "易错", "✗")


@dataclass(frozen=True)
class ResourceTags:
    """Tags given on import (command-line options): each one given replaces the file's own."""

    subject: str | None = None
    grade: str | None = None
    knowledge_points: tuple[str, ...] = ()
    licence: str | None = None
    kind: str | None = None

    @classmethod
    def from_text(
        cls, *, subject: str, grade: str, knowledge_points: str, licence: str, kind: str
    ) -> ResourceTags:
        """Tags as typed in a form: blank fields keep the file's own; points split at commas,
        、 or spaces (as the front matter's list may be written)."""
        return cls(
            subject=subject.strip() or None,
            grade=grade.strip() or None,
            knowledge_points=tuple(_list(knowledge_points)),
            licence=licence.strip() or None,
            kind=kind.strip() or None,
        )


@dataclass
class LibraryImport:
    """What an import did: resources new, changed (passages replaced) and unchanged."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    n_chunks: int = 0


@dataclass(frozen=True)
class _Prepared:
    name: str
    code: str
    parsed: ParsedFile
    subject_id: int
    grade: int | None
    kp_ids: tuple[int, ...]
    licence: str
    kind: str
    digest: str


def import_resources(
    session: Session, files: Sequence[tuple[str, bytes]], *, tags: ResourceTags | None = None
) -> LibraryImport:
    """Import ``files`` (name, bytes) as resources, all or nothing."""
    tags = tags or ResourceTags()
    errors: list[RowError] = []
    prepared: list[_Prepared] = []
    subjects = _subjects(session)
    points = _points(session)
    seen: dict[str, str] = {}
    for name, data in files:
        try:
            item = _prepare(name, data, tags, subjects, points)
        except ValueError as problem:
            errors.append(RowError(name, 0, getattr(problem, "field", ""), reason_of(problem)))
            continue
        if item.code in seen:
            errors.append(RowError(name, 0, "code", _("与 {other} 的资源编码 {code} 重复").format(
                other=seen[item.code], code=item.code
            )))  # fmt: skip
            continue
        seen[item.code] = name
        prepared.append(item)
    if errors:
        raise Invalid(
            _("有 {n} 个文件不能导入，均未写入").format(n=len(errors)),
            code="library.invalid_files",
            details=errors,
        )
    result = LibraryImport()
    existing = {
        r.code: r for r in session.scalars(select(Resource).where(Resource.code.in_(list(seen))))
    }
    now = datetime.now(UTC)
    written: list[tuple[Resource, _Prepared]] = []
    for item in prepared:
        resource = existing.get(item.code)
        if resource is not None and resource.sha256 == item.digest:
            result.unchanged.append(item.code)
            continue
        if resource is None:
            resource = Resource(code=item.code)
            session.add(resource)
            result.created.append(item.code)
        else:
            session.execute(delete(ResourceChunk).where(ResourceChunk.resource_id == resource.id))
            session.execute(delete(ResourceKp).where(ResourceKp.resource_id == resource.id))
            result.updated.append(item.code)
        resource.title = item.parsed.title[:200]
        resource.kind = item.kind[:30]
        resource.subject_id = item.subject_id
        resource.grade_level = item.grade
        resource.licence = item.licence[:200]
        resource.media_type = item.parsed.media_type
        resource.body = item.parsed.text
        resource.file_path = item.name[-300:]
        resource.sha256 = item.digest
        resource.imported_at = now
        written.append((resource, item))
    session.flush()  # one flush for every resource's id, then their tags and passages
    for resource, item in written:
        session.add_all(
            ResourceKp(resource_id=resource.id, knowledge_point_id=kp_id) for kp_id in item.kp_ids
        )
        passages = passages_of(item.parsed)
        session.add_all(
            ResourceChunk(
                resource_id=resource.id,
                position=p.position,
                heading=p.heading[:300],
                text=p.text,
                tokens=" ".join(tokenize(f"{resource.title}\n{p.heading}\n{p.text}")),
            )
            for p in passages
        )
        result.n_chunks += len(passages)
    session.flush()
    return result


def upload_subjects(session: Session, *, actor: Actor) -> list[Subject]:
    """The subjects an upload may be tagged with (those with knowledge points), for staff."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    return list(
        session.scalars(
            select(Subject)
            .where(Subject.id.in_(select(KnowledgePoint.subject_id)))
            .order_by(Subject.id)
        )
    )


def upload_resource(
    session: Session, *, actor: Actor, name: str, data: bytes, tags: ResourceTags
) -> LibraryImport:
    """Import one file uploaded by staff (teachers, school and district admins), checked as
    ``import_resources`` checks every file; an upload that changed the library is audited."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    result = import_resources(session, [(Path(name).name, data)], tags=tags)
    for code in (*result.created, *result.updated):
        resource_id = session.scalar(select(Resource.id).where(Resource.code == code))
        governance_service.audit(
            session,
            actor=actor,
            action="library_upload",
            object_type="resource",
            object_id=str(resource_id),
        )
    return result


def import_paths(
    session: Session, paths: Sequence[Path], *, tags: ResourceTags | None = None
) -> LibraryImport:
    """Import files and the supported files in folders (recursively), all or nothing."""
    from yincai.library.documents import MEDIA_TYPES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in MEDIA_TYPES))
        else:
            files.append(path)
    missing = [p for p in files if not p.is_file()]
    if missing:
        raise Invalid(
            _("找不到文件：{names}").format(names="、".join(str(p) for p in missing)),
            code="library.missing_files",
        )
    return import_resources(session, [(str(p), p.read_bytes()) for p in files], tags=tags)


class TagProblem(ValueError):
    """A tag that cannot be used; ``field`` names it (subject, grade, knowledge_points, code)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _prepare(
    name: str,
    data: bytes,
    tags: ResourceTags,
    subjects: dict[str, Subject],
    points: dict[tuple[int, str], int],
) -> _Prepared:
    parsed = read_file(Path(name), data)
    meta = parsed.meta
    subject_text = tags.subject or _text(meta.get("subject"))
    if not subject_text:
        raise TagProblem("subject", _("没有注明学科（文件元数据 subject 或 --subject）"))
    subject = subjects.get(subject_text) or subjects.get(subject_text.upper())
    if subject is None:
        raise TagProblem("subject", _("未知学科“{subject}”").format(subject=subject_text))
    grade_text = tags.grade or _text(meta.get("grade"))
    try:
        grade = parse_grade(grade_text) if grade_text else None
    except ValueError as problem:
        raise TagProblem("grade", reason_of(problem)) from None
    kp_texts = list(tags.knowledge_points) or _list(meta.get("knowledge_points"))
    kp_ids = []
    for kp_text in kp_texts:
        kp_id = points.get((subject.id, kp_text))
        if kp_id is None:
            raise TagProblem(
                "knowledge_points",
                _("学科“{subject}”没有知识点“{kp}”").format(subject=subject.name, kp=kp_text),
            )
        kp_ids.append(kp_id)
    code = _text(meta.get("code")) or _CODE_CHARS.sub("-", Path(name).stem).strip("-")
    if not code or len(code) > 40:
        raise TagProblem("code", _("资源编码“{code}”应为 1–40 个字符").format(code=code))
    licence = tags.licence or _text(meta.get("licence")) or DEFAULT_LICENCE
    kind = tags.kind or _text(meta.get("kind")) or DEFAULT_KIND
    fingerprint = json.dumps(
        [subject.id, grade, sorted(set(kp_ids)), licence, kind, TOKENS_VERSION], ensure_ascii=False
    ).encode()
    digest = hashlib.sha256(data + b"\0" + fingerprint).hexdigest()
    return _Prepared(
        name, code, parsed, subject.id, grade, tuple(dict.fromkeys(kp_ids)), licence, kind, digest
    )


def _subjects(session: Session) -> dict[str, Subject]:
    found: dict[str, Subject] = {}
    for subject in session.scalars(select(Subject)):
        found[subject.name] = subject
        found[subject.code] = subject
    return found


def _points(session: Session) -> dict[tuple[int, str], int]:
    """Knowledge points by (subject, code) and by (subject, name)."""
    found: dict[tuple[int, str], int] = {}
    for kp_id, subject_id, code, name in session.execute(
        select(
            KnowledgePoint.id, KnowledgePoint.subject_id, KnowledgePoint.code, KnowledgePoint.name
        )
    ):
        found.setdefault((subject_id, name), kp_id)
        found[(subject_id, code)] = kp_id
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v for v in re.split(r"[,，、\s]+", str(value)) if v]


# ---- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceRow:
    resource: Resource
    subject_name: str
    n_chunks: int


@dataclass(frozen=True)
class Browse:
    rows: list[ResourceRow]
    n_total: int
    page: int
    n_pages: int


def browse(
    session: Session,
    *,
    actor: Actor,
    subject_id: int | None = None,
    grade: int | None = None,
    kp_code: str | None = None,
    page: int = 1,
) -> Browse:
    """The library's resources, filtered, in code order, one page at a time."""
    del actor  # any signed-in account may read the library
    where = []
    if subject_id is not None:
        where.append(Resource.subject_id == subject_id)
    if grade is not None:
        where.append(Resource.grade_level == grade)
    if kp_code:
        tagged = (
            select(ResourceKp.resource_id)
            .join(KnowledgePoint, KnowledgePoint.id == ResourceKp.knowledge_point_id)
            .where((KnowledgePoint.code == kp_code) | KnowledgePoint.code.startswith(kp_code + "."))
        )
        where.append(Resource.id.in_(tagged))
    n_total = session.scalar(select(func.count()).select_from(Resource).where(*where)) or 0
    n_pages = max(1, -(-n_total // PAGE_SIZE))
    page = min(max(page, 1), n_pages)
    n_chunks = (
        select(func.count()).where(ResourceChunk.resource_id == Resource.id).scalar_subquery()
    )
    rows = session.execute(
        select(Resource, Subject.name, n_chunks)
        .join(Subject, Subject.id == Resource.subject_id)
        .where(*where)
        .order_by(Resource.code)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return Browse([ResourceRow(r, name, int(n)) for r, name, n in rows], n_total, page, n_pages)


@dataclass(frozen=True)
class ResourceView:
    resource: Resource
    subject_name: str
    knowledge_points: list[KnowledgePoint]
    chunks: list[ResourceChunk]


def get_resource(session: Session, *, actor: Actor, resource_id: int) -> ResourceView:
    """One resource with its tags and its passages in reading order."""
    del actor
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound(_("资源 {id} 不存在").format(id=resource_id), code="resource.not_found")
    subject = session.get(Subject, resource.subject_id)
    points = list(
        session.scalars(
            select(KnowledgePoint)
            .join(ResourceKp, ResourceKp.knowledge_point_id == KnowledgePoint.id)
            .where(ResourceKp.resource_id == resource.id)
            .order_by(KnowledgePoint.code)
        )
    )
    chunks = list(
        session.scalars(
            select(ResourceChunk)
            .where(ResourceChunk.resource_id == resource.id)
            .order_by(ResourceChunk.position)
        )
    )
    return ResourceView(resource, subject.name if subject else "", points, chunks)


def resource_by_code(session: Session, *, actor: Actor, code: str) -> Resource:
    """The resource of ``code`` (any signed-in account)."""
    del actor
    resource = session.scalar(select(Resource).where(Resource.code == code))
    if resource is None:
        raise NotFound(_("资源 {code} 不存在").format(code=code), code="resource.not_found")
    return resource


def search(
    session: Session,
    query: Query,
    *,
    k: int = 5,
    embed: Embedder | None = None,
) -> list[Found]:
    """The ``k`` passages that best answer ``query`` (subject given by name or code)."""
    return library_index(session, embed=embed).search(query, k=k)


@dataclass(frozen=True)
class Answer:
    """An extractive answer: the best sentences of the best passages, each with its source."""

    sentences: list[tuple[str, int]]  # (sentence, number of the passage it cites, from 1)
    passages: list[Found]


def answer(
    session: Session,
    query: Query,
    *,
    n_passages: int = 3,
    n_sentences: int = 3,
    embed: Embedder | None = None,
) -> Answer:
    """Answer ``query`` without a language model: its best passages and, from them, the
    sentences sharing the most words with the question, each citing its passage."""
    passages = search(session, query, k=n_passages, embed=embed)
    return Answer(extract_sentences(query.text, passages, n_sentences), passages)


def extract_sentences(question: str, passages: list[Found], n: int) -> list[tuple[str, int]]:
    """The ``n`` sentences of ``passages`` that share the most content words with
    ``question``, each with the number of its passage (from 1), best first.

    Words of a passage's title count half: every sentence of a note on 绝对值 is about 绝对值,
    the sentence to quote is the one that also has the question's other words. A sentence that
    states a mistake (``MISTAKE_MARKERS``) keeps its label and comes after the facts.
    """
    asked = set(content_tokens(question))
    scored: list[tuple[float, int, int, str]] = []
    for number, found in enumerate(passages, start=1):
        words = asked - set(content_tokens(found.chunk.title)) or asked
        for order, match in enumerate(_SENTENCE.finditer(found.text)):
            sentence = match.group(0).replace("**", "").strip(" -•*")
            if len(sentence) < 6 or sentence.startswith(">"):  # a quote block: a subtitle
                continue
            tokens = set(content_tokens(sentence))
            # the question's own topic words count, its other words count double
            overlap = 2 * len(words & tokens) + len((asked - words) & tokens)
            if overlap:
                rank_penalty = 1 + 0.2 * (number - 1)  # the better passage wins a tie
                if sentence.startswith(MISTAKE_MARKERS):  # a mistake, quoted after the facts
                    rank_penalty *= 2
                scored.append((overlap / rank_penalty, -number, -order, sentence))
    scored.sort(reverse=True)
    chosen: list[tuple[str, int]] = []
    for _score, negative_number, _order, sentence in scored:
        if all(sentence != s for s, _n in chosen):
            chosen.append((sentence, -negative_number))
        if len(chosen) == n:
            break
    return chosen
