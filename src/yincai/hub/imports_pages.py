"""Import pages: upload a spreadsheet, see what it would change, then confirm.

The uploaded file is kept under ``<data_dir>/uploads/<token>/`` with who uploaded it and as what.
The preview runs the real importer inside the request's transaction and rolls it back, so what
it shows (row errors, or new/updated/unchanged counts) is exactly what the confirmation will do;
the confirmation runs it again and commits. Rosters, item banks and learning logs are district
data (district admins); score sheets may be imported by any staff member for assessments and
students in their scope. Every preview and import is audited.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.errors import Forbidden, Invalid, NotFound, RowError, YincaiError
from yincai.governance import service as governance_service
from yincai.governance.models import Role, UserAccount
from yincai.hub import service as hub_service
from yincai.hub.importers.scores import SCORE_COLUMNS
from yincai.hub.importers.tabular import match_columns, read_table
from yincai.hub.models import Assessment, District, Student
from yincai.hub.schemas import ImportSummary
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/imports", include_in_schema=False)

KINDS = {"roster": "学生与教师名册", "items": "题库", "scores": "成绩", "logs": "学习日志"}
DISTRICT_KINDS = ("roster", "items", "logs")  # district-wide data: district admins only
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".json", ".jsonl", ".txt")
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


def _require_kind(
    session: Session, user: UserAccount, kind: str, assessment_code: str | None
) -> None:
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    if kind not in KINDS:
        raise Invalid(f"未知的导入类型 / unknown import kind {kind!r}")
    if kind in DISTRICT_KINDS:
        governance_service.require_role(user, Role.DISTRICT_ADMIN)
        return
    if not assessment_code:
        raise Invalid("请选择考试 / choose the assessment the scores belong to")
    assessment = hub_service.get_assessment(session, code=assessment_code)
    governance_service.require_scope(session, actor=user, assessment_id=assessment.id)


def _save(request: Request, user: UserAccount, file: UploadFile, **meta: str | None) -> Upload:
    name = _UNSAFE.sub("_", Path(file.filename or "upload.csv").name).strip("._") or "upload"
    if not name.lower().endswith(SUFFIXES):
        raise Invalid(f"不支持的文件类型 / unsupported file type: use {', '.join(SUFFIXES)}")
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(f"文件超过 {MAX_UPLOAD_BYTES // 2**20} MB / the file is too large")
    if not data:
        raise Invalid("文件为空 / the file is empty")
    token = secrets.token_hex(16)
    folder = _upload_root(request) / token
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    record = {"name": name, "user_account_id": user.id, **meta}
    (folder / "upload.json").write_text(json.dumps(record), encoding="utf-8")
    return _load(request, user, token)


def _load(request: Request, user: UserAccount, token: str) -> Upload:
    """The upload of ``token``, only for the account that made it."""
    folder = _upload_root(request) / token
    if not _TOKEN.fullmatch(token) or not (folder / "upload.json").is_file():
        raise NotFound("上传的文件已过期，请重新上传 / the upload has expired: upload it again")
    record = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
    if record["user_account_id"] != user.id:
        raise Forbidden("这不是您上传的文件 / this upload is not yours")
    return Upload(
        token=token,
        path=folder / record["name"],
        kind=record["kind"],
        assessment_code=record.get("assessment_code") or None,
        log_format=record.get("log_format") or "csv",
        user_account_id=user.id,
    )


def _students_outside_scope(session: Session, user: UserAccount, upload: Upload) -> list[RowError]:
    """Rows of a score sheet naming a student of the district whom the user may not see."""
    if user.role is Role.DISTRICT_ADMIN:
        return []
    table = read_table(upload.path, upload.path.read_bytes())
    columns = match_columns(table, SCORE_COLUMNS, required=("student_number",), errors=[])
    if "student_number" not in columns:
        return []  # the importer reports the missing column
    column = columns["student_number"]
    numbers = {row[column] for row in table.rows}
    in_district = select(Student.student_number).where(
        Student.student_number.in_(numbers), Student.district_id == user.district_id
    )
    # Unknown numbers are the importer's to report; here only students the user may not see.
    hidden = set(session.scalars(in_district)) - set(
        session.scalars(
            in_district.where(Student.id.in_(governance_service.visible_student_ids(user)))
        )
    )
    header = table.header[column]
    return [
        RowError(
            table.file_name, line, header, "该学生不在您的班级 / not a student of your classes"
        )
        for row, line in zip(table.rows, table.row_numbers, strict=True)
        if row[column] in hidden
    ]


def _run(session: Session, user: UserAccount, upload: Upload) -> ImportSummary:
    """Run the importer in the session (the caller checked the kind, commits or rolls back)."""
    district_code = session.scalar(select(District.code).where(District.id == user.district_id))
    try:
        if upload.kind == "roster":
            return hub_service.import_roster(session, path=upload.path, district_code=district_code)
        if upload.kind == "items":
            return hub_service.import_items(session, path=upload.path)
        if upload.kind == "logs":
            return hub_service.import_logs(
                session, path=upload.path, format=upload.log_format, district_code=district_code
            )
        outside = _students_outside_scope(session, user, upload)
        if outside:
            raise Invalid(
                "文件中有不在您权限范围内的学生 / students outside your scope", details=outside
            )
        assert upload.assessment_code is not None  # _require_kind insists on one
        return hub_service.import_scores(
            session, path=upload.path, assessment_code=upload.assessment_code
        )
    except (ValueError, LookupError, UnicodeError, zipfile.BadZipFile, OSError) as problem:
        raise Invalid(f"文件无法读取 / the file cannot be read: {problem}") from problem


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
            "assessments": _visible_assessments(session, user),
            "log_formats": [fmt.value for fmt in hub_service.LogFormat],
            **context,
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def imports_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The upload form: what to import and the file."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    return _page(request, session, user)


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
    """Validate the uploaded file without keeping anything: row errors or what would change."""
    _require_kind(session, user, kind, assessment_code)
    upload = _save(
        request, user, file, kind=kind, assessment_code=assessment_code, log_format=log_format
    )
    try:
        summary = _run(session, user, upload)
    except YincaiError as problem:
        session.rollback()
        shutil.rmtree(upload.path.parent, ignore_errors=True)
        _audit(session, user, "import_preview_rejected", upload)
        return _page(
            request, session, user, status_code=422, upload=upload, error=problem.message,
            row_errors=[d for d in problem.details if isinstance(d, RowError)],
        )  # fmt: skip
    session.rollback()  # a preview keeps nothing
    _audit(session, user, "import_preview", upload)
    return _page(request, session, user, upload=upload, summary=summary)


@router.post("/confirm", response_class=HTMLResponse)
def confirm(
    request: Request, session: DbSession, user: CurrentUser, token: Annotated[str, Form()]
) -> Response:
    """Import the previewed file for real and commit it."""
    upload = _load(request, user, token)
    _require_kind(session, user, upload.kind, upload.assessment_code)
    try:
        summary = _run(session, user, upload)
    except YincaiError as problem:
        session.rollback()
        return _page(
            request, session, user, status_code=422, upload=upload, error=problem.message,
            row_errors=[d for d in problem.details if isinstance(d, RowError)],
        )  # fmt: skip
    _audit(session, user, "import_commit", upload)
    shutil.rmtree(upload.path.parent, ignore_errors=True)
    return _page(request, session, user, summary=summary, is_done=True)


def _audit(session: Session, user: UserAccount, action: str, upload: Upload) -> None:
    governance_service.audit(
        session, actor=user, action=action, object_type=f"import_{upload.kind}",
        object_id=upload.token,
    )  # fmt: skip
    session.commit()
