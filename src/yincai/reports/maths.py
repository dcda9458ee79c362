"""Inline maths for print: each ``$…$`` of an item becomes a small vector SVG drawn by
matplotlib's mathtext (no TeX installation), set on the text's baseline.

Glyphs are turned into SVG paths, so the PDF needs no maths font. Digits, upright text and
``\\text{中文}`` use Noto Sans SC (the body font), variables DejaVu Sans Oblique, symbols
mathtext's STIX sans fallback. An expression mathtext cannot parse or draw falls back to its
raw TeX in a monospace span. Rendered expressions are cached by their TeX.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup, escape

from yincai.reports import fonts

if TYPE_CHECKING:
    from matplotlib.path import Path

MATH = re.compile(r"\$([^$]+)\$")
DESIGN_SIZE = 10.0  # points; every dimension is divided by it to give em
SIDE_PADDING = 0.4  # points each side, so italic overhangs are not clipped
CACHE_SIZE = 16384
# TeX spellings that mathtext lacks, mapped to ones it knows.
ALIASES = {
    "le": r"\leq",
    "ge": r"\geq",
    "leqslant": r"\leq",
    "geqslant": r"\geq",
    "lt": "<",
    "gt": ">",
    "tfrac": r"\frac",
    "bot": r"\perp",
    "degree": r"^{\circ}",
    "centerdot": r"\cdot",
}
ALIAS = re.compile(r"\\(" + "|".join(sorted(ALIASES, key=len, reverse=True)) + r")(?![A-Za-z])")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
TEXT_GROUP = re.compile(r"(\\(?:text|mathrm|textrm)\{[^{}]*\})")


@dataclass(frozen=True)
class MathImage:
    """One expression as SVG; sizes in em of the surrounding text."""

    svg: str
    width: float
    height: float
    depth: float

    def html(self, tex: str, *, is_page: bool = False) -> Markup:
        """An ``<img>`` sized in em and lowered by its depth onto the baseline: by a style
        attribute for print, by ``data-em`` on a web page (its Content-Security-Policy refuses
        style attributes; the page's script applies the sizes)."""
        data = base64.b64encode(self.svg.encode()).decode()
        sizing = (
            'data-em="{w:.3f} {h:.3f} {d:.3f}"'
            if is_page
            else 'style="width:{w:.3f}em;height:{h:.3f}em;vertical-align:-{d:.3f}em"'
        )
        return Markup(
            '<img class="math" alt="{alt}" src="data:image/svg+xml;base64,{data}" ' + sizing + ">"
        ).format(alt=tex, data=data, w=self.width, h=self.height, d=self.depth)


class _MissingGlyph(logging.Handler):
    """Collects mathtext's "does not have a glyph" messages (logged, not warned)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.missing = False

    def emit(self, record: logging.LogRecord) -> None:
        if "does not have a glyph" in record.getMessage():
            self.missing = True


def normalise(tex: str, *, upright_digits: bool = True) -> str:
    """Spell ``tex`` the way mathtext understands it: bare Chinese goes in ``\\text{}`` and
    numbers are set upright, as in print (mathtext's custom font set would slant them)."""
    tex = ALIAS.sub(lambda match: ALIASES[match.group(1)], tex.strip())
    tex = _outside_text(tex, lambda part: CJK_RUN.sub(lambda m: rf"\text{{{m[0]}}}", part))
    if upright_digits:
        tex = _outside_text(tex, lambda part: DIGITS.sub(lambda m: rf"{{\mathrm{{{m[0]}}}}}", part))
    return tex


def _outside_text(tex: str, change: Callable[[str], str]) -> str:
    """``tex`` with ``change`` applied everywhere but inside ``\\text{…}`` groups."""
    return "".join(
        part if TEXT_GROUP.fullmatch(part) else change(part) for part in TEXT_GROUP.split(tex)
    )


def _mathtext_rc(family: str) -> dict[Any, Any]:  # matplotlib types rc keys as literals
    return {
        "mathtext.fontset": "custom",
        "mathtext.rm": family,
        "mathtext.sf": family,
        "mathtext.bf": f"{family}:bold",
        "mathtext.it": "DejaVu Sans:italic",
        "mathtext.tt": "DejaVu Sans Mono",
        "mathtext.cal": "DejaVu Sans",
        "mathtext.fallback": "stixsans",
        "mathtext.default": "it",
    }


@lru_cache(maxsize=CACHE_SIZE)
def render_math(tex: str) -> MathImage | None:
    """The SVG of one expression (without its dollars); None if mathtext cannot set it.
    Upright digits are tried first; wrapping them can break TeX like ``\\frac12``."""
    return _render(normalise(tex)) or _render(normalise(tex, upright_digits=False))


def _render(mathtext: str) -> MathImage | None:
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import text_to_path

    family = fonts.register_with_matplotlib(fonts.static_fonts())
    source = f"${mathtext}$"
    watcher = _MissingGlyph()
    logger = logging.getLogger("matplotlib.mathtext")
    with fonts.MATPLOTLIB_LOCK, matplotlib.rc_context(_mathtext_rc(family)):
        logger.addHandler(watcher)
        propagate, logger.propagate = logger.propagate, False
        try:
            # Both calls parse at text_to_path's own size and DPI, so the second hits
            # mathtext's parse cache.
            prop = FontProperties(size=text_to_path.FONT_SCALE, math_fontfamily="custom")
            vertices, codes = text_to_path.get_text_path(prop, source, ismath=True)
            width, height, depth = text_to_path.get_text_width_height_descent(
                source, prop, ismath=True
            )
        except (ValueError, RuntimeError):  # mathtext's ParseException is a ValueError
            return None
        finally:
            logger.removeHandler(watcher)
            logger.propagate = propagate
    if watcher.missing or width <= 0:
        return None
    scale = DESIGN_SIZE / text_to_path.FONT_SCALE
    path = Path(np.asarray(vertices, dtype=float).reshape(-1, 2) * scale, codes)
    return _svg(path, float(width) * scale, float(height) * scale, float(depth) * scale)


def _svg(path: Path, width: float, height: float, depth: float) -> MathImage:
    from matplotlib.path import Path

    ascent = height - depth
    letters = {
        int(Path.MOVETO): "M",
        int(Path.LINETO): "L",
        int(Path.CURVE3): "Q",
        int(Path.CURVE4): "C",
    }
    commands: list[str] = []
    for vertices, code in path.iter_segments(simplify=False, curves=True):
        if code == Path.CLOSEPOLY:
            commands.append("Z")
            continue
        points = vertices.reshape(-1, 2)
        coordinates = " ".join(
            f"{x + SIDE_PADDING:.2f} {ascent - y:.2f}" for x, y in points.tolist()
        )
        commands.append(f"{letters[int(code)]}{coordinates}")
    box_width = width + 2 * SIDE_PADDING
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{box_width:.2f}pt" height="{height:.2f}pt" '
        f'viewBox="0 0 {box_width:.2f} {height:.2f}">'
        f'<path d="{"".join(commands)}" fill="#000"/></svg>'
    )
    return MathImage(
        svg=svg,
        width=box_width / DESIGN_SIZE,
        height=height / DESIGN_SIZE,
        depth=depth / DESIGN_SIZE,
    )


def math_html(tex: str, *, is_page: bool = False) -> Markup:
    """One expression for HTML: its image, or its TeX in a monospace span."""
    image = render_math(tex)
    if image is None:
        return Markup('<span class="math-raw">{}</span>').format(tex)
    return image.html(tex, is_page=is_page)


def page_text_html(text: str | None) -> Markup:
    """Item text for a web page: as ``text_html``, with the maths sized by data attributes."""
    return text_html(text, is_page=True)


def text_html(text: str | None, *, is_page: bool = False) -> Markup:
    """Item text for HTML: plain parts escaped, each ``$…$`` drawn, line breaks kept."""
    if not text:
        return Markup("")
    pieces: list[Markup] = []
    position = 0
    for match in MATH.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(math_html(match.group(1), is_page=is_page))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces).replace("\n", Markup("<br>"))
