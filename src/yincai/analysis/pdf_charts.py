"""The class report's charts as SVG for print: score distribution and knowledge-point score
rates. Text is drawn as paths in Noto Sans SC, so the SVG needs no font where it is shown."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from yincai.analysis.knowledge import KpRow
from yincai.analysis.totals import DistributionBand
from yincai.reports import fonts

SCOPE_COLOUR = "#2f6db5"
REFERENCE_COLOUR = "#b8c4d6"
CUTOFF_COLOUR = "#c0392b"
MAX_KP_BARS = 30  # beyond this the chart stops being readable; the table keeps every row


def _rc(family: str) -> dict[Any, Any]:  # matplotlib types rc keys as literals
    return {
        "font.family": [family, "DejaVu Sans"],
        "font.size": 9,
        "svg.fonttype": "path",
        "svg.hashsalt": "yincai",  # stable ids: the same report gives the same bytes
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
    }


def _svg_of(figure: object) -> str:
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def distribution_svg(
    bands: Sequence[DistributionBand], *, cutoffs: Sequence[tuple[str, float]] = ()
) -> str:
    """Bars of the participants per score band; ``cutoffs`` (label, points) as dashed lines."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    family = fonts.register_with_matplotlib(fonts.static_fonts())
    with fonts.MATPLOTLIB_LOCK, matplotlib.rc_context(_rc(family)):
        figure = Figure(figsize=(6.6, 2.6))
        axes = figure.add_subplot()
        lefts = [band.lower for band in bands]
        widths = [band.upper - band.lower for band in bands]
        counts = [band.count for band in bands]
        bars = axes.bar(
            lefts, counts, width=widths, align="edge", color=SCOPE_COLOUR, edgecolor="white"
        )
        axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], fontsize=7, padding=1)
        for label, points in cutoffs:
            axes.axvline(points, color=CUTOFF_COLOUR, linestyle="--", linewidth=0.8, zorder=0.5)
            axes.annotate(
                label,
                (points, 1.0),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="bottom",
                fontsize=7,
                color=CUTOFF_COLOUR,
            )
        axes.set_xlabel("分数")
        axes.set_ylabel("人数")
        if bands:
            axes.set_xlim(bands[0].lower, bands[-1].upper)
        axes.set_ylim(0, max([*counts, 1]) * 1.2)  # head room: bar labels stay below cut-offs
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        return _svg_of(figure)


def kp_rates_svg(
    rows: Sequence[KpRow], *, scope_title: str, reference_title: str | None = "全体"
) -> str:
    """Horizontal bars of each knowledge point's score rate, beside the reference's unless
    ``reference_title`` is None (the scope is the reference)."""
    import matplotlib
    from matplotlib.figure import Figure

    shown = [row for row in rows if row.score_rate is not None][:MAX_KP_BARS]
    family = fonts.register_with_matplotlib(fonts.static_fonts())
    with fonts.MATPLOTLIB_LOCK, matplotlib.rc_context(_rc(family)):
        figure = Figure(figsize=(6.6, 0.8 + 0.28 * max(len(shown), 1)))
        axes = figure.add_subplot()
        positions = list(range(len(shown)))
        rates = [100 * (row.score_rate or 0.0) for row in shown]
        references = [100 * (row.reference_score_rate or 0.0) for row in shown]
        offset = 0.0 if reference_title is None else 0.2
        if reference_title is not None:
            axes.barh(
                [p + offset for p in positions],
                references,
                height=0.4,
                color=REFERENCE_COLOUR,
                label=reference_title,
            )
        axes.barh(
            [p - offset for p in positions],
            rates,
            height=0.4 if reference_title is not None else 0.6,
            color=SCOPE_COLOUR,
            label=scope_title,
        )
        axes.set_yticks(positions, [row.name for row in shown], fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("得分率（%）")
        axes.legend(loc="lower right", fontsize=7, frameon=False)
        figure.tight_layout()
        return _svg_of(figure)


def svg_img(svg: str, *, alt: str, css_class: str = "chart") -> Markup:
    """An SVG as an ``<img>`` with a data URL."""
    data = base64.b64encode(svg.encode()).decode()
    return Markup('<img class="{cls}" alt="{alt}" src="data:image/svg+xml;base64,{data}">').format(
        cls=css_class, alt=alt, data=data
    )
