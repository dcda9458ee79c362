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
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

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
    422: {"model": ErrorRead, "description": "输入有误 / invalid input (each field in errors)"},
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def request_language(request: Request) -> str:
    return language_of(request, request.app.state.settings.language)


# Starlette's own refusals (an unknown address, a wrong method, a body too large …) in words:
# their English ``detail`` is never shown to a reader.
HTTP_MESSAGES = {
    400: ("bad_request", _("请求无效")),
    401: ("not_authenticated", _("请先登录")),
    403: ("forbidden", _("无权访问")),
    404: ("not_found", _("地址不存在")),
    405: ("method_not_allowed", _("此地址不接受这种请求")),
    413: ("too_large", _("请求内容太大")),
    422: ("invalid", _("输入有误")),
    429: ("too_many_requests", _("请求太频繁，请稍后再试")),
}
FIELD_WORDS = {
    "query": _("查询参数"),
    "body": _("表单"),
    "path": _("地址"),
    "header": _("请求头"),
    "cookie": _("Cookie"),
}


def _field_problems(exc: RequestValidationError) -> list[str]:
    """Each refused field as "查询参数 kind 的值无效" (the field's name is a code, shown as is)."""
    problems: list[Any] = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        place = FIELD_WORDS.get(where[0], where[0]) if where else ""
        name = ".".join(where[1:])
        if error.get("type") == "missing":
            problems.append(_("{place} {name} 缺少必填项").format(place=place, name=name))
        else:
            problems.append(_("{place} {name} 的值无效").format(place=place, name=name))
    return problems


def error_page(
    request: Request, status: int, message: str, details: list[Any] | None = None
) -> Response:
    """The HTML error page of a browser request, in the reader's language."""
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "details": details or []},
        status_code=status,
    )


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
        return error_page(request, status, exc.message, list(exc.details))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, words = HTTP_MESSAGES.get(exc.status_code, ("error", _("请求无法完成")))
        message: str = words
        if exc.status_code == 413 and isinstance(exc.detail, str):
            message = exc.detail  # says the limit, already a message
        headers = dict(exc.headers or {})
        if is_api(request):
            return JSONResponse(
                status_code=exc.status_code,
                content={"code": code, "detail": translate(message, request_language(request))},
                headers=headers,
            )
        response = error_page(request, exc.status_code, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = _field_problems(exc)
        if is_api(request):
            language = request_language(request)
            return JSONResponse(
                status_code=422,
                content={
                    "code": "invalid",
                    "detail": translate(_("输入有误"), language),
                    "errors": [translate(problem, language) for problem in problems],
                },
            )
        return error_page(request, 422, _("输入有误"), problems)

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
        return error_page(request, 500, report.message)

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
