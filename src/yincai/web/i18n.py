"""The page language and the templates' ``_()``.

The language comes from the query parameter ``lang``, then the cookie ``yincai_lang``, then the
setting ``language``. Templates use Jinja's i18n extension: ``_("中文 {name}", name=value)``
translates the Chinese text (or a ``Message`` built in Python) into the language of the page
(the ``lang`` of the template context) and fills its named placeholders; values are escaped as
any other. ``ngettext(singular, plural, n, …)`` does the same with ``{n}`` filled, and the filter
``localise`` renders the messages inside chart options before ``tojson``. Write ``_()`` calls,
not ``{% trans %}`` blocks (those would fill ``%(name)s`` placeholders). The catalogues and
``install_gettext`` live in ``yincai.i18n`` (the print templates of ``reports`` use it too).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope

from yincai.i18n import LANGUAGES, SOURCE_LANGUAGE, install_gettext

COOKIE_NAME = "yincai_lang"
__all__ = ["COOKIE_NAME", "LANGUAGES", "install_gettext", "language_of", "scope_language"]


def language_of(request: Request, default: str) -> str:
    """The page language: ``?lang=``, then the cookie, then the default setting."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE_NAME), default):
        if candidate in LANGUAGES:
            return candidate
    return SOURCE_LANGUAGE


def scope_language(scope: Scope) -> str:
    """The language of a raw ASGI request, for middleware that answers before any route."""
    app = scope.get("app")
    default = app.state.settings.language if app is not None else SOURCE_LANGUAGE
    return language_of(
        Request({"type": "http", "query_string": b"", "headers": [], **scope}), default
    )
