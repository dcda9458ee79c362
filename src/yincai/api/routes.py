"""``/api/v1``: the versioned, read-only JSON API for a district's other systems.

Each route parses its parameters, calls one function of ``api.service`` (which checks role and
scope and audits every read of students' records, often through a capability's service),
commits the audit rows and answers a schema of ``api.schemas``. Lists are paged by cursor
(``?limit=`` 1–500, default 50; ``?cursor=`` from the previous page's ``next_cursor``).
Authentication: the session cookie of ``/login`` (see docs/api.md). Refusals answer
``{code, detail, errors}`` like the rest of the JSON API, bad parameters included (422).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from yincai.analysis.cache import ExamCache
from yincai.api import service
from yincai.api.paging import DEFAULT_LIMIT, ID_CURSOR, KEY_CURSOR, MAX_LIMIT
from yincai.api.schemas import (
    AccountRead,
    AssessmentDetailRead,
    AssessmentItemPage,
    AssessmentPage,
    AssignmentPage,
    AuditEventPage,
    AuditEventRead,
    ClassPage,
    ClassRead,
    DistrictRead,
    GuardianRead,
    ItemKpRead,
    ItemRead,
    KnowledgePointDetailRead,
    KnowledgePointPage,
    KpMeanPage,
    LinkedAccountPage,
    MasteryPointPage,
    OneRosterExportRead,
    ResultPage,
    SchoolPage,
    SchoolRead,
    StatisticsRead,
    StudentPage,
    StudentRead,
    StudentResultRead,
    SubjectPage,
    TeacherPage,
    TeacherRead,
    TokenCreate,
    TokenCreatedRead,
    TokenPage,
    TokenRead,
    WarningPage,
    WarningRead,
)
from yincai.cockpit.detection import EarlyWarning, WarningKind
from yincai.errors import Invalid
from yincai.exports import service as exports_service
from yincai.exports.models import ExportState
from yincai.i18n import _, translate
from yincai.web.deps import BEARER_PREFIXES, CurrentUser, DbSession
from yincai.web.errors import API_ERRORS, ErrorRead, request_language

PREFIX = "/api/v1"
RESPONSES: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    422: {"model": ErrorRead, "description": "参数无效 / invalid parameter or cursor"},
}
router = APIRouter(prefix=PREFIX, responses=RESPONSES)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (1–{MAX_LIMIT})")]
Cursor = Annotated[
    str | None,
    Query(pattern=ID_CURSOR, description="next_cursor of the previous page (omit for the first)"),
]
KeyCursor = Annotated[
    str | None,
    Query(pattern=KEY_CURSOR, description="next_cursor of the previous page (omit for the first)"),
]
SubjectCode = Annotated[str, Query(min_length=1, max_length=32, description="subject code")]


def _cache(request: Request) -> ExamCache:
    cache: ExamCache = request.app.state.exam_cache
    return cache


# --- who am I ---------------------------------------------------------------------------------


@router.get("/me", tags=["me"])
def read_me(user: CurrentUser) -> AccountRead:
    """The signed-in account, its role and the ids its scope is bound to."""
    return AccountRead.model_validate(user)


@router.get("/districts/me", tags=["districts"])
def read_my_district(session: DbSession, user: CurrentUser) -> DistrictRead:
    """The caller's district with its numbers of schools, classes and students."""
    return DistrictRead.model_validate(service.district(session, actor=user))


# --- schools ----------------------------------------------------------------------------------


@router.get("/schools", tags=["schools"])
def list_schools(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> SchoolPage:
    """The schools in the caller's scope (admins), by id."""
    page = service.list_schools(session, actor=user, cursor=cursor, limit=limit)
    return SchoolPage.model_validate(page)


@router.get("/schools/{school_id}", tags=["schools"])
def read_school(school_id: int, session: DbSession, user: CurrentUser) -> SchoolRead:
    """One school (admins of it)."""
    return SchoolRead.model_validate(service.get_school(session, actor=user, school_id=school_id))


@router.get("/schools/{school_id}/classes", tags=["schools"])
def list_school_classes(
    school_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ClassPage:
    """A school's classes, by id."""
    page = service.list_classes(
        session, actor=user, school_id=school_id, cursor=cursor, limit=limit
    )
    return ClassPage.model_validate(page)


@router.get("/schools/{school_id}/teachers", tags=["schools"])
def list_school_teachers(
    school_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> TeacherPage:
    """A school's teachers (admins of it), by id."""
    page = service.list_teachers(
        session, actor=user, school_id=school_id, cursor=cursor, limit=limit
    )
    return TeacherPage.model_validate(page)


# --- classes ----------------------------------------------------------------------------------


@router.get("/classes", tags=["classes"])
def list_classes(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> ClassPage:
    """The classes in the caller's scope (a teacher's own, a school's, the district's), by id."""
    page = service.list_classes(session, actor=user, cursor=cursor, limit=limit)
    return ClassPage.model_validate(page)


@router.get("/classes/{school_class_id}", tags=["classes"])
def read_class(school_class_id: int, session: DbSession, user: CurrentUser) -> ClassRead:
    """One class with its grade and number of students."""
    view = service.get_class(session, actor=user, school_class_id=school_class_id)
    return ClassRead.model_validate(view)


@router.get("/classes/{school_class_id}/students", tags=["classes"])
def list_class_students(
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> StudentPage:
    """A class's students (staff of the class; audited), by id."""
    page = service.class_students(
        session, actor=user, school_class_id=school_class_id, cursor=cursor, limit=limit
    )
    session.commit()
    return StudentPage.model_validate(page)


@router.get("/classes/{school_class_id}/teachers", tags=["classes"])
def list_class_teachers(
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AssignmentPage:
    """Who teaches which subject to the class (任课), by assignment id."""
    page = service.class_teachers(
        session, actor=user, school_class_id=school_class_id, cursor=cursor, limit=limit
    )
    return AssignmentPage.model_validate(page)


@router.get("/classes/{school_class_id}/assessments", tags=["classes"])
def list_class_assessments(
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AssessmentPage:
    """The assessments the class sat, by id."""
    page = service.class_assessments(
        session, actor=user, school_class_id=school_class_id, cursor=cursor, limit=limit
    )
    return AssessmentPage.model_validate(page)


@router.get("/classes/{school_class_id}/mastery", tags=["classes"])
def read_class_mastery(
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = "MATH",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> KpMeanPage:
    """The class's mean mastery of each knowledge point of a subject (staff; audited)."""
    page = service.class_mastery(
        session,
        actor=user,
        school_class_id=school_class_id,
        subject_code=subject,
        cursor=cursor,
        limit=limit,
    )
    session.commit()
    return KpMeanPage.model_validate(page)


# --- teachers ---------------------------------------------------------------------------------


@router.get("/teachers", tags=["teachers"])
def list_teachers(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> TeacherPage:
    """The teachers of the schools in sight (admins) or oneself (a teacher), by id."""
    page = service.list_teachers(session, actor=user, cursor=cursor, limit=limit)
    return TeacherPage.model_validate(page)


@router.get("/teachers/{teacher_id}", tags=["teachers"])
def read_teacher(teacher_id: int, session: DbSession, user: CurrentUser) -> TeacherRead:
    """One teacher (admins of their school, or the teacher)."""
    teacher = service.get_teacher(session, actor=user, teacher_id=teacher_id)
    return TeacherRead.model_validate(teacher)


# --- students ---------------------------------------------------------------------------------


@router.get("/students", tags=["students"])
def list_students(
    session: DbSession,
    user: CurrentUser,
    school_class_id: int | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> StudentPage:
    """The students in the caller's scope (self, own child, own classes, school, district), by
    id; audited."""
    page = service.list_students(
        session, actor=user, school_class_id=school_class_id, cursor=cursor, limit=limit
    )
    session.commit()
    return StudentPage.model_validate(page)


@router.get("/students/{student_id}", tags=["students"])
def read_student(student_id: int, session: DbSession, user: CurrentUser) -> StudentRead:
    """One student (audited)."""
    student = service.get_student(session, actor=user, student_id=student_id)
    session.commit()
    return StudentRead.model_validate(student)


@router.get("/students/{student_id}/guardian", tags=["students"])
def read_guardian(student_id: int, session: DbSession, user: CurrentUser) -> GuardianRead:
    """The student's guardian and phone (staff of the student; audited)."""
    student = service.student_guardian(session, actor=user, student_id=student_id)
    session.commit()
    return GuardianRead.model_validate(student)


@router.get("/students/{student_id}/accounts", tags=["students"])
def list_student_accounts(
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> LinkedAccountPage:
    """The student's own and the parents' accounts (admins; audited), by id."""
    page = service.student_accounts(
        session, actor=user, student_id=student_id, cursor=cursor, limit=limit
    )
    session.commit()
    return LinkedAccountPage.model_validate(page)


@router.get("/students/{student_id}/results", tags=["students"])
def list_student_results(
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ResultPage:
    """The student's sittings: totals for staff, grade bands for all (audited), by sitting id."""
    page = service.student_results(
        session, actor=user, student_id=student_id, cursor=cursor, limit=limit
    )
    session.commit()
    return ResultPage.model_validate(page)


@router.get("/students/{student_id}/mastery", tags=["students"])
def read_student_mastery(
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: SubjectCode = "MATH",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> MasteryPointPage:
    """The student's mastery of each knowledge point of a subject (audited), by point id."""
    page = service.student_mastery(
        session,
        actor=user,
        student_id=student_id,
        subject_code=subject,
        cursor=cursor,
        limit=limit,
    )
    session.commit()
    return MasteryPointPage.model_validate(page)


@router.get("/students/{student_id}/warnings", tags=["students"])
def list_student_warnings(
    request: Request,
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: KeyCursor = None,
) -> WarningPage:
    """The early warnings about the student (admins; audited), by key."""
    page = service.student_warnings(
        session, actor=user, student_id=student_id, cursor=cursor, limit=limit
    )
    session.commit()
    language = request_language(request)
    return WarningPage(
        data=[_warning(w, language) for w in page.data], next_cursor=page.next_cursor
    )


# --- curriculum and items ---------------------------------------------------------------------


@router.get("/subjects", tags=["curriculum"])
def list_subjects(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> SubjectPage:
    """The subjects, by id."""
    return SubjectPage.model_validate(
        service.list_subjects(session, actor=user, cursor=cursor, limit=limit)
    )


@router.get("/subjects/{subject_code}/knowledge-points", tags=["curriculum"])
def list_knowledge_points(
    subject_code: str,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> KnowledgePointPage:
    """A subject's curriculum tree (chapters, sections, points), node by node in id order."""
    page = service.knowledge_points(
        session, actor=user, subject_code=subject_code, cursor=cursor, limit=limit
    )
    return KnowledgePointPage.model_validate(page)


@router.get("/knowledge-points/{knowledge_point_id}", tags=["curriculum"])
def read_knowledge_point(
    knowledge_point_id: int, session: DbSession, user: CurrentUser
) -> KnowledgePointDetailRead:
    """One knowledge point with its subject and prerequisites."""
    view = service.knowledge_point(session, actor=user, knowledge_point_id=knowledge_point_id)
    return KnowledgePointDetailRead.model_validate(
        {
            **_columns(view.point, KnowledgePointDetailRead, {"subject_code", "prerequisite_ids"}),
            "subject_code": view.subject_code,
            "prerequisite_ids": view.prerequisite_ids,
        }
    )


@router.get("/items/{item_id}", tags=["curriculum"])
def read_item(item_id: int, session: DbSession, user: CurrentUser) -> ItemRead:
    """A bank item with its answer and knowledge points (staff only)."""
    view = service.get_item(session, actor=user, item_id=item_id)
    item = view.item
    return ItemRead(
        id=item.id,
        code=item.code,
        subject_code=view.subject_code,
        item_type=item.item_type,
        stem=item.stem,
        options=list(item.options or []),
        answer=item.answer,
        full_score=item.full_score,
        grade_level=item.grade_level,
        difficulty=item.difficulty,
        knowledge_points=[
            ItemKpRead(knowledge_point_id=kp_id, code=code, weight=weight)
            for kp_id, code, weight in view.knowledge_points
        ],
    )


# --- assessments ------------------------------------------------------------------------------


@router.get("/assessments", tags=["assessments"])
def list_assessments(
    session: DbSession,
    user: CurrentUser,
    subject: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AssessmentPage:
    """The assessments sat by a class in the caller's scope, by id."""
    page = service.list_assessments(
        session, actor=user, subject_code=subject, cursor=cursor, limit=limit
    )
    return AssessmentPage.model_validate(page)


@router.get("/assessments/{assessment_id}", tags=["assessments"])
def read_assessment(
    assessment_id: int, session: DbSession, user: CurrentUser
) -> AssessmentDetailRead:
    """One assessment with its full score and the classes in sight that sat it."""
    view = service.get_assessment(session, actor=user, assessment_id=assessment_id)
    return AssessmentDetailRead.model_validate(
        {
            **_columns(
                view.assessment, AssessmentDetailRead, {"subject_code", "full_score", "class_ids"}
            ),
            "subject_code": view.subject_code,
            "full_score": view.full_score,
            "class_ids": view.class_ids,
        }
    )


@router.get("/assessments/{assessment_id}/items", tags=["assessments"])
def list_assessment_items(
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AssessmentItemPage:
    """The assessment's questions with labels and full scores, by id."""
    page = service.assessment_items(
        session, actor=user, assessment_id=assessment_id, cursor=cursor, limit=limit
    )
    return AssessmentItemPage.model_validate(page)


@router.get("/assessments/{assessment_id}/results", tags=["assessments"])
def list_assessment_results(
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ResultPage:
    """Each student's total in the caller's scope (staff; audited), by sitting id."""
    page = service.assessment_results(
        session, actor=user, assessment_id=assessment_id, cursor=cursor, limit=limit
    )
    session.commit()
    return ResultPage.model_validate(page)


@router.get("/assessments/{assessment_id}/results/{student_id}", tags=["assessments"])
def read_student_result(
    assessment_id: int, student_id: int, session: DbSession, user: CurrentUser
) -> StudentResultRead:
    """One student's score on each question (anyone who may see the student; audited)."""
    view = service.student_result(
        session, actor=user, assessment_id=assessment_id, student_id=student_id
    )
    session.commit()
    return StudentResultRead.model_validate(view)


@router.get("/assessments/{assessment_id}/statistics", tags=["assessments"])
def read_statistics(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> StatisticsRead:
    """Totals, spread and 三率 of the exam in the caller's scope, or of a school or class in it
    (staff; audited)."""
    view = service.assessment_statistics(
        session,
        actor=user,
        assessment_id=assessment_id,
        school_id=school_id,
        school_class_id=school_class_id,
        cache=_cache(request),
    )
    session.commit()
    return StatisticsRead.model_validate(view)


# --- warnings, audit, export ------------------------------------------------------------------


def _warning(found: EarlyWarning, language: str) -> WarningRead:
    return WarningRead(
        key=found.key,
        kind=found.kind,
        severity=found.severity,
        school_id=found.subject.school_id,
        school_class_id=found.subject.school_class_id,
        student_id=found.subject.student_id,
        assessment_id=found.subject.assessment_id,
        title=translate(found.title, language),
        reason=translate(found.reason, language),
        evidence=dict(found.evidence),
        is_acknowledged=found.acknowledgement is not None,
    )


@router.get("/warnings", tags=["warnings"])
def list_warnings(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kind: WarningKind | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: KeyCursor = None,
) -> WarningPage:
    """The early warnings in the caller's scope (admins; audited), by key."""
    page = service.warnings(session, actor=user, kind=kind, cursor=cursor, limit=limit)
    session.commit()
    language = request_language(request)
    return WarningPage(
        data=[_warning(w, language) for w in page.data], next_cursor=page.next_cursor
    )


@router.get("/warnings/{warning_key}", tags=["warnings"])
def read_warning(
    request: Request,
    warning_key: str,
    session: DbSession,
    user: CurrentUser,
) -> WarningRead:
    """One early warning by its key (admins; audited)."""
    found = service.warning(session, actor=user, key=warning_key)
    session.commit()
    return _warning(found, request_language(request))


@router.get("/audit", tags=["audit"])
def list_audit_events(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AuditEventPage:
    """The district's audit trail, newest first (district admins; reading it is audited)."""
    page = service.audit_events(session, actor=user, cursor=cursor, limit=limit)
    session.commit()
    return AuditEventPage(
        data=[
            AuditEventRead(
                id=v.event.id,
                at=v.event.at,
                user_account_id=v.event.user_account_id,
                action=v.event.action,
                object_type=v.event.object_type,
                object_id=v.event.object_id,
                scope=v.event.scope,
                path=v.event.path,
                student_ids=v.student_ids,
            )
            for v in page.data
        ],
        next_cursor=page.next_cursor,
    )


ONEROSTER = f"{PREFIX}/exports/oneroster"
Names = Annotated[bool, Query(description="include given and family names (default off)")]
Results = Annotated[bool, Query(description="include line items and results (default on)")]


def _export_read(request: Request, status: exports_service.ExportStatus) -> OneRosterExportRead:
    export = status.export
    return OneRosterExportRead(
        id=export.id,
        state=export.state,
        progress=export.progress,
        with_names=export.with_names,
        with_results=export.with_results,
        hub_version=export.hub_version,
        is_current=status.is_current,
        is_stalled=status.is_stalled,
        is_worker_running=request.app.state.jobs.is_worker_running(),
        message=export.message,
        n_students=export.n_students,
        n_bytes=export.n_bytes,
        created_at=export.created_at,
        finished_at=export.finished_at,
        status_url=f"{ONEROSTER}/{export.id}",
        file_url=f"{ONEROSTER}/{export.id}/file" if export.state is ExportState.DONE else None,
    )


def _request_oneroster(
    request: Request, session: DbSession, user: CurrentUser, names: bool, results: bool
) -> OneRosterExportRead:
    """Find or queue the export, commit, then queue its build (the worker reads the row)."""
    requested = exports_service.request_oneroster(
        session,
        actor=user,
        with_names=names,
        with_results=results,
        data_dir=Path(request.app.state.settings.data_dir),
    )
    session.flush()
    status = exports_service.export_status(session, actor=user, export_id=requested.export.id)
    read = _export_read(request, status)
    session.commit()
    if requested.needs_queue:
        request.app.state.jobs.queue_oneroster(requested.export.id)
    return read


@router.post(
    "/exports/oneroster",
    tags=["exports"],
    status_code=202,
    response_model=OneRosterExportRead,
    responses={202: {"description": "the export, queued or already built; follow status_url"}},
)
def request_oneroster_export(
    request: Request,
    response: Response,
    session: DbSession,
    user: CurrentUser,
    names: Names = False,
    results: Results = True,
) -> OneRosterExportRead:
    """Ask for the district's rosters and gradebook as a OneRoster 1.2 CSV ZIP (district admins;
    needs the session's ``X-CSRF-Token``). The job worker builds it: the answer (202, ``Location``
    its status) says its state; the same options at the same data version give the same export,
    built once. Names only with ``names=true``; results with ``results=false`` left out."""
    read = _request_oneroster(request, session, user, names, results)
    response.headers["Location"] = read.status_url
    return read


@router.get(
    "/exports/oneroster",
    tags=["exports"],
    status_code=202,
    response_model=OneRosterExportRead,
    responses={
        202: {"description": "the export is queued or being built; follow status_url"},
        303: {"description": "a current export is built: its file_url"},
    },
)
def oneroster_export(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    names: Names = False,
    results: Results = True,
) -> OneRosterExportRead | Response:
    """``POST /exports/oneroster`` for callers that only read (API tokens): asks for the export
    the same way, then sends to the ZIP (303) when it is built from the current data, else
    answers 202 with its status to follow (district admins)."""
    read = _request_oneroster(request, session, user, names, results)
    if read.file_url is not None:
        return RedirectResponse(read.file_url, status_code=303)
    return JSONResponse(
        read.model_dump(mode="json"), status_code=202, headers={"Location": read.status_url}
    )


@router.get("/exports/oneroster/{export_id}", tags=["exports"])
def read_oneroster_export(
    request: Request, export_id: int, session: DbSession, user: CurrentUser
) -> OneRosterExportRead:
    """A OneRoster export's state and progress (district admins of its district)."""
    status = exports_service.export_status(session, actor=user, export_id=export_id)
    return _export_read(request, status)


@router.get(
    "/exports/oneroster/{export_id}/file",
    tags=["exports"],
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "OneRoster 1.2 CSV ZIP"},
        409: {"model": ErrorRead, "description": "还没有生成好 / not built yet"},
    },
)
def oneroster_export_file(
    request: Request, export_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A built OneRoster export's ZIP (district admins of its district; each download audited
    with every student it holds); 409 while it is not built."""
    download = exports_service.read_export(
        session,
        actor=user,
        export_id=export_id,
        data_dir=Path(request.app.state.settings.data_dir),
    )
    session.commit()  # the audit row, before the file leaves
    return Response(
        download.content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{download.export.file_name}"'},
    )


@router.get("/tokens", tags=["tokens"])
def list_tokens(
    session: DbSession, user: CurrentUser, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> TokenPage:
    """The district's API tokens, never the tokens themselves (district admins), by id."""
    page = service.list_tokens(session, actor=user, cursor=cursor, limit=limit)
    return TokenPage.model_validate(page)


@router.post("/tokens", tags=["tokens"], status_code=201)
def create_token(body: TokenCreate, session: DbSession, user: CurrentUser) -> TokenCreatedRead:
    """A token bound to a staff account of the district (district admins; audited; needs the
    session's ``X-CSRF-Token``). The token is shown once; only its hash is kept."""
    row, token = service.create_token(
        session, actor=user, user_account_id=body.user_account_id, name=body.name, days=body.days
    )
    session.commit()
    return TokenCreatedRead.model_validate(
        {**TokenRead.model_validate(row).model_dump(), "token": token}
    )


@router.post("/tokens/{token_id}/revoke", tags=["tokens"])
def revoke_token(token_id: int, session: DbSession, user: CurrentUser) -> TokenRead:
    """End a token at once (district admins; audited)."""
    row = service.revoke_token(session, actor=user, token_id=token_id)
    session.commit()
    return TokenRead.model_validate(row)


def _columns(row: object, model: type[Any], extra: set[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in model.model_fields if name not in extra}


def install(app: FastAPI) -> None:
    """Mount ``/api/v1`` and answer its bad parameters (422) as ``{code, detail, errors}``."""
    app.include_router(router)
    # Reads under /api/v1 also take an API token (web.deps); nothing else does.
    setattr(app.state, BEARER_PREFIXES, (PREFIX + "/",))
    # Other paths keep the handler installed before this one (web.errors), else FastAPI's.
    previous = app.exception_handlers.get(
        RequestValidationError, request_validation_exception_handler
    )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith(PREFIX + "/"):
            answer = previous(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        language = request_language(request)
        problem = Invalid(_("请求参数无效"), code="invalid_parameter")
        if any(tuple(error.get("loc", ()))[-1:] == ("cursor",) for error in exc.errors()):
            problem = Invalid(_("分页游标无效"), code="cursor.invalid")
        errors = [
            f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
            for error in exc.errors()
        ]
        return JSONResponse(
            status_code=422,
            content={"code": problem.code, "detail": problem.text_in(language), "errors": errors},
        )
