"""Server-rendered pages of the data hub: the landing page with the district's schools."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from yincai.hub import directory
from yincai.web.deps import DbSession
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)

SETTING_NAMES = {"urban": "城区", "township": "乡镇", "rural": "农村"}
STAGE_NAMES = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制", "senior": "高中"}


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, session: DbSession) -> HTMLResponse:
    """The district's schools at a glance."""
    overview = directory.district_overview(session)
    return templates.TemplateResponse(
        request,
        "hub/landing.html",
        {"overview": overview, "setting_names": SETTING_NAMES, "stage_names": STAGE_NAMES},
    )
