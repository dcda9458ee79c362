"""Import pages: upload a file, see exactly what it would change, then confirm; the history
with a one-click revert; downloadable templates.

The preview validates the whole file and works out the changes in a read-only transaction: it
cannot write. The uploaded file then waits (private folder, owner only) for the confirmation at
most ``upload_keep_minutes``; it is deleted when the import is confirmed, cancelled or rejected,
and expired uploads are removed on every preview. Who may import what, and the audit of every
preview, import, revert and template of named students, live in ``hub.import_access``: the pages
keep the uploaded file, call it and render.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.db import PRIVATE_FILE_MODE, make_private_dir
from yincai.errors import Conflict, Forbidden, Invalid, NotFound, RowError, YincaiError
from yincai.governance import service as governance_service
from yincai.hub import import_access, import_templates
from yincai.hub import service as hub_service
from yincai.hub.import_history import HISTORY_PAGE_SIZE
from yincai.hub.importers.logs import LOG_FORMAT_NAMES
from yincai.hub.importers.score_diff import ScoreDiff
from yincai.hub.schemas import ENTITY_NAMES
from yincai.i18n import _, translate
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.i18n import language_of
from yincai.web.paging import Page, page_number
from yincai.web.templating import templates

router = APIRouter(prefix="/imports", include_in_schema=False)

KINDS: dict[str, str] = {
    "roster": _("学生与教师名册"),
    "items": _("题库"),
    "assessment": _("考试设置"),
    "scores": _("成绩"),
    "logs": _("学习日志"),
    "growth": _("成长档案记录"),
}
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


def _kinds_of(user: UserAccount) -> dict[str, str]:
    return {kind: KINDS[kind] for kind in import_access.import_kinds(user)}


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


def _page(
    request: Request,
    session: Session,
    user: UserAccount,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    kinds = _kinds_of(user)
    return templates.TemplateResponse(
        request,
        "imports/imports.html",
        {
            "kinds": kinds,
            "template_kinds": {
                kind: label
                for kind, label in import_templates.TEMPLATE_KINDS.items()
                if kind in kinds
            },
            "assessments": import_access.assessments_for_import(session, actor=user),
            "log_formats": {fmt.value: LOG_FORMAT_NAMES[fmt] for fmt in hub_service.LogFormat},
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
    import_access.authorize_import(session, actor=user, kind=kind, assessment_code=assessment_code)
    upload = _save(
        request, user, file, kind=kind, assessment_code=assessment_code, log_format=log_format
    )
    try:
        plan = import_access.preview_upload(session, actor=user, **_upload_fields(upload))
    except YincaiError as problem:
        _discard(upload)
        session.commit()  # the preview wrote nothing but its audit row
        return _rejected(request, session, user, upload, problem)
    except (ValueError, LookupError, UnicodeError, OSError) as problem:
        _discard(upload)
        return _rejected(request, session, user, upload, _unreadable(problem))
    session.commit()
    if not plan.has_changes:
        _discard(upload)
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
    import_access.authorize_import(
        session, actor=user, kind=upload.kind, assessment_code=upload.assessment_code
    )
    try:
        summary = import_access.confirm_upload(
            session, actor=user, overwrite=overwrite, **_upload_fields(upload)
        )
    except YincaiError as problem:
        return _rejected(request, session, user, upload, problem)
    except (ValueError, LookupError, UnicodeError, OSError) as problem:
        return _rejected(request, session, user, upload, _unreadable(problem))
    session.commit()
    _discard(upload)
    request.app.state.jobs.after_import(session)  # new estimates are computed in the background
    return _page(request, session, user, summary=summary, is_done=True)


def _upload_fields(upload: Upload) -> dict[str, Any]:
    return {
        "kind": upload.kind,
        "path": upload.path,
        "token": upload.token,
        "assessment_code": upload.assessment_code,
        "log_format": upload.log_format,
    }


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
    message: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every confirmed import in the user's scope, newest first, with revert buttons (50 a
    page, ``?page=`` read leniently)."""
    entries = import_access.import_history_in_scope(
        session,
        actor=user,
        assessment_code=assessment or None,
        page=min(page_number(request.query_params), 100_000),
    )
    names = governance_service.display_names(session, [e.user_account_id for e in entries.rows])
    return templates.TemplateResponse(
        request,
        "imports/history.html",
        {
            "history": entries,
            "page": Page.of(
                entries.rows, number=entries.page, total=entries.n_rows, size=HISTORY_PAGE_SIZE
            ),
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
    summary = import_access.revert_last_import_as(
        session, actor=user, assessment_code=assessment_code
    )
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
    data = import_access.import_template(
        session, actor=user, kind=kind, assessment_code=assessment or None
    )
    session.commit()
    name = f"{import_templates.TEMPLATE_KINDS[kind]}{'-' + assessment if assessment else ''}.xlsx"
    return Response(
        data,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _unreadable(problem: Exception) -> Invalid:
    return Invalid(
        _("文件无法读取，请检查文件格式（{problem}）").format(problem=str(problem)),
        code="import.unreadable",
    )
