"""Import pages: upload a file, see exactly what it would change, then confirm; the history
with a one-click revert; downloadable templates.

The preview validates the whole file and works out the changes in a read-only transaction: it
cannot write. The uploaded file then waits (private folder, owner only) for the confirmation at
most ``upload_keep_minutes``; it is deleted when the import is confirmed, cancelled or rejected,
and expired uploads are removed on every preview. Rosters, item banks, assessments and learning
logs are district data (district admins); scores may be imported by teachers of the subject and
class, and by admins in their scope (``governance.require_score_editor``). Every preview,
import, revert and template of named students is audited.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.db import PRIVATE_FILE_MODE, make_private_dir
from yincai.errors import Conflict, Forbidden, Invalid, NotFound, RowError, YincaiError
from yincai.governance import service as governance_service
from yincai.governance.models import Role, UserAccount
from yincai.hub import import_templates
from yincai.hub import service as hub_service
from yincai.hub.importers.score_diff import ScoreDiff
from yincai.hub.models import Assessment, District
from yincai.hub.schemas import ENTITY_NAMES
from yincai.i18n import _, translate
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.templating import templates

router = APIRouter(prefix="/imports", include_in_schema=False)

KINDS: dict[str, str] = {
    "roster": _("学生与教师名册"),
    "items": _("题库"),
    "assessment": _("考试设置"),
    "scores": _("成绩"),
    "logs": _("学习日志"),
}
DISTRICT_KINDS = ("roster", "items", "assessment", "logs")  # district data: district admins
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".ods", ".json", ".jsonl", ".yaml", ".yml", ".txt")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Upload:
    """A file waiting for confirmation and what it is to be imported as."""

    token: str
    path: Path
    kind: str
    assessment_code: str | None
    log_format: str
    user_account_id: int


def _upload_root(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "uploads"


def _visible_assessments(session: Session, user: UserAccount) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.id.in_(governance_service.visible_assessment_ids(user)))
            .order_by(Assessment.held_on.desc(), Assessment.code)
        )
    )


def _kinds_of(user: UserAccount) -> dict[str, str]:
    if user.role is Role.DISTRICT_ADMIN:
        return KINDS
    return {"scores": KINDS["scores"]}


def _allowed_classes(
    session: Session, user: UserAccount, kind: str, assessment_code: str | None
) -> frozenset[int] | None:
    """Check that the user may import this kind; for scores, the classes they may write."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    if kind not in KINDS:
        raise Invalid(
            _("未知的导入类型 {kind}").format(kind=f"{kind!r}"), code="import.unknown_kind"
        )
    if kind in DISTRICT_KINDS:
        governance_service.require_role(user, Role.DISTRICT_ADMIN)
        return None
    if not assessment_code:
        raise Invalid(_("请选择考试"), code="import.assessment_required")
    assessment = hub_service.get_assessment(session, code=assessment_code)
    allowed = governance_service.require_score_editor(
        session, actor=user, assessment_id=assessment.id
    )
    return None if user.role is Role.DISTRICT_ADMIN else frozenset(allowed)


def _purge_expired(request: Request) -> None:
    """Remove uploads nobody confirmed in time (they may hold a whole class's marks)."""
    root = _upload_root(request)
    keep_s = request.app.state.settings.upload_keep_minutes * 60
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            if now - folder.stat().st_mtime > keep_s:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue  # removed by a concurrent request


def _save(request: Request, user: UserAccount, file: UploadFile, **meta: str | None) -> Upload:
    name = _UNSAFE.sub("_", Path(file.filename or "upload.csv").name).strip("._") or "upload"
    if not name.lower().endswith(SUFFIXES):
        raise Invalid(
            _("不支持的文件类型，请上传 {suffixes} 文件").format(suffixes=" ".join(SUFFIXES)),
            code="import.unsupported_type",
        )
    limit = request.app.state.settings.max_upload_mb * 2**20
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise Invalid(
            _("文件超过 {mb} MB 的上限").format(mb=limit // 2**20), code="import.too_large"
        )
    if not data:
        raise Invalid(_("文件为空"), code="import.empty")
    _purge_expired(request)
    token = secrets.token_hex(16)
    root = _upload_root(request)
    make_private_dir(root)
    folder = root / token
    make_private_dir(folder)
    _write_private(folder / name, data)
    record = {"name": name, "user_account_id": user.id, **meta}
    _write_private(folder / "upload.json", json.dumps(record).encode())
    return _load(request, user, token)


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=PRIVATE_FILE_MODE)
    path.write_bytes(data)


def _load(request: Request, user: UserAccount, token: str) -> Upload:
    """The upload of ``token``, only for the account that made it."""
    folder = _upload_root(request) / token
    if not _TOKEN.fullmatch(token) or not (folder / "upload.json").is_file():
        raise NotFound(_("上传的文件已过期，请重新上传"), code="import.upload_expired")
    record = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
    if record["user_account_id"] != user.id:
        raise Forbidden(_("这不是您上传的文件"), code="import.upload_not_yours")
    return Upload(
        token=token,
        path=folder / record["name"],
        kind=record["kind"],
        assessment_code=record.get("assessment_code") or None,
        log_format=record.get("log_format") or "csv",
        user_account_id=user.id,
    )


def _discard(upload: Upload) -> None:
    shutil.rmtree(upload.path.parent, ignore_errors=True)


def _request(
    session: Session, user: UserAccount, upload: Upload, allowed: frozenset[int] | None
) -> hub_service.ImportRequest:
    district_code = session.scalar(select(District.code).where(District.id == user.district_id))
    return hub_service.ImportRequest(
        kind=upload.kind,
        path=upload.path,
        assessment_code=upload.assessment_code,
        district_code=district_code,
        log_format=upload.log_format,
        allowed_class_ids=allowed,
    )


def _page(
    request: Request,
    session: Session,
    user: UserAccount,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    return templates.TemplateResponse(
        request,
        "imports/imports.html",
        {
            "kinds": _kinds_of(user),
            "template_kinds": {
                kind: label
                for kind, label in import_templates.TEMPLATE_KINDS.items()
                if kind in _kinds_of(user)
            },
            "assessments": _visible_assessments(session, user),
            "log_formats": [fmt.value for fmt in hub_service.LogFormat],
            "entity_names": ENTITY_NAMES,
            **context,
        },
        status_code=status_code,
    )


def _rejected(
    request: Request, session: Session, user: UserAccount, upload: Upload | None, error: YincaiError
) -> Response:
    session.rollback()
    status = 409 if isinstance(error, Conflict) else 422
    if isinstance(error, Forbidden):
        status = 403
    return _page(
        request, session, user, status_code=status, upload=upload, error=error.message,
        row_errors=[d for d in error.details if isinstance(d, RowError)],
    )  # fmt: skip


@router.get("", response_class=HTMLResponse)
def imports_page(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    created: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The upload form: what to import and the file."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    return _page(request, session, user, created=created)


@router.post("/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    assessment_code: Annotated[str | None, Form()] = None,
    log_format: Annotated[str, Form()] = "csv",
) -> Response:
    """Validate the uploaded file and show what importing it would change; nothing is written."""
    allowed = _allowed_classes(session, user, kind, assessment_code)
    upload = _save(
        request, user, file, kind=kind, assessment_code=assessment_code, log_format=log_format
    )
    try:
        plan = hub_service.preview_import(session, _request(session, user, upload, allowed))
    except YincaiError as problem:
        _discard(upload)
        _audit(session, user, "import_preview_rejected", upload)
        return _rejected(request, session, user, upload, problem)
    except (ValueError, LookupError, UnicodeError, OSError) as problem:
        _discard(upload)
        return _rejected(request, session, user, upload, _unreadable(problem))
    if not plan.has_changes:
        _discard(upload)
    _audit(session, user, "import_preview", upload)
    diff = getattr(plan, "diff", None)
    return _page(
        request, session, user, upload=upload, summary=plan.summary,
        diff=diff if isinstance(diff, ScoreDiff) else None, has_changes=plan.has_changes,
    )  # fmt: skip


@router.post("/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    token: Annotated[str, Form()],
    overwrite: Annotated[bool, Form()] = False,
) -> Response:
    """Import the previewed file for real and commit it (the last confirmed file wins)."""
    upload = _load(request, user, token)
    allowed = _allowed_classes(session, user, upload.kind, upload.assessment_code)
    import_request = _request(session, user, upload, allowed)
    try:
        if upload.kind == "scores" and not overwrite:
            plan = hub_service.preview_import(session, import_request)
            diff = getattr(plan, "diff", None)
            if isinstance(diff, ScoreDiff) and diff.overwrites:
                raise Invalid(
                    _("本次导入将覆盖 {n} 名学生的已有成绩，请勾选确认后再导入").format(
                        n=diff.n_changed
                    ),
                    code="import.overwrite_unconfirmed",
                )
        summary = hub_service.run_import(
            session, import_request, user_account_id=user.id, origin="web"
        )
    except YincaiError as problem:
        return _rejected(request, session, user, upload, problem)
    except (ValueError, LookupError, UnicodeError, OSError) as problem:
        return _rejected(request, session, user, upload, _unreadable(problem))
    _audit(session, user, "import_commit", upload)
    _discard(upload)
    request.app.state.jobs.after_import(session)  # new estimates are computed in the background
    return _page(request, session, user, summary=summary, is_done=True)


@router.post("/cancel")
def cancel(request: Request, user: CurrentUser, token: Annotated[str, Form()]) -> RedirectResponse:
    """Drop a previewed upload without importing it."""
    _discard(_load(request, user, token))
    return RedirectResponse("/imports", status_code=303)


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    assessment: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    message: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every confirmed import in the user's scope, newest first, with revert buttons."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    entries = hub_service.import_history(
        session,
        assessment_ids=governance_service.visible_assessment_ids(user),
        with_district_data=user.role is Role.DISTRICT_ADMIN,
        assessment_code=assessment or None,
        page=page,
    )
    names = governance_service.display_names(session, [e.user_account_id for e in entries.rows])
    return templates.TemplateResponse(
        request,
        "imports/history.html",
        {
            "history": entries,
            "names": names,
            "kinds": KINDS,
            "assessment": assessment or "",
            "message": message,
        },
    )


@router.post("/revert")
def revert(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    assessment_code: Annotated[str, Form(max_length=40)],
) -> Response:
    """Undo the last import of an assessment's scores."""
    assessment = hub_service.get_assessment(session, code=assessment_code)
    governance_service.require_score_editor(session, actor=user, assessment_id=assessment.id)
    summary = hub_service.revert_last_import(
        session, assessment_code=assessment_code, user_account_id=user.id, origin="web"
    )
    governance_service.audit(
        session, actor=user, action="import_revert", object_type="assessment",
        object_id=assessment.id,
    )  # fmt: skip
    session.commit()
    request.app.state.jobs.after_import(session)
    counts = summary.count("score")
    note = translate(
        _("已撤销 {file} 的导入（恢复 {n} 个小题分）").format(
            file=summary.file_name, n=counts.new + counts.updated
        ),
        language_of(request, request.app.state.settings.language),
    )
    return RedirectResponse(
        f"/imports/history?assessment={quote(assessment_code)}&message={quote(note)}",
        status_code=303,
    )


@router.get("/templates/{kind}.xlsx")
def template(
    kind: str,
    session: DbSession,
    user: CurrentUser,
    assessment: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """An XLSX template with Chinese headers and an example row; for a score sheet of an
    assessment, its item columns and the students of the classes the user may write."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    if kind not in import_templates.TEMPLATE_KINDS:
        raise NotFound(
            _("没有这种模板：{kind}").format(kind=f"{kind!r}"), code="template.not_found"
        )
    if kind in DISTRICT_KINDS:
        governance_service.require_role(user, Role.DISTRICT_ADMIN)
    if kind == "roster":
        data = import_templates.roster_template()
    elif kind == "items":
        data = import_templates.items_template()
    elif kind == "assessment":
        data = import_templates.assessment_template()
    elif assessment:
        data = _score_template(session, user, assessment)
    else:
        data = import_templates.scores_template()
    name = f"{import_templates.TEMPLATE_KINDS[kind]}{'-' + assessment if assessment else ''}.xlsx"
    return Response(
        data,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _score_template(session: Session, user: UserAccount, code: str) -> bytes:
    found = hub_service.get_assessment(session, code=code)
    allowed = governance_service.require_score_editor(session, actor=user, assessment_id=found.id)
    students = hub_service.class_students(session, class_ids=sorted(allowed))
    governance_service.audit(
        session, actor=user, action="score_template", object_type="assessment",
        object_id=found.id,
    )  # fmt: skip
    session.commit()
    return import_templates.scores_template(
        [item.label for item in found.items],
        [import_templates.StudentEntry(*student) for student in students],
        title=found.name,
    )


def _unreadable(problem: Exception) -> Invalid:
    return Invalid(
        _("文件无法读取，请检查文件格式（{problem}）").format(problem=str(problem)),
        code="import.unreadable",
    )


def _audit(session: Session, user: UserAccount, action: str, upload: Upload) -> None:
    governance_service.audit(
        session, actor=user, action=action, object_type=f"import_{upload.kind}",
        object_id=upload.token,
    )  # fmt: skip
    session.commit()
