"""Map the services' errors to HTTP: NotFound 404, Invalid 422, Forbidden 403, Conflict 409.

The JSON API (``/api/...``) answers ``{code, detail, errors}``: the error's stable code, its
message and each problem translated into the request's language (``?lang=``, cookie, setting);
pages answer an HTML page in that language. A
request without a login gets 401 from the API and a redirect to the login form from pages; an
account with a step pending (temporary password, two-factor enrolment) gets 403 from the API and
a redirect to that step's form from pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError

from yincai.accounts.roles import OutOfScope
from yincai.error_log import report_unexpected_error
from yincai.errors import Conflict, Forbidden, Invalid, NotFound, YincaiError
from yincai.i18n import _, translate
from yincai.web.denials import STATE_DENIED
from yincai.web.deps import NotAuthenticated, StepRequired
from yincai.web.i18n import language_of
from yincai.web.templating import templates

STATUS = {NotFound: 404, Invalid: 422, Forbidden: 403, Conflict: 409}


class ErrorRead(BaseModel):
    """The JSON API's answer when it refuses: a stable code, a message to read, each problem."""

    code: str
    detail: str
    errors: list[str] = []


# Declared on every JSON API router, so the OpenAPI document tells clients what refusals look
# like (and Schemathesis checks their bodies).
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorRead, "description": "请先登录 / not logged in"},
    403: {"model": ErrorRead, "description": "无权访问 / outside the caller's role or scope"},
    404: {"model": ErrorRead, "description": "不存在 / no such object"},
    409: {"model": ErrorRead, "description": "冲突 / clashes with stored data"},
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def request_language(request: Request) -> str:
    return language_of(request, request.app.state.settings.language)


def install(app: FastAPI) -> None:
    @app.exception_handler(YincaiError)
    async def _handle(request: Request, exc: YincaiError) -> Response:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        if isinstance(exc, OutOfScope):  # the refusal's audit row names the object refused
            setattr(request.state, STATE_DENIED, (exc.object_type, exc.object_id))
        language = request_language(request)
        if is_api(request):
            return JSONResponse(
                status_code=status,
                content={
                    "code": exc.code,
                    "detail": exc.text_in(language),
                    "errors": exc.details_in(language),
                },
            )
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": exc.message}, status_code=status
        )

    # An id beyond the database's integer range (SQLite raises OverflowError, PostgreSQL a
    # DataError) names nothing that can exist: answer 404 like any unknown id, never 500.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, _exc: Exception) -> Response:
        return await _handle(request, NotFound(_("不存在")))

    # Anything else: a short message with an error id; the traceback (no locals, redacted) goes
    # to <data_dir>/errors.log. The server still logs the exception, through the redaction.
    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        report = report_unexpected_error(
            exc,
            log_path=request.app.state.settings.error_log_path,
            where=f"{request.method} {request.url.path}",
        )
        if is_api(request):
            return JSONResponse(
                status_code=500,
                content={
                    "code": "unexpected",
                    "detail": translate(report.message, request_language(request)),
                    "error_id": report.error_id,
                },
            )
        return templates.TemplateResponse(
            request, "error.html", {"status": 500, "message": report.message}, status_code=500
        )

    @app.exception_handler(NotAuthenticated)
    async def _login_first(request: Request, _exc: NotAuthenticated) -> Response:
        if is_api(request):
            return JSONResponse(
                status_code=401,
                content={
                    "code": "not_authenticated",
                    "detail": translate(_("请先登录"), request_language(request)),
                },
                headers={"WWW-Authenticate": "Cookie"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(StepRequired)
    async def _step_first(request: Request, exc: StepRequired) -> Response:
        if is_api(request):
            return JSONResponse(
                status_code=403,
                content={
                    "code": "step_required",
                    "detail": translate(exc.message, request_language(request)),
                },
            )
        return RedirectResponse(exc.form, status_code=303)
