"""The page language and the templates' ``_()``.

The language comes from the query parameter ``lang``, then the cookie ``yincai_lang``, then the
setting ``language``. Templates use Jinja's i18n extension: ``_("中文 {name}", name=value)``
translates the Chinese text (or a ``Message`` built in Python) into the language of the page
(the ``lang`` of the template context) and fills its named placeholders; values are escaped as
any other. ``ngettext(singular, plural, n, …)`` does the same with ``{n}`` filled, and the filter
``localise`` renders the messages inside chart options before ``tojson``. Write ``_()`` calls,
not ``{% trans %}`` blocks (those would fill ``%(name)s`` placeholders). The catalogues live in
``yincai.i18n``.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.types import Scope

from yincai.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    Message,
    render_params,
    translate,
    translations,
)

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


def _fill(text: str, language: str, params: dict[str, Any]) -> str:
    if not params:
        return text
    return text.format(**render_params(params, language))


@pass_context
def _gettext(context: Context, text: str, /, **params: Any) -> str:
    language = context.get("lang") or SOURCE_LANGUAGE
    if isinstance(text, Message) and params:
        text = text.format(**params)
        params = {}
    return _fill(translate(text, language), language, params)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int, /, **params: Any) -> str:
    language = context.get("lang") or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        text = singular if n == 1 else plural
    else:
        text = translations(language).ngettext(singular, plural, n)
    return _fill(text, language, {"n": n, **params})


@pass_context
def _localise(context: Context, value: Any) -> Any:
    """``value`` (chart options built in Python) with every message, key or value, rendered in the
    ``lang`` of the render; use before ``tojson``."""
    language = context.get("lang") or SOURCE_LANGUAGE
    return _rendered(value, language)


def _rendered(value: Any, language: str) -> Any:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, dict):
        return {_rendered(key, language): _rendered(item, language) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rendered(item, language) for item in value]
    return value


def install_gettext(environment: Environment) -> None:
    """Give ``environment`` the i18n extension with ``_``, ``gettext`` and ``ngettext`` that
    translate into the ``lang`` of each render, and the filter ``localise``."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=False
    )
    environment.filters["localise"] = _localise
