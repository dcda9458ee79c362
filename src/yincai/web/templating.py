"""The Jinja2 environment shared by every capability's pages.

Every template gets ``lang``, ``csrf_token`` and ``user`` (the logged-in account, or None) from
the request, so capabilities only pass their own data; ``_()`` translates into ``lang`` (see
``web/i18n.py``). The names below are messages: templates show them through ``_()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from yincai.accounts.models import Role
from yincai.i18n import _
from yincai.reports.formatting import FILTERS
from yincai.web.i18n import install_gettext, language_of
from yincai.web.paging import page_url

ROLE_NAMES = {
    Role.DISTRICT_ADMIN: _("区管理员"),
    Role.SCHOOL_ADMIN: _("学校管理员"),
    Role.TEACHER: _("教师"),
    Role.STUDENT: _("学生"),
    Role.PARENT: _("家长"),
}
KIND_NAMES = {"exam": _("考试"), "homework": _("作业"), "quiz": _("测验")}
SETTING_NAMES = {"urban": _("城区"), "township": _("乡镇"), "rural": _("农村")}
STAGE_NAMES = {
    "primary": _("小学"),
    "junior": _("初中"),
    "nine_year": _("九年一贯制"),
    "senior": _("高中"),
}
GENDER_NAMES = {"male": _("男"), "female": _("女")}


def _request_context(request: Request) -> dict[str, Any]:
    language = language_of(request, request.app.state.settings.language)
    return {
        "lang": language,
        "csrf_token": request.scope.get("session", {}).get("csrf", ""),
        "user": getattr(request.state, "user", None),
        "Role": Role,
        "role_names": ROLE_NAMES,
        "kind_names": KIND_NAMES,
        "setting_names": SETTING_NAMES,
        "stage_names": STAGE_NAMES,
        "gender_names": GENDER_NAMES,
    }


templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[_request_context]
)
install_gettext(templates.env)
templates.env.filters.update(FILTERS)  # number, points, percent, signed: as the PDFs write them
templates.env.globals["page_url"] = page_url  # the pager macro's links (_paging.html)
# Templates ship with the package: checking their files' times on every render is wasted work.
templates.env.auto_reload = False
