"""The one CJK typeface of every PDF and chart: Noto Sans SC (SIL Open Font License 1.1).

The font ships inside the ``justmytype-intl-cjk`` wheel as a variable font (weights 100–900).
WeasyPrint would turn it into a static font on every render (seconds per weight, per PDF), so the
two weights we set — regular and bold — are instantiated once into a cache folder and reused.
Nothing is fetched and no system font is looked up.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

FONT_PACKAGE = "justmytype_intl_cjk"
VARIABLE_FONT = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")
LICENCE = ("fonts", "ofl", "notosanssc", "OFL.txt")
FAMILY = "Noto Sans SC"
CSS_FAMILY = "YC Sans"  # our own name, so a system "Noto Sans SC" can never stand in for it
WEIGHTS = {400: "Regular", 700: "Bold"}

_lock = threading.Lock()
# matplotlib keeps its settings in global rcParams: maths and charts draw one at a time
MATPLOTLIB_LOCK = threading.RLock()


@dataclass(frozen=True)
class FontSet:
    """Static font files by CSS weight."""

    regular: Path
    bold: Path

    def by_weight(self) -> dict[int, Path]:
        return {400: self.regular, 700: self.bold}


def variable_font_path() -> Path:
    """The packaged variable font; a teacher-readable error when the package is missing."""
    try:
        resource = files(FONT_PACKAGE).joinpath(*VARIABLE_FONT)
    except ModuleNotFoundError as missing:
        raise RuntimeError(
            "缺少中文字体包 / the CJK font package is missing: pip install justmytype-intl-cjk"
        ) from missing
    return Path(str(resource))


def licence_path() -> Path:
    """The font's licence text (OFL 1.1), to ship beside any copy of the font."""
    return Path(str(files(FONT_PACKAGE).joinpath(*LICENCE)))


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/yincai/fonts`` (``~/.cache/yincai/fonts`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "yincai" / "fonts"


def static_fonts(cache_dir: Path | None = None) -> FontSet:
    """The regular and bold static instances, built on first use (about 20 s each, once)."""
    source = variable_font_path()
    folder = cache_dir or default_cache_dir()
    stamp = f"{source.stat().st_size}"  # a new font release has another size: rebuild
    paths = {weight: folder / f"NotoSansSC-{name}-{stamp}.ttf" for weight, name in WEIGHTS.items()}
    with _lock:
        for weight, path in paths.items():
            if not path.exists():
                _instantiate(source, weight, path)
    return FontSet(regular=paths[400], bold=paths[700])


def _instantiate(source: Path, weight: int, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    target.parent.mkdir(parents=True, exist_ok=True)
    font = instancer.instantiateVariableFont(TTFont(source), {"wght": weight}, static=True)
    style = WEIGHTS[weight]
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (16, 17):  # typographic family/subfamily would say "Thin"
            names.removeNames(nameID=record.nameID)
    for name_id, value in (
        (1, FAMILY),
        (2, style),
        (4, f"{FAMILY} {style}"),
        (6, f"NotoSansSC-{style}"),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font["OS/2"].usWeightClass = weight
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (
        0b100000 if weight >= 700 else 0b1000000
    )
    font["head"].macStyle = 1 if weight >= 700 else 0
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(partial)
    partial.replace(target)  # atomic: a concurrent process sees the whole file or none


def font_face_css(fonts: FontSet) -> str:
    """@font-face rules that bind ``CSS_FAMILY`` to the static files by file URL."""
    return "\n".join(
        f"@font-face {{ font-family: '{CSS_FAMILY}'; src: url('{path.as_uri()}'); "
        f"font-weight: {weight}; font-style: normal; }}"
        for weight, path in fonts.by_weight().items()
    )


_registered: set[Path] = set()


def register_with_matplotlib(fonts: FontSet) -> str:
    """Make the font known to matplotlib (once per process); returns its family name."""
    from matplotlib import font_manager

    with MATPLOTLIB_LOCK:
        for path in fonts.by_weight().values():
            if path not in _registered:
                font_manager.fontManager.addfont(str(path))
                _registered.add(path)
    return FAMILY
