"""The API documentation pages, /docs (Swagger UI) and /redoc (ReDoc), from bundled files.

FastAPI's own pages load their scripts and fonts from a CDN and start Swagger UI with an inline
script; schools often run offline and the Content-Security-Policy forbids inline script, so
these pages load the vendored bundles and a start-up file from /static/docs/.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> Response:
    """Swagger UI: every operation of the JSON API, callable with the logged-in session."""
    return templates.TemplateResponse(
        request, "docs/swagger.html", {"openapi_url": request.app.openapi_url}
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> Response:
    """ReDoc: the same API as a readable reference."""
    return templates.TemplateResponse(
        request, "docs/redoc.html", {"openapi_url": request.app.openapi_url}
    )
