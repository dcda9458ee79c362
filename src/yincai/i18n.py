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
