"""What the report pages share: the ranks setting, the exam cache and the download response."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from yincai.analysis.cache import ExamCache, KeptViews
from yincai.analysis.exam import ReportScope

# Ranks and the 一分一段表 are staff tools; a district may turn them off with a ``show_ranks``
# setting (read if present) and a teacher may hide them on the page (?ranks=0).
SHOWS_RANKS_BY_DEFAULT = True
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ranks_allowed(request: Request) -> bool:
    """The district setting (default on for staff), narrowed by ``?ranks=0`` on the page."""
    setting = bool(getattr(request.app.state.settings, "show_ranks", SHOWS_RANKS_BY_DEFAULT))
    return setting and request.query_params.get("ranks", "1") != "0"


def exam_cache(request: Request) -> ExamCache:
    """The application's exams kept between requests (see ``analysis.cache``)."""
    cache: ExamCache = request.app.state.exam_cache
    return cache


def kept_views(request: Request) -> KeptViews:
    """The application's other views kept between requests (see ``analysis.cache``)."""
    views: KeptViews = request.app.state.kept_views
    return views


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def scope_query(scope: ReportScope) -> str:
    """The query string that selects ``scope`` (empty for the district)."""
    if scope.kind == "class":
        return f"school_class_id={scope.school_class_id}"
    if scope.kind == "school":
        return f"school_id={scope.school_id}"
    return ""
