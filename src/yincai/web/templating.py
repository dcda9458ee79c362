"""The Jinja2 environment shared by every capability's pages.

Every template gets ``_`` (translate), ``lang``, ``csrf_token`` and ``user`` (the logged-in
account, or None) from the request, so capabilities only pass their own data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from yincai.accounts.models import Role
from yincai.web.i18n import language_of, translator

ROLE_NAMES = {
    Role.DISTRICT_ADMIN: "区管理员",
    Role.SCHOOL_ADMIN: "学校管理员",
    Role.TEACHER: "教师",
    Role.STUDENT: "学生",
    Role.PARENT: "家长",
}
KIND_NAMES = {"exam": "考试", "homework": "作业", "quiz": "测验"}
SETTING_NAMES = {"urban": "城区", "township": "乡镇", "rural": "农村"}
STAGE_NAMES = {"primary": "小学", "junior": "初中", "nine_year": "九年一贯制", "senior": "高中"}
GENDER_NAMES = {"male": "男", "female": "女"}


def _request_context(request: Request) -> dict[str, Any]:
    language = language_of(request, request.app.state.settings.language)
    return {
        "_": translator(language),
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
# Templates ship with the package: checking their files' times on every render is wasted work.
templates.env.auto_reload = False
