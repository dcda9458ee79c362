"""Map the services' errors to HTTP: NotFound 404, Invalid 422, Forbidden 403, Conflict 409."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from yincai.errors import Conflict, Forbidden, Invalid, NotFound, YincaiError

STATUS = {NotFound: 404, Invalid: 422, Forbidden: 403, Conflict: 409}


def install(app: FastAPI) -> None:
    @app.exception_handler(YincaiError)
    async def _handle(_request: Request, exc: YincaiError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
        return JSONResponse(
            status_code=status,
            content={"detail": exc.message, "errors": [str(d) for d in exc.details]},
        )
