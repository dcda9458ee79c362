"""Jinja2 print templates to PDF with WeasyPrint: A4, running header, page numbers, CJK text.

Templates live in ``reports/templates``; each extends ``base.html``, which binds the packaged
CJK font and ``print.css``. Figures go through the filters of ``reports.formatting``; text
through ``_()``, in the ``lang`` the caller passes (Chinese without one). Only ``file:`` and
``data:`` URLs are ever loaded: a report can never reach the network, whatever text it carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from yincai.i18n import install_gettext
from yincai.reports import fonts
from yincai.reports.formatting import FILTERS, number, percent, points
from yincai.reports.maths import text_html

__all__ = [
    "documents_to_pdf",
    "html_to_pdf",
    "number",
    "percent",
    "points",
    "render",
    "render_html",
]

TEMPLATES = Path(str(files("yincai.reports").joinpath("templates")))


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("yincai.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(maths=text_html, **FILTERS)
    install_gettext(environment)  # ``_()`` renders in the ``lang`` of the context (default 中文)
    return environment


_ENVIRONMENT = _environment()


def render_html(template: str, context: Mapping[str, object]) -> str:
    """The HTML of a template, with the font faces and print styles bound."""
    font_css = Markup(fonts.font_face_css(fonts.static_fonts()))
    return _ENVIRONMENT.get_template(template).render(
        {**context, "font_css": font_css, "font_family": fonts.CSS_FAMILY}
    )


def html_to_pdf(html: str) -> bytes:
    """Lay out and write one HTML document as PDF."""
    return documents_to_pdf([html])


def documents_to_pdf(
    htmls: Iterable[str], *, on_each: Callable[[int], None] | None = None
) -> bytes:
    """Lay out each HTML document on its own and write all their pages as one PDF, calling
    ``on_each(n_done)`` after each layout: a long PDF reports its progress, and page numbers
    count within each document (a student's booklet is numbered as the student gets it).

    Fonts and images (maths repeat often) are loaded once for all the documents."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    font_config = FontConfiguration()
    cache: dict[str, object] = {}
    documents = []
    for html in htmls:
        document = HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=fetcher)
        documents.append(document.render(font_config=font_config, cache=cache))
        if on_each is not None:
            on_each(len(documents))
    if not documents:
        raise ValueError("a PDF needs at least one document")
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render(template: str, context: Mapping[str, object]) -> bytes:
    """A template rendered to PDF bytes."""
    return html_to_pdf(render_html(template, context))
