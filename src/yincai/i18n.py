"""Interface text: Simplified Chinese is the source language, English comes from a catalogue.

Code and templates write the Chinese text and wrap it in ``_()``. In Python, ``_()`` gives a
``Message``: a ``str`` that reads as the Chinese text and also keeps its msgid and named
parameters, so whoever shows it (a page, the JSON API, the CLI) renders it once, at the edge, in
the reader's language with ``translate(text, language)``. A sentence built from parts is one
message with named placeholders, never glued pieces::

    _("第 {row} 行：{reason}").format(row=3, reason=_("学号不存在"))

Parameters that are messages themselves are rendered in the same language. The English
catalogue is ``locale/en/LC_MESSAGES/messages.po`` (``make messages`` extracts and updates it);
it is read and compiled in memory once per process, so a fresh clone needs no build step.
"""

from __future__ import annotations

import io
import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

LANGUAGES = ("zh", "en")
SOURCE_LANGUAGE = "zh"
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"


class Message(str):
    """A translatable text: reads as its Chinese rendering, remembers ``msgid`` and ``params``."""

    msgid: str
    params: dict[str, Any]
    context: str | None  # tells apart one Chinese text with two meanings (pgettext)

    def __new__(
        cls, msgid: str, params: Mapping[str, Any] | None = None, context: str | None = None
    ) -> Message:
        values = dict(params or {})
        self = super().__new__(cls, msgid.format(**values) if values else msgid)
        self.msgid = msgid
        self.params = values
        self.context = context
        return self

    def format(self, *args: object, **params: Any) -> Message:
        """The same message with its named placeholders filled (positional ones are refused)."""
        if args:
            raise TypeError("messages take named placeholders only")
        return Message(self.msgid, {**self.params, **params}, self.context)

    def render(self, language: str) -> str:
        """The text in ``language``: the translated msgid with its parameters rendered too."""
        if language == SOURCE_LANGUAGE:
            return str(self)
        catalogue = translations(language)
        if self.context is None:
            text = catalogue.gettext(self.msgid)
        else:
            text = str(catalogue.pgettext(self.context, self.msgid))  # babel types it str | object
        if not self.params:
            return text
        return text.format(**render_params(self.params, language))

    def __reduce__(self) -> tuple[Any, ...]:  # a job or a cached error keeps its message
        return (Message, (self.msgid, self.params, self.context))


def _(msgid: str) -> Message:
    """Mark a Chinese text for translation; fill its placeholders with ``.format(name=…)``."""
    return Message(msgid)


def pgettext(context: str, msgid: str) -> Message:
    """``_`` for a text that reads the same in Chinese but means another thing in ``context``."""
    return Message(msgid, context=context)


# The separators ``join`` puts between parts, catalogued so that an English page reads ", ".
SEPARATORS = (_("，"), _("、"))


def join(parts: Sequence[str], separator: str = "，") -> Message:
    """``parts`` as one message: each part and the separator (a catalogued text such as ``，``
    or ``、``) are rendered in the reader's language."""
    names = [f"part{index}" for index in range(len(parts))]
    msgid = "{separator}".join("{" + name + "}" for name in names)
    return Message(msgid, {"separator": Message(separator), **dict(zip(names, parts, strict=True))})


def translate(text: object, language: str) -> Any:
    """``text`` in ``language`` if it is a message or a catalogued text; anything else as is."""
    if isinstance(text, Message):
        return text.render(language)
    if isinstance(text, str) and language != SOURCE_LANGUAGE:
        return translations(language).gettext(text)
    return text


def render_params(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The values of a message's placeholders in ``language``: messages are rendered, data (a
    name, a number, a file) is left as it is, even where it reads like a catalogued text."""
    return {
        name: value.render(language) if isinstance(value, Message) else value
        for name, value in params.items()
    }


def placeholders(text: str) -> set[str]:
    """The names of the ``{name}`` placeholders of a message (a catalogue check)."""
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(text) if name}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (fuzzy entries left out); none for the source."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


# Jinja2 templates (the web pages and the print templates of ``reports`` alike) translate with
# these callables, installed by ``install_gettext``; see ``web/i18n.py`` for their use.


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
