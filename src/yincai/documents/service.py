"""The documents capability's one door: ask for a long document, follow its build, download it.

Asking (``request_class_booklet``) never builds: it finds the document asked for at the current
data version, or stores a new one as queued, and says whether the edge should queue the build
(``jobs.Jobs.queue_document``) once it has committed. The job worker builds it (``build``).
A document found queued is queued again: the build claims a document once, so a second task of
the same document does nothing, and a task lost with its queue file cannot strand a document.

A document is labelled with the data version current when it was asked for. The build reads the
data current when it runs, which can only be the same or newer: at worst a document is labelled
older than it is and is rebuilt once more than needed, never served as current when it is not.

Scope checks live here, as today's booklet download had them: a class's booklets for the staff of
the class; each download is audited with every student the document names, whoever downloads it
(the CLI as the system actor, ``accounts.actors.CLI``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.consent import service as consent_service
from yincai.diagnosis import service as diagnosis_service
from yincai.documents.models import (
    DocumentKind,
    DocumentState,
    GeneratedDocument,
    GeneratedDocumentStudent,
)
from yincai.domain.models import School, SchoolClass, Student
from yincai.errors import NotFound, NotReady
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _

FORMAT = "b1"  # bump when a booklet's layout changes: documents built before are stale
STALLED_AFTER = timedelta(minutes=10)  # a build without progress this long died with its worker
DEFAULT_ITEMS = 10
DEFAULT_SUBJECT = "MATH"
_OPTIONS = "n_items={n_items};subject={subject}"  # read back by ``booklet_options``


@dataclass(frozen=True)
class DataVersion:
    """What a document must have been built from to be current."""

    hub_version: int
    mastery_run_id: int
    key: str


@dataclass(frozen=True)
class Requested:
    """The document asked for, and whether the edge queues its build after committing."""

    document: GeneratedDocument
    needs_queue: bool


@dataclass(frozen=True)
class DocumentStatus:
    """What the status page says: the document (without its PDF), whether newer data has come
    since it was asked for, and whether its build seems to have died."""

    document: GeneratedDocument
    class_label: str
    is_current: bool
    is_stalled: bool


def data_version(session: Session, *, subject_code: str = DEFAULT_SUBJECT) -> DataVersion:
    """The hub's data version, the mastery run practice reads, the consents in force and the
    day ("recent" practice counts back from today); NotReady while no estimates exist."""
    hub_version = hub_service.data_version(session)
    run = diagnosis_service.ready_run(session, subject_code)
    consents = consent_service.consent_version(session)
    today = datetime.now(UTC).date()
    text = f"{hub_version}|{run.id}|{consents}|{today.isoformat()}|{subject_code}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return DataVersion(hub_version, run.id, f"{FORMAT}-{hub_version}-{run.id}-{digest}")


def request_class_booklet(
    session: Session,
    *,
    actor: Actor,
    school_class_id: int,
    n_items: int = DEFAULT_ITEMS,
    subject_code: str = DEFAULT_SUBJECT,
) -> Requested:
    """The class's practice booklets at the current data version: found, or queued now."""
    _require_class(session, actor, school_class_id)
    has_students = session.scalar(
        select(Student.id).where(Student.school_class_id == school_class_id).limit(1)
    )
    if has_students is None:
        raise NotFound(_("该班级没有学生"), code="school_class.empty")
    version = data_version(session, subject_code=subject_code)
    options = _OPTIONS.format(n_items=n_items, subject=subject_code)
    key = f"{DocumentKind.CLASS_BOOKLET}:{school_class_id}:{options}"
    found = _find(session, key, version.key)
    if found is not None:
        return _reuse(found)
    now = datetime.now(UTC)
    document = GeneratedDocument(
        kind=DocumentKind.CLASS_BOOKLET,
        school_class_id=school_class_id,
        options=options,
        request_key=key,
        version=version.key,
        hub_version=version.hub_version,
        mastery_run_id=version.mastery_run_id,
        requested_by=actor.id if isinstance(actor, UserAccount) else None,
        state=DocumentState.QUEUED,
        n_done=0,
        n_total=0,
        message="",
        filename=f"practice-class-{school_class_id}.pdf",
        n_bytes=0,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():  # another request may have stored it a moment ago
            session.add(document)
    except IntegrityError:
        found = _find(session, key, version.key)
        assert found is not None
        return _reuse(found)
    return Requested(document, needs_queue=True)


def request_class_booklet_by_name(
    session: Session,
    *,
    actor: Actor,
    school_code: str,
    class_name: str,
    n_items: int = DEFAULT_ITEMS,
    subject_code: str = DEFAULT_SUBJECT,
) -> Requested:
    """``request_class_booklet`` for a class named by its school's code and its name."""
    school_class_id = hub_service.find_class_id(
        session, school_code=school_code, class_name=class_name
    )
    return request_class_booklet(
        session,
        actor=actor,
        school_class_id=school_class_id,
        n_items=n_items,
        subject_code=subject_code,
    )


def document_status(session: Session, *, actor: Actor, document_id: int) -> DocumentStatus:
    """A document's state and progress, for the staff who may download it."""
    document = _document(session, actor, document_id)
    label = session.execute(
        select(School.name, SchoolClass.name)
        .join(SchoolClass, SchoolClass.school_id == School.id)
        .where(SchoolClass.id == document.school_class_id)
    ).one()
    _n_items, subject_code = booklet_options(document)
    try:
        is_current = document.version == data_version(session, subject_code=subject_code).key
    except NotReady:
        is_current = False
    return DocumentStatus(document, f"{label[0]} {label[1]}", is_current, is_stalled(document))


def read_document(session: Session, *, actor: Actor, document_id: int) -> GeneratedDocument:
    """A finished document with its PDF loaded; the download is audited with every student the
    document names."""
    document = _document(session, actor, document_id)
    if document.state is not DocumentState.DONE:
        raise NotReady(_("文档还没有生成好"), code="document.not_ready")
    session.refresh(document, attribute_names=["content"])
    named = session.scalars(
        select(GeneratedDocumentStudent.student_id)
        .where(GeneratedDocumentStudent.document_id == document.id)
        .order_by(GeneratedDocumentStudent.student_id)
    )
    governance_service.audit(
        session,
        actor=actor,
        action="export_practice",
        object_type="class",
        object_id=document.school_class_id,
        student_ids=list(named),
    )
    return document


def retry(session: Session, *, actor: Actor, document_id: int) -> Requested:
    """Queue a failed (or stalled) build again; a document queued, running or done is left."""
    document = _document(session, actor, document_id)
    if document.state is DocumentState.FAILED or is_stalled(document):
        _requeue(document)
    return Requested(document, needs_queue=document.state is DocumentState.QUEUED)


def booklet_options(document: GeneratedDocument) -> tuple[int, str]:
    """The items per student and the subject a booklet was asked with."""
    options = dict(part.split("=", 1) for part in document.options.split(";"))
    return int(options["n_items"]), options["subject"]


def is_stalled(document: GeneratedDocument) -> bool:
    """Whether a build under way has shown no progress for so long that its worker died."""
    if document.state is not DocumentState.RUNNING:
        return False
    updated = document.updated_at
    if updated.tzinfo is None:  # SQLite returns naive datetimes, stored in UTC
        updated = updated.replace(tzinfo=UTC)
    return datetime.now(UTC) - updated > STALLED_AFTER


def _require_class(session: Session, actor: Actor, school_class_id: int) -> None:
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)


def _document(session: Session, actor: Actor, document_id: int) -> GeneratedDocument:
    document = session.get(GeneratedDocument, document_id)
    if document is None:
        raise NotFound(_("文档 {id} 不存在").format(id=document_id), code="document.not_found")
    _require_class(session, actor, document.school_class_id)
    return document


def _find(session: Session, key: str, version: str) -> GeneratedDocument | None:
    return session.scalars(
        select(GeneratedDocument).where(
            GeneratedDocument.request_key == key, GeneratedDocument.version == version
        )
    ).first()


def _reuse(document: GeneratedDocument) -> Requested:
    if is_stalled(document):
        _requeue(document)
    return Requested(document, needs_queue=document.state is DocumentState.QUEUED)


def _requeue(document: GeneratedDocument) -> None:
    document.state = DocumentState.QUEUED
    document.n_done = 0
    document.message = ""
    document.started_at = None
    document.updated_at = datetime.now(UTC)
